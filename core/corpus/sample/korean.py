"""Fill `{slot}` templates with Korean particles that agree with the word before them."""

from __future__ import annotations

import re

_SLOT = re.compile(r"\{(\w+)(?:\|(\w+))?\}")
_SPACES = re.compile(r" {2,}")
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_FINAL_RIEUL, _FINAL_SSANGSIOT = 8, 20  # indices in the 28 final-consonant slots of a syllable

# `{slot|이}` picks 이 after a final consonant and 가 after a vowel, and likewise for the others.
PARTICLES = {
    "이": ("이", "가"),
    "은": ("은", "는"),
    "을": ("을", "를"),
    "과": ("과", "와"),
    "이랑": ("이랑", "랑"),
    "으로": ("으로", "로"),
    "이나": ("이나", "나"),
}


def final_consonant(word: str) -> int:
    """Index of the last syllable's final consonant (0 = none, also for non-Hangul)."""
    last = ord(word[-1]) if word else 0
    if not _HANGUL_FIRST <= last <= _HANGUL_LAST:
        return 0
    return (last - _HANGUL_FIRST) % 28


def attach(word: str, particle: str) -> str:
    with_final, without_final = PARTICLES[particle]
    final = final_consonant(word)
    if particle == "으로" and final == _FINAL_RIEUL:
        return word + without_final  # 서울로, not 서울으로
    return word + (with_final if final else without_final)


def fill(template: str, values: dict[str, str]) -> str:
    """Replace `{slot}` and `{slot|particle}`; collapse the double spaces an empty slot leaves."""
    def replace(match: re.Match) -> str:
        word = values[match.group(1)]
        return attach(word, match.group(2)) if match.group(2) else word

    return _SPACES.sub(" ", _SLOT.sub(replace, template)).strip()


def slot_names(template: str) -> list[str]:
    return [match.group(1) for match in _SLOT.finditer(template)]


def as_clause(sentence: str) -> str | None:
    """'…발표했어.' → '…발표했는데', so a feeling can follow in one breath; None for other endings."""
    body = sentence.rstrip(".!")
    if "는데" in body:
        return None  # "사기를 당했는데 … 당했는데" reads badly
    if len(body) >= 2 and body.endswith("어") and final_consonant(body[-2]) == _FINAL_SSANGSIOT:
        return body[:-1] + "는데"
    return None
