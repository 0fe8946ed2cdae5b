"""Share links: the Train page's settings (never data) as URL query values, and back, checked value by value.

`decode` never raises: a value that is unknown, of the wrong type, out of range or not one of the offered
choices is ignored, the default is kept, and a note says what was ignored (names only, never the value).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.config import POOLINGS, SCHEDULES

MAX_VALUE_CHARS = 32
SAFE_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Setting:
    """One shareable setting: its type and either a closed range or the choices its widget offers."""

    kind: type  # int | float | str | bool
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    step: float | None = None  # a slider's step: other values are refused

    def parse(self, text: str) -> Any:
        """The value, or raise ValueError."""
        if self.kind is bool:
            if text not in ("0", "1"):
                raise ValueError
            return text == "1"
        value = self.kind(text) if self.kind is not int else int(text, 10)
        if self.kind is float and not math.isfinite(value):
            raise ValueError
        if self.choices and value not in self.choices:
            raise ValueError
        if self.low is not None and not self.low <= value <= self.high:
            raise ValueError
        if self.step is not None:
            steps = round(value / self.step)
            if abs(steps * self.step - value) > 1e-9:
                raise ValueError
            value = round(steps * self.step, 6)
        return value


# The Train and Tokenizer pages' widgets (keys without their "w_" prefix), with the options those widgets offer.
SETTINGS: dict[str, Setting] = {
    "pooling": Setting(str, choices=POOLINGS),
    "emb": Setting(int, choices=(16, 32, 64, 128, 256)),
    "hidden": Setting(int, choices=(16, 32, 64, 128, 256)),
    "layers": Setting(int, choices=(1, 2, 3)),
    "dropout": Setting(float, 0.0, 0.7, step=0.05),
    "lr": Setting(float, choices=(3e-4, 1e-3, 3e-3, 1e-2)),
    "batch": Setting(int, choices=(16, 32, 64, 128, 256)),
    "epochs": Setting(int, 1, 50),
    "patience": Setting(int, 0, 20),
    "seed": Setting(int, 0, 2**31 - 1),
    "val_share": Setting(float, 0.05, 0.5, step=0.05),
    "schedule": Setting(str, choices=SCHEDULES),
    "vocab_auto": Setting(bool),
    "vocab": Setting(int, 100, 32000),
    "coverage": Setting(float, choices=(0.98, 0.99, 0.995, 0.9995, 1.0)),
    "sampling": Setting(float, choices=(0.0, 0.05, 0.1, 0.2)),
}


def with_defaults(defaults: Mapping[str, Any]) -> dict[str, Setting]:
    """SETTINGS whose choices also hold each default (a widget always offers core's default)."""
    merged = {}
    for name, setting in SETTINGS.items():
        default = defaults.get(name)
        if setting.choices and default is not None and default not in setting.choices:
            setting = Setting(setting.kind, setting.low, setting.high, setting.choices + (default,), setting.step)
        merged[name] = setting
    return merged


def encode(values: Mapping[str, Any]) -> dict[str, str]:
    """Query values for the shareable settings among `values` (others are left out)."""
    return {name: _text(values[name]) for name in SETTINGS if name in values}


def decode(query: Mapping[str, Any], defaults: Mapping[str, Any], ignore: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """(settings: the defaults with every valid query value applied, notes: one per ignored query key)."""
    settings, notes = dict(defaults), []
    allowed = with_defaults(defaults)
    for key, raw in query.items():
        if key in ignore:
            continue
        name = _safe(key)
        if key not in allowed:
            notes.append(f"unknown setting '{name}' ignored")
            continue
        try:
            settings[key] = allowed[key].parse(_single(raw))
        except (ValueError, TypeError, OverflowError):
            notes.append(f"'{name}' ignored: not an allowed value, kept {_text(defaults.get(key))}")
    return settings, notes


def _single(raw: Any) -> str:
    """A query value as one short ASCII string (a repeated key, an over-long or non-ASCII value is refused)."""
    if isinstance(raw, (list, tuple)):
        if len(raw) != 1:
            raise ValueError
        raw = raw[0]
    if not isinstance(raw, str) or len(raw) > MAX_VALUE_CHARS or not raw.isascii():
        raise ValueError
    return raw.strip()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}" if value == float(f"{value:g}") else repr(value)
    return str(value)


def _safe(key: Any) -> str:
    """A key as it may be shown: letters, digits and _ only, at most 24 characters."""
    return SAFE_NAME.sub("", str(key))[:24] or "?"
