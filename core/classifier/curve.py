"""How much data does the model need? A learning curve: the model and the n-gram baseline trained on growing shares
of the training dialogues, both scored on the same validation rows.

The dataset is split once by dialogue; each share is a nested subset of the training dialogues (the 10% subset lies
inside the 25% one, and so on), so the points differ only in how much data they saw. Each point trains its own
tokenizer on its own rows, as a user with that much data would.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.classifier.pipeline import Prepared, train_run
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import Dataset
from core.corpus.split import group_split
from core.corpus.tokenizer import train_tokenizer
from core.training.loop import TrainEvent

FRACTIONS = (0.1, 0.25, 0.5, 1.0)

# One line that reads the curve, in English; the app renders the same key in Korean from ui/i18n.py ("curve.<key>").
READINGS = {
    "ahead": "The model beats the n-gram baseline at every size, from {percent} of the training dialogues "
             "({dialogues} dialogues) on.",
    "overtakes": "The model overtakes the n-gram baseline from {percent} of the training dialogues ({dialogues} "
                 "dialogues) on.",
    "narrows": "The baseline stays ahead at every size; the gap narrows from {first} to {last} points.",
    "widens": "The baseline stays ahead at every size; the gap widens from {first} to {last} points.",
    "behind": "The baseline is ahead with all the training dialogues, by {last} points, though the model led at "
              "{percent}.",
    "no_baseline": "The baseline could not be fitted (fewer than two classes in a subset), so nothing to compare.",
}


@dataclass
class CurvePoint:
    fraction: float
    dialogues: int  # training dialogues in this subset
    train_index: list[int]  # the dataset rows both models were fitted on
    model_accuracy: float
    baseline_accuracy: float | None  # None when the subset has fewer than two classes
    model_macro_f1: float = math.nan
    baseline_macro_f1: float | None = None

    @property
    def train_rows(self) -> int:
        return len(self.train_index)

    def to_json(self) -> dict:
        return {"fraction": self.fraction, "dialogues": self.dialogues, "train_rows": self.train_rows,
                "model_accuracy": self.model_accuracy, "baseline_accuracy": self.baseline_accuracy,
                "model_macro_f1": self.model_macro_f1, "baseline_macro_f1": self.baseline_macro_f1}


@dataclass
class Reading:
    """What the curve says, as a key and its values: English here, any language in the app."""

    key: str
    values: dict = field(default_factory=dict)

    def english(self) -> str:
        return READINGS[self.key].format(**self.values)


@dataclass
class CurveResult:
    points: list[CurvePoint]
    val_index: list[int]  # the validation rows every point is scored on
    stopped: bool = False

    def reading(self) -> Reading:
        return read_curve(self.points)

    def to_json(self) -> dict:
        reading = self.reading()
        return {"points": [p.to_json() for p in self.points], "val_rows": len(self.val_index), "stopped": self.stopped,
                "reading": {"key": reading.key, "values": reading.values, "text": reading.english()}}


@dataclass
class CurveEvent:
    """A training event tagged with the curve point it belongs to."""

    index: int
    count: int
    fraction: float
    train_rows: int
    event: TrainEvent


def learning_curve(dataset: Dataset, model_config: ModelConfig, train_config: TrainConfig,
                   tokenizer_config: TokenizerConfig | None = None, fractions: Sequence[float] = FRACTIONS,
                   callback: Callable[[CurveEvent], None] | None = None,
                   stop: threading.Event | None = None) -> CurveResult:
    """Train and score the model and the baseline on each share of the training dialogues; a job function.

    Stop ends the current training and skips the rest; only points whose training finished are kept."""
    fractions = sorted(set(fractions))
    if not fractions or fractions[0] <= 0 or fractions[-1] > 1:
        raise ValueError("Fractions must lie in (0, 1].")
    train_index, val_index = group_split(dataset.labels, dataset.groups, train_config.val_share, train_config.seed)
    subsets = nested_subsets(dataset.groups, train_index, fractions, train_config.seed)
    points: list[CurvePoint] = []
    for index, (fraction, (dialogues, rows)) in enumerate(zip(fractions, subsets)):
        if stop is not None and stop.is_set():
            break
        tag = None if callback is None else _tagger(callback, index, len(fractions), fraction, len(rows))
        point = _train_point(dataset, rows, val_index, fraction, dialogues, model_config, train_config,
                             tokenizer_config, tag, stop)
        if stop is not None and stop.is_set():
            break  # a point cut short would understate the model
        points.append(point)
    return CurveResult(points, val_index, stopped=len(points) < len(fractions))


def nested_subsets(groups: Sequence[int], train_index: list[int], fractions: Sequence[float],
                   seed: int) -> list[tuple[int, list[int]]]:
    """(dialogues, training rows) per fraction: the first ceil(f·n) dialogues of one seeded shuffle, so each
    subset holds every smaller one."""
    dialogues = list(dict.fromkeys(groups[i] for i in train_index))
    random.Random(seed).shuffle(dialogues)
    subsets = []
    for fraction in fractions:
        chosen = set(dialogues[:max(1, math.ceil(fraction * len(dialogues)))])
        subsets.append((len(chosen), [i for i in train_index if groups[i] in chosen]))
    return subsets


def _train_point(dataset: Dataset, rows: list[int], val_index: list[int], fraction: float, dialogues: int,
                 model_config: ModelConfig, train_config: TrainConfig, tokenizer_config: TokenizerConfig | None,
                 callback, stop) -> CurvePoint:
    tokenizer = train_tokenizer([dataset.texts[i] for i in rows], tokenizer_config)
    # Prepared's baseline is fitted on its train_index: exactly this subset's rows.
    prepared = Prepared(dataset=dataset, train_index=rows, val_index=val_index, tokenizer=tokenizer)
    prepared.pretrain(model_config, train_config, None, stop)  # when the settings pretrain: on this subset's texts
    metrics = train_run(prepared, model_config, train_config, callback, stop).classifier.metrics
    return CurvePoint(fraction, dialogues, rows, metrics.get("val_accuracy", math.nan),
                      metrics.get("baseline_accuracy"), metrics.get("val_macro_f1", math.nan),
                      metrics.get("baseline_macro_f1"))


def read_curve(points: Sequence[CurvePoint]) -> Reading:
    """Where, or whether, the model overtakes the baseline: the first size from which it stays ahead."""
    if not points or any(p.baseline_accuracy is None for p in points):
        return Reading("no_baseline")
    gaps = [100 * (p.model_accuracy - p.baseline_accuracy) for p in points]  # percentage points, + = model ahead
    first_lead = next((i for i in range(len(gaps)) if all(g > 0 for g in gaps[i:])), None)
    if first_lead is not None:
        point = points[first_lead]
        return Reading("ahead" if first_lead == 0 else "overtakes",
                       {"percent": f"{point.fraction:.0%}", "dialogues": f"{point.dialogues:,}"})
    if all(g <= 0 for g in gaps):
        first, last = -gaps[0], -gaps[-1]
        return Reading("narrows" if last < first else "widens", {"first": f"{first:.1f}", "last": f"{last:.1f}"})
    led = next(p for p, g in zip(points, gaps) if g > 0)
    return Reading("behind", {"last": f"{-gaps[-1]:.1f}", "percent": f"{led.fraction:.0%}"})


def _tagger(callback: Callable[[CurveEvent], None], index: int, count: int, fraction: float, rows: int):
    return lambda event: callback(CurveEvent(index, count, fraction, rows, event))
