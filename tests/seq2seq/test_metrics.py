"""chrF: sacreBLEU's reference values, and Korean edge cases (spacing, empty replies)."""

from __future__ import annotations

import pytest

from core.seq2seq.metrics import corpus_chrf, sentence_chrf


def test_chrf_matches_sacrebleu_reference_values():
    # Values from sacreBLEU's chrF (char order 6, beta 2, spaces removed) as quoted in the HF metric card.
    assert (corpus_chrf(["The relationship between Obama and Netanyahu is not exactly friendly."],
                        ["The ties between Obama and Netanyahu are not particularly friendly."])
            == pytest.approx(61.576379378, abs=1e-6))
    assert (corpus_chrf(["The relationship between cats and dogs is not exactly friendly.",
                         "a good bookshop is just a genteel black hole that knows how to read."],
                        ["The relationship between dogs and cats is not exactly friendly.",
                         "A good bookshop is just a genteel Black Hole that knows how to read."])
            == pytest.approx(84.642148917, abs=1e-6))


def test_chrf_on_korean_edge_cases():
    assert sentence_chrf("많이 속상하시겠어요.", "많이 속상하시겠어요.") == 100.0
    assert sentence_chrf("많이속상하시겠어요.", "많이 속상하시겠어요.") == 100.0  # spacing does not count
    assert sentence_chrf("축하해요", "힘드시겠어요") < sentence_chrf("힘드셨겠어요", "힘드시겠어요") < 100
    assert sentence_chrf("", "힘드시겠어요") == 0.0 and sentence_chrf("가나", "다라") == 0.0
