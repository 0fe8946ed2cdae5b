"""The learning curve: nested training subsets, one validation set, the baseline fitted on each point's rows."""

from __future__ import annotations

import threading

import pytest

from core.classifier import pipeline
from core.classifier.curve import READINGS, CurvePoint, learning_curve, nested_subsets, read_curve
from core.config import ModelConfig, TokenizerConfig, TrainConfig

TINY = (ModelConfig(emb_dim=16, hidden_dim=16, fc_dim=16), TrainConfig(epochs=1, batch_size=16),
        TokenizerConfig(vocab_size=150))


@pytest.fixture(scope="module")
def fitted_rows():
    return []


@pytest.fixture(scope="module")
def curve(tiny_dataset, fitted_rows):
    """The curve on the tiny corpus, with every baseline fit recorded (texts it was fitted on)."""
    original = pipeline.train_baseline

    def spy(texts, labels, label_names, *args, **kwargs):
        fitted_rows.append(list(texts))
        return original(texts, labels, label_names, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "train_baseline", spy)
        events = []
        result = learning_curve(tiny_dataset, *TINY, callback=events.append)
    return result, events


def test_sizes_grow_with_the_fractions_and_the_subsets_are_nested(curve, tiny_dataset):
    result, _ = curve
    assert [p.fraction for p in result.points] == [0.1, 0.25, 0.5, 1.0]
    sizes = [p.train_rows for p in result.points]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    for smaller, larger in zip(result.points, result.points[1:]):
        assert set(smaller.train_index) < set(larger.train_index)
    assert not set(result.points[-1].train_index) & set(result.val_index)  # no dialogue on both sides
    full_train = pipeline.prepare(tiny_dataset, TINY[1], tokenizer_config=TINY[2]).train_index
    assert sorted(result.points[-1].train_index) == sorted(full_train)  # 100% is the whole training split


def test_every_point_is_scored_on_the_same_validation_rows_and_each_baseline_on_its_own_rows(curve, tiny_dataset,
                                                                                             fitted_rows):
    result, events = curve
    assert result.val_index and not result.stopped
    assert len(fitted_rows) == len(result.points)
    for point, texts in zip(result.points, fitted_rows):
        assert texts == [tiny_dataset.texts[i] for i in point.train_index]
        assert 0 <= point.model_accuracy <= 1 and 0 <= point.baseline_accuracy <= 1
    assert {e.index for e in events} == {0, 1, 2, 3}
    assert all(e.train_rows == result.points[e.index].train_rows for e in events)
    assert result.to_json()["val_rows"] == len(result.val_index)


def test_nested_subsets_keep_whole_dialogues():
    groups = [0, 0, 1, 1, 2, 3, 4, 5, 6, 7]
    subsets = nested_subsets(groups, list(range(10)), [0.25, 0.5, 1.0], seed=3)
    assert [d for d, _ in subsets] == [2, 4, 8]
    for _, rows in subsets:
        chosen = {groups[i] for i in rows}
        assert rows == [i for i in range(10) if groups[i] in chosen]


def test_stop_returns_early(tiny_dataset):
    stop = threading.Event()
    stop.set()
    result = learning_curve(tiny_dataset, *TINY, stop=stop)
    assert result.points == [] and result.stopped


def point(fraction, model, baseline):
    return CurvePoint(fraction, int(100 * fraction), list(range(int(100 * fraction))), model, baseline)


def test_the_reading_says_where_the_model_overtakes():
    overtakes = read_curve([point(0.1, 0.3, 0.5), point(0.5, 0.6, 0.55), point(1.0, 0.7, 0.6)])
    assert overtakes.key == "overtakes" and overtakes.values["percent"] == "50%"
    assert "from 50% of the training dialogues (50 dialogues)" in overtakes.english()
    assert read_curve([point(0.1, 0.6, 0.5), point(1.0, 0.7, 0.6)]).key == "ahead"
    narrows = read_curve([point(0.1, 0.3, 0.5), point(1.0, 0.55, 0.6)])
    assert narrows.key == "narrows" and narrows.values == {"first": "20.0", "last": "5.0"}
    assert read_curve([point(0.1, 0.6, 0.5), point(1.0, 0.55, 0.6)]).key == "behind"
    assert read_curve([point(0.1, 0.6, None)]).key == "no_baseline"


def test_the_english_readings_are_the_apps_english_strings():
    from ui.i18n import STRINGS

    for key, english in READINGS.items():
        assert STRINGS[f"curve.{key}"][1] == english


def test_the_figure_draws_two_lines_against_training_size():
    from core import plots

    figure = plots.learning_curve([50, 125, 250], [0.4, 0.5, 0.6], [0.5, None, 0.55], names=("모델", "기준"))
    assert [trace.name for trace in figure.data] == ["모델", "기준"]
    assert list(figure.data[0].x) == [50, 125, 250] and figure.layout.xaxis.type == "log"
    assert "Noto Sans CJK KR" in figure.layout.font.family
