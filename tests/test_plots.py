"""Figure builders: the right data in the right traces, Hangul-capable fonts, readable labels."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from core import plots

LABELS = ["기쁨", "당황", "분노", "불안", "상처", "슬픔"]


def font_of(fig: go.Figure) -> str:
    return fig.layout.font.family


def test_every_builder_sets_a_cjk_font_and_serialises():
    figures = [
        plots.class_distribution(dict(zip(LABELS, [10, 20, 30, 40, 50, 60]))),
        plots.length_histogram([3, 5, 5, 8, 13]),
        plots.piece_frequencies([("▁너무", 40), ("▁화가", 12)]),
        plots.training_curves([{"step": 5, "train_loss": 1.7, "train_acc": 0.2}],
                              [{"epoch": 1, "val_loss": 1.6, "val_acc": 0.3}], steps_per_epoch=10),
        plots.runs_overlay([("#1 attention", [{"epoch": 1, "val_acc": 0.3, "val_loss": 1.6}])]),
        plots.probability_bar(dict(zip(LABELS, [0.5, 0.1, 0.1, 0.1, 0.1, 0.1])), "기쁨"),
        plots.confusion_matrix(np.eye(6, dtype=int).tolist(), LABELS),
        plots.attention_heatmap(["▁너무", "▁화", "가", "▁나"], [0.1, 0.5, 0.3, 0.1]),
        plots.layer_flow([("embedding", "(1, 4, 16)"), ("BiLSTM", "(1, 4, 32)")]),
        plots.matrix_heatmap(np.zeros((4, 3)), ["▁너무", "▁화", "가", "▁나"]),
        plots.vector_bar([0.1, 0.9], ["a", "b"], highlight=1),
    ]
    for fig in figures:
        assert isinstance(fig, go.Figure)
        assert "Noto Sans CJK KR" in font_of(fig)
        json.loads(fig.to_json())  # what st.plotly_chart sends to the browser


def test_class_distribution_keeps_korean_labels_and_counts():
    fig = plots.class_distribution({"긍정": 10, "부정": 50})
    bar = fig.data[0]
    assert list(bar.x) == ["긍정", "부정"]
    assert list(bar.y) == [10, 50]
    assert bar.text[1] == "50 (83%)"


def test_confusion_matrix_is_row_normalised_and_annotated():
    matrix = [[8, 2], [1, 9]]
    fig = plots.confusion_matrix(matrix, ["긍정", "부정"], x_title="예측", y_title="정답")
    heat = fig.data[0]
    np.testing.assert_allclose(heat.z, [[0.8, 0.2], [0.1, 0.9]])
    assert heat.text[0][0] == "8<br>80%"
    assert list(heat.x) == list(heat.y) == ["긍정", "부정"]
    assert fig.layout.yaxis.autorange == "reversed"  # true classes read top to bottom in label order
    assert fig.layout.xaxis.title.text == "예측"


def test_confusion_matrix_with_many_classes_hides_cell_text_but_keeps_hover():
    names = [f"감정{i}" for i in range(58)]
    fig = plots.confusion_matrix(np.eye(58, dtype=int).tolist(), names)
    assert fig.data[0].text is None
    assert "%{customdata" in fig.data[0].hovertemplate
    assert fig.layout.height <= 1400


def test_attention_heatmap_wraps_long_sentences_and_keeps_exact_weights():
    tokens = [f"▁조각{i}" for i in range(30)]
    weights = list(np.linspace(0.01, 0.05, 30))
    fig = plots.attention_heatmap(tokens, weights, per_row=14)
    assert np.asarray(plots.attention_heatmap(tokens[:4], weights[:4]).data[0].z).shape == (1, 4)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (3, 14)  # 30 pieces → 3 rows
    assert z[0, 0] == pytest.approx(weights[0])
    assert np.isnan(z[2, 13])
    assert fig.data[0].text[0][0] == "·조각0"  # word start marked, ▁ dropped
    assert "%{z:.4f}" in fig.data[0].hovertemplate


def test_training_curves_put_steps_on_a_fractional_epoch_axis():
    steps = [{"step": s, "train_loss": 2 - s / 10, "train_acc": s / 20} for s in (5, 10, 15)]
    epochs = [{"epoch": 1, "val_loss": 1.2, "val_acc": 0.5}]
    fig = plots.training_curves(steps, epochs, steps_per_epoch=10, n_epochs=2)
    assert len(fig.data) == 4  # train + validation, for loss and for accuracy
    assert list(fig.data[0].x) == [0.5, 1.0, 1.5]
    assert list(fig.data[1].x) == [1]
    assert [trace.showlegend for trace in fig.data] == [True, True, False, False]


def test_loss_curves_show_loss_and_perplexity():
    steps = [{"step": 5, "train_loss": 3.0}, {"step": 10, "train_loss": 2.0}]
    epochs = [{"epoch": 1, "val_loss": 2.5}]
    fig = plots.training_curves(steps, epochs, steps_per_epoch=10, second="perplexity")
    assert len(fig.data) == 4 and fig.data[3].y[0] == pytest.approx(math.exp(2.5))


def test_runs_overlay_draws_one_line_per_run_in_each_panel():
    epochs = [{"epoch": e, "val_acc": 0.3 + e / 10, "val_loss": 1.5 - e / 10} for e in (1, 2, 3)]
    fig = plots.runs_overlay([("#1 attention", epochs), ("#2 mean", epochs), ("#3 last", epochs)])
    assert [trace.name for trace in fig.data] == ["#1 attention"] * 2 + ["#2 mean"] * 2 + ["#3 last"] * 2
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color


def test_probability_bar_highlights_the_prediction():
    fig = plots.probability_bar({"긍정": 0.8, "부정": 0.2}, "긍정")
    bar = fig.data[0]
    colors = dict(zip(bar.y, bar.marker.color))
    assert colors["긍정"] == plots.ACCENT and colors["부정"] != plots.ACCENT


def test_token_labels_keep_repeated_pieces_apart():
    assert plots.token_labels(["▁너무", "▁너무", "가"]) == ["1. 너무", "2. 너무", "3. 가"]


def test_confusion_matrix_turns_its_labels_only_when_they_would_overlap():
    fig = plots.confusion_matrix(np.eye(6, dtype=int).tolist(), [f"{name} (embarrassment)" for name in LABELS])
    assert fig.layout.xaxis.tickangle is None and 0 in fig.layout.xaxis.autotickangles  # unset: "auto"
    assert -45 in fig.layout.xaxis.autotickangles  # the browser picks the first angle at which none overlap


def test_the_median_label_sits_above_the_bars():
    fig = plots.length_histogram([3, 5, 5, 5, 5, 8, 13], median_label="median")
    label = fig.layout.annotations[0]
    assert label.text == "median 5" and label.y >= 1 and label.yanchor == "bottom"  # over the plot area, not in it
    assert fig.layout.margin.t >= 30  # with room for it


def test_a_later_run_with_the_same_first_epochs_leaves_the_earlier_one_visible():
    epochs = [{"epoch": e, "val_acc": 0.3 + e / 10, "val_loss": 1.5 - e / 10} for e in (1, 2, 3, 4)]
    fig = plots.runs_overlay([("#1 attention", epochs), ("#2 attention", epochs[:2])], stopped={"#2 attention"})
    first, second = fig.data[0], fig.data[2]
    assert first.line.width > second.line.width and first.marker.size > second.marker.size  # drawn under, wider
    assert second.line.dash == "dash" and first.line.dash == "solid"  # the stopped one


def test_a_piece_that_is_only_a_space_shows_as_a_space_mark():
    assert plots.attention_heatmap(["▁", "鬱", "▁나"], [0.2, 0.5, 0.3]).data[0].text[0] == ["␣", "鬱", "·나"]
    assert plots.piece_frequencies([("▁", 9), ("▁너무", 4)]).data[0].y[-1] == "␣ "
    assert plots.token_labels(["▁", "가"]) == ["1. ␣", "2. 가"]


def test_attribution_cells_show_small_values_and_no_negative_zero():
    from core.explain.plots import attribution_rows

    scores = {"attention": [0.05, 0.9, 0.05], "grad_input": [0.0244, -0.0002, -0.0105]}
    fig = attribution_rows(["▁오늘", "▁화", "가"], scores, {"attention": "α", "grad_input": "g×x"})
    attention, gradient = fig.data[0].text
    assert attention == ["0.05", "0.90", "0.05"]
    assert gradient == ["0.024", "0.000", "-0.011"]  # not 0.02 / -0.00 / -0.01 on cells coloured by the real values
    z = np.asarray(fig.data[0].z, dtype=float)
    assert abs(z[1, 1]) < 0.02 and z[1, 0] == pytest.approx(1.0)  # near zero is pale, the row's largest full
    noise = attribution_rows(["a", "b"], {"m": [1e-9, -1e-9]}, {"m": "m"})
    assert np.abs(np.asarray(noise.data[0].z, dtype=float)).max() < 0.01  # noise is not scaled up to full colour


def test_summary_bars_leave_room_for_their_numbers():
    from core.explain.plots import summary_bars

    fig = summary_bars({"attention": -0.022, "grad_input": 0.153}, {"attention": "α", "grad_input": "g×x"})
    low, high = fig.layout.xaxis.range
    assert low < -0.022 - 0.03 and high > 0.153 + 0.03 and fig.data[0].cliponaxis is False
