"""chrF: character n-gram F-score (Popović 2015), computed as sacreBLEU's default chrF (n ≤ 6, β = 2, spaces removed);
the stutter rate, which chrF cannot see: copied pieces it rewards even when a reply repeats them.

Characters suit Korean: a reply that gets the stem right but the ending (어미) wrong still earns credit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

CHAR_ORDER = 6
BETA = 2.0


def char_ngrams(text: str, n: int) -> Counter:
    chars = "".join(text.split())  # whitespace does not count
    return Counter(chars[i:i + n] for i in range(len(chars) - n + 1))


def chrf_statistics(hypothesis: str, reference: str, order: int = CHAR_ORDER) -> list[int]:
    """[hyp n-grams, ref n-grams, matches] for n = 1..order, flattened."""
    stats = []
    for n in range(1, order + 1):
        hyp, ref = char_ngrams(hypothesis, n), char_ngrams(reference, n)
        stats += [sum(hyp.values()), sum(ref.values()), sum((hyp & ref).values())]
    return stats


def chrf_from_statistics(stats: Sequence[int], beta: float = BETA) -> float:
    """Precision and recall averaged over the orders both sides reach, then their F-beta, ×100."""
    precision, recall, effective = 0.0, 0.0, 0
    for i in range(0, len(stats), 3):
        n_hyp, n_ref, n_match = stats[i:i + 3]
        if n_hyp > 0 and n_ref > 0:
            precision += n_match / n_hyp
            recall += n_match / n_ref
            effective += 1
    if not effective or precision + recall == 0:
        return 0.0
    precision, recall, factor = precision / effective, recall / effective, beta ** 2
    return 100.0 * (1 + factor) * precision * recall / (factor * precision + recall)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    return chrf_from_statistics(chrf_statistics(hypothesis, reference))


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """chrF over a corpus: n-gram counts are summed over sentences before the score is taken."""
    if len(hypotheses) != len(references):
        raise ValueError("hypotheses and references differ in number")
    totals = [0] * (3 * CHAR_ORDER)
    for hypothesis, reference in zip(hypotheses, references):
        totals = [a + b for a, b in zip(totals, chrf_statistics(hypothesis, reference))]
    return chrf_from_statistics(totals)


# A character three times in a row ("행행행"), or a chunk of 2+ characters twice back to back ("괴롭힘을괴롭힘을").
_STUTTER = re.compile(r"(.)\1\1|(..+?)\2")


def stutters(text: str) -> bool:
    """Whether a reply stutters: in its letters alone (Hangul, jamo, Latin; spaces, punctuation and digits removed,
    so "반 반 반" and "괴롭힘을, 괴롭힘을" count and "1000원" does not), a character occurs three times in a row, or a
    chunk of two or more characters occurs twice back to back. Reduplicated words count too ("하루하루", "차근차근"):
    the counsellors' replies of the real file score 0.17% (24 of 14,270)."""
    return _STUTTER.search("".join(ch for ch in text if ch.isalpha())) is not None


def stutter_rate(replies: Sequence[str]) -> float:
    """The share of replies that stutter (nan when there are none)."""
    return sum(map(stutters, replies)) / len(replies) if replies else float("nan")
