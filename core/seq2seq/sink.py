"""Reading an alignment matrix: does the decoder park its attention on the sentence's last piece (an attention sink)?

A decoder that has learnt little about the source often puts most of every row's weight on the final
punctuation or the last piece: a fixed "resting place" that says nothing about which words the reply uses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

SINK_SHARE = 0.5  # mean weight on the final pieces above which the matrix is flagged


@dataclass
class Sink:
    pieces: list[str]  # the final source pieces that hold the weight (trailing punctuation, else the last piece)
    share: float  # their mean total weight over the generated rows, 0-1
    peak_rows: int  # rows whose largest weight falls on them
    rows: int


def is_punctuation(piece: str) -> bool:
    text = piece.replace("▁", "")
    return bool(text) and all(unicodedata.category(ch).startswith("P") for ch in text)


def sink_positions(source_tokens: Sequence[str]) -> list[int]:
    """The trailing punctuation pieces of the source (e.g. '.' or '?!'), or the last piece when there are none."""
    end = len(source_tokens)
    start = end
    while start > 0 and is_punctuation(source_tokens[start - 1]):
        start -= 1
    return list(range(start, end)) if start < end else [end - 1] if end else []


def attention_sink(source_tokens: Sequence[str], attention: Sequence[Sequence[float]],
                   threshold: float = SINK_SHARE) -> Sink | None:
    """The sink when the rows put, on average, at least `threshold` of their weight on the final pieces;
    None otherwise, or when the source is a single piece (its weight is 1 by necessity)."""
    positions = sink_positions(source_tokens)
    if len(source_tokens) < 2 or not attention or len(positions) == len(source_tokens):
        return None
    on_sink = [sum(row[j] for j in positions) for row in attention]  # (T,)
    share = sum(on_sink) / len(on_sink)
    if share < threshold:
        return None
    peaks = sum(max(range(len(row)), key=row.__getitem__) in positions for row in attention)
    return Sink([source_tokens[j] for j in positions], share, peaks, len(attention))
