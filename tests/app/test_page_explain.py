"""AppTest runs of the explanation page: before a model, one sentence's panel, words, the model summary, and the
way in from Predict with the current sentence."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from core.explain.attribution import METHODS, to_words
from core.storage.workspace import Run
from tests.app.test_app import (  # noqa: F401  (fixtures)
    EXAMPLES,
    click,
    finish_job,
    ko,
    new_app,
    open_page,
    sample_slice,
    texts,
    through_app,
    trained,
)
from ui.i18n import STRINGS, plain


@pytest.fixture(scope="module")
def explained(trained):  # noqa: F811
    return open_page(trained, "explain")


def test_page_needs_a_model_first():
    at = open_page(new_app().run(), "explain")
    assert at.title[0].value == ko("explain.title")
    assert ko("needs_model") in texts(at.info)


def test_one_sentence_panel_shows_rows_agreement_curves_and_verdict(explained):
    at = explained
    result = at.session_state["explanation"][1]
    assert result.text == at.text_area(key="w_explain_text").value
    assert set(METHODS) <= set(result.scores)
    assert len(at.get("plotly_chart")) == 3, "attribution rows, τ bars, deletion curves"
    assert len(at.metric) == 3, "permuted, uniform, top weight zeroed"
    verdict = [v for v in texts(at.info) if "τ" in v]
    assert verdict and "leave-one-out" not in verdict[0], "the Korean verdict"
    assert len(at.table[0].value) == 6, "one row per pair of methods"


def shown(source: str) -> str:
    """A model's name as the Korean table's header has it: ui.i18n.model_name, escaped by ui.widgets.text_table."""
    number, _, pooling = source.partition(" ")
    return plain(f"{number} {ko(f'pooling.{pooling}')}" if f"pooling.{pooling}" in STRINGS else source)


def chart_columns(at, index: int = 0) -> int:
    return len(json.loads(at.get("plotly_chart")[index].proto.spec)["data"][0]["x"])


def test_word_switch_sums_pieces_into_words(explained):
    at = explained
    result = at.session_state["explanation"][1]
    assert chart_columns(at) == len(result.tokens)
    at.toggle(key="w_explain_words").set_value(True).run()
    assert not at.exception
    assert chart_columns(at) == len(to_words(result.tokens, result.scores)[0]) < len(result.tokens)
    at.toggle(key="w_explain_words").set_value(False).run()


def test_model_summary_over_the_validation_split(explained):
    at = explained
    at.session_state["w_explain_limit"] = 20
    finish_job(click(at, ko("explain.summarize")), "explain_job")
    name, summary = at.session_state["explain_summary"][1][0]
    assert summary.n == 20 and 0.0 <= summary.uniform_accuracy <= 1.0
    table = at.table[-1].value  # ui.widgets.text_table: a column of measures, then one per model
    assert list(table.columns)[1:] == [shown(name)] and plain(ko("explain.uniform_accuracy")) in set(table.iloc[:, 0])
    assert len(at.get("plotly_chart")) == 4

    again = new_app()  # the workspace's address opened again: a refresh, or after a restart
    again.query_params["w"] = at.query_params["w"]
    again = open_page(again.run(), "explain")
    back = again.session_state["explain_summary"][1]
    assert [(n, s.to_json()) for n, s in back] == [(n, s.to_json()) for n, s in at.session_state["explain_summary"][1]]
    assert again.table[-1].value.equals(table) and not again.exception


def test_summary_also_covers_the_mean_pooling_run(trained):  # noqa: F811
    at = open_page(trained, "explain")
    mean = copy.deepcopy(at.session_state["model"].classifier)
    mean.model.config = replace(mean.model.config, pooling="mean")
    runs = at.session_state["runs"]
    runs.append(Run(len(runs) + 1, "mean", {}, [], [], 1.0, {}, False, 0.0, classifier=mean))
    at.session_state["w_explain_limit"] = 12
    at.run()
    assert at.checkbox[0].label == ko("explain.with_mean", name=f"#{len(runs)} {ko('pooling.mean')}") and at.checkbox[0].value
    finish_job(click(at, ko("explain.summarize")), "explain_job")
    (_, attention), (_, pooled) = at.session_state["explain_summary"][1]
    assert pooled.pooling == "mean" and pooled.uniform_accuracy == pooled.accuracy, "mean pooling is uniform attention"
    assert list(at.table[-1].value.columns)[1:] == [shown(at.session_state["model"].source), shown(f"#{len(runs)} mean")]
    runs.pop()


def test_predict_links_here_with_its_sentence(trained):  # noqa: F811
    at = open_page(trained, "predict")
    at.text_area(key="w_predict_text").set_value(EXAMPLES[3])
    click(at, ko("predict.run"))
    click(at, ko("predict.explain"))
    assert at.title[0].value == ko("explain.title")
    assert at.session_state["explanation"][1].text == EXAMPLES[3]


def test_english_page(trained):  # noqa: F811
    at = open_page(trained, "explain")
    at.toggle(key="w_english").set_value(True).run()
    assert at.title[0].value == STRINGS["explain.title"][1]
    assert any("leave-one-out" in v for v in texts(at.info)), "the English verdict"
    at.toggle(key="w_english").set_value(False).run()
