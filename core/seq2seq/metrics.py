"""chrF: character n-gram F-score (Popović 2015), computed as sacreBLEU's default chrF (n ≤ 6, β = 2, spaces removed).

Characters suit Korean: a reply that gets the stem right but the ending (어미) wrong still earns credit.
"""

from __future__ import annotations

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
