"""chrF: sacreBLEU's reference values, and Korean edge cases (spacing, empty replies); the stutter rate."""

from __future__ import annotations

import math

import pytest

from core.seq2seq.metrics import corpus_chrf, sentence_chrf, stutter_rate, stutters


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


@pytest.mark.parametrize("reply", [
    "반 반 반 힘드셨겠어요.",  # a character three times, spaces between
    "행행행",
    "괴롭힘을 괴롭힘을 당하셨군요.",  # a chunk twice back to back, across a space
    "대학 동기가 빌려 빌려 달라고 했군요.",
    "시험 시험을을을쳐쳐쳐서서 했군요",
    "속상하셨군요. 속상하셨군요.",  # punctuation between does not hide it
    "정말요, 정말요?",
    "ㅠㅠㅠ",
])
def test_stutters(reply):
    assert stutters(reply)


@pytest.mark.parametrize("reply", [
    "",
    "많이 속상하시겠어요. 무엇이 가장 힘드세요?",
    "네네, 그러셨군요.",  # a character twice is no stutter
    "시험을 망쳐서 속상하셨군요. 시험 준비를 많이 하셨나요?",  # a repeat that is not back to back
    "...",  # punctuation alone never stutters
    "2000년에 1000원이었군요.",  # nor do digits ("000")
])
def test_does_not_stutter(reply):
    assert not stutters(reply)


def test_stutter_rate_is_the_share_of_replies_that_stutter():
    assert stutter_rate(["행행행", "괜찮아요.", "빌려 빌려", "좋아요"]) == 0.5
    assert stutter_rate(["괜찮아요."]) == 0.0 and math.isnan(stutter_rate([]))
