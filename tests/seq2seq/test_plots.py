"""The alignment matrix: one row per generated piece, one column per source piece, exact weights on hover."""

from __future__ import annotations

from core.seq2seq.plots import alignment_heatmap


def test_alignment_heatmap_labels_and_hover():
    fig = alignment_heatmap(["▁오늘", "▁시험"], ["▁시험", "▁결과", "</s>"], [[0.1, 0.9], [0.3, 0.7], [0.5, 0.5]])
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["1. 오늘", "2. 시험"] and list(heatmap.y) == ["1. 시험", "2. 결과", "3. &lt;/s&gt;"]
    assert heatmap.z.shape == (3, 2) and "α = %{z:.4f}" in heatmap.hovertemplate
