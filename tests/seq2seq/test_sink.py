"""Flagging the attention-sink pattern: most weight on the final punctuation or the last source piece."""

from __future__ import annotations

import pytest

from core.seq2seq.sink import attention_sink, is_punctuation, sink_positions

SOURCE = ["▁시험을", "▁망", "쳐서", "▁속상해", "."]


def test_sink_positions_are_the_trailing_punctuation_or_else_the_last_piece():
    assert sink_positions(SOURCE) == [4]
    assert sink_positions(["▁왜", "▁그래", "?", "!"]) == [2, 3]
    assert sink_positions(["▁시험을", "▁망쳤어"]) == [1]
    assert sink_positions([]) == []
    assert is_punctuation("▁.") and is_punctuation("?!") and not is_punctuation("▁") and not is_punctuation("쳐서")


def test_weight_parked_on_the_final_period_is_flagged_with_its_share_and_peaks():
    attention = [[0.1, 0.0, 0.0, 0.1, 0.8], [0.0, 0.1, 0.1, 0.2, 0.6], [0.5, 0.1, 0.1, 0.1, 0.2]]
    sink = attention_sink(SOURCE, attention)
    assert sink.pieces == ["."] and sink.share == pytest.approx(1.6 / 3)
    assert (sink.peak_rows, sink.rows) == (2, 3)


def test_attention_on_the_words_is_not_a_sink():
    attention = [[0.7, 0.1, 0.0, 0.1, 0.1], [0.1, 0.3, 0.3, 0.2, 0.1]]
    assert attention_sink(SOURCE, attention) is None
    assert attention_sink(SOURCE, attention, threshold=0.05) is not None  # the threshold is what decides
    assert attention_sink(["."], [[1.0]]) is None  # a one-piece source has nowhere else to look
    assert attention_sink(SOURCE, []) is None
