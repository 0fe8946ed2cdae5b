"""The alignment matrix: one row per generated piece, one column per source piece, exact weights on hover."""

from __future__ import annotations

from core.seq2seq.plots import alignment_heatmap


def test_alignment_heatmap_labels_and_hover():
    fig = alignment_heatmap(["▁오늘", "▁시험"], ["▁시험", "▁결과", "</s>"], [[0.1, 0.9], [0.3, 0.7], [0.5, 0.5]])
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["1. 오늘", "2. 시험"] and list(heatmap.y) == ["1. 시험", "2. 결과", "3. &lt;/s&gt;"]
    assert heatmap.z.shape == (3, 2) and "α = %{z:.4f}" in heatmap.hovertemplate


def test_every_source_and_generated_piece_is_labelled():
    source, target = [f"▁s{i}" for i in range(40)], [f"▁t{i}" for i in range(30)]
    fig = alignment_heatmap(source, target, [[1 / 40] * 40] * 30)
    xaxis, yaxis = fig.layout.xaxis, fig.layout.yaxis
    assert xaxis.tickmode == "array" and list(xaxis.tickvals) == list(fig.data[0].x)  # not every other one
    assert yaxis.tickmode == "array" and list(yaxis.tickvals) == list(fig.data[0].y)
    assert xaxis.tickfont.size < alignment_heatmap(source[:5], target[:5], [[0.2] * 5] * 5).layout.xaxis.tickfont.size


def test_source_labels_stand_upright_once_there_are_more_than_four():
    few = alignment_heatmap(["▁a", "▁b"], ["▁a"], [[0.5, 0.5]])
    many = alignment_heatmap([f"▁조각{i}" for i in range(8)], ["▁a"], [[1 / 8] * 8])
    assert few.layout.xaxis.tickangle == 0 and many.layout.xaxis.tickangle == -90  # -45 ran labels into each other
