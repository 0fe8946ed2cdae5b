"""AppTest: the workspace in the URL brings a session's work back; share links fill the Train page; the board.

The workspace is filled the way a training job fills it (core.classifier.runs.keep, which the job runs
in its worker process), then opened by new app sessions with and without its token.
"""

from __future__ import annotations

import io

import pytest

from core.classifier.runs import keep
from core.config import TrainConfig
from core.storage import board
from core.storage.workspace import create_workspace
from tests.app.test_app import click, ko, new_app, open_page, through_app  # noqa: F401
from tests.conftest import old_frame, tiny_rows
from ui.i18n import plain


@pytest.fixture(autouse=True, scope="module")
def data_home(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("attention_lab_home")
        patch.setenv("ATTENTION_LAB_HOME", str(home))
        patch.delenv(board.PASSWORD_ENV, raising=False)
        yield home


@pytest.fixture(scope="module")
def saved(data_home, trained_classifier):
    """(token, outcome): a workspace holding the tiny corpus and one trained run, made active by the job's save."""
    _, outcome = trained_classifier
    buffer = io.BytesIO()
    old_frame(tiny_rows(20)).to_excel(buffer, index=False, engine="openpyxl")
    workspace = create_workspace()
    workspace.save_corpus("tiny.xlsx", buffer.getvalue(), "emotion6", "first")
    keep([outcome], 1, workspace)
    return workspace.token, outcome


def reopen(token: str | None):
    at = new_app()
    if token:
        at.query_params["w"] = token
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_new_session_gets_a_workspace_token_in_the_url():
    at = reopen(None)
    token = at.query_params["w"]
    assert len(token) >= 32 and at.session_state["workspace"].token == token


def test_the_same_token_brings_back_corpus_runs_and_active_model(saved):
    token, outcome = saved
    at = reopen(token)
    assert at.query_params["w"] == token
    assert at.session_state["corpus"].source_name == "tiny.xlsx" and len(at.session_state["dataset"].texts) == 120
    runs = at.session_state["runs"]
    assert [r.name for r in runs] == ["#1 attention"] and runs[0].epochs and runs[0].steps
    active = at.session_state["model"]
    assert active.source == "#1 attention" and active.val_texts == outcome.val_texts()
    sentence = ["오늘 집에서 친구가 그래서 너무 화가 나"]
    assert active.classifier.predict(sentence)[0].probabilities == outcome.classifier.predict(sentence)[0].probabilities
    at = open_page(at, "train")
    assert at.dataframe, "the run history table is shown"
    assert at.get("plotly_chart"), "the run curves are shown"
    assert ko("side.model", name=plain("#1 어텐션")) in at.sidebar.markdown[0].value


def test_using_a_reloaded_run_loads_its_model_and_keeps_the_choice(saved):
    token, _ = saved
    at = reopen(token)
    del at.session_state["model"]
    at = open_page(at, "train")
    click(at, ko("train.use"))
    assert at.session_state["model"].classifier is not None
    assert reopen(token).session_state["model"].source == "#1 attention"


def test_without_the_token_nothing_of_it_shows(saved):
    token, _ = saved
    at = reopen(None)
    assert at.query_params["w"] != token
    assert not at.session_state["runs"] and at.session_state["corpus"].source_name == "sample_corpus.xlsx"
    assert "model" not in at.session_state or at.session_state["model"] is None
    wrong = reopen("not-a-real-token-but-long-enough-xxxxxx")
    assert ko("ws.missing") in [e.value for e in wrong.error] and "workspace" not in wrong.session_state


def test_a_share_link_fills_the_train_page_and_notes_what_it_ignored():
    at = new_app()
    at.query_params.update({"emb": "32", "pooling": "mean", "epochs": "9999", "<script>alert(1)</script>": "1"})
    at.run()
    assert not at.exception
    state = at.session_state
    assert (state["w_emb"], state["w_pooling"], state["w_epochs"]) == (32, "mean", TrainConfig.epochs)
    notes = [e.value for e in at.sidebar.text]
    assert len(notes) == 2 and not any("<" in n for n in notes)
    assert set(at.query_params) == {"w"}, "the link's values are read once, then leave the URL"
    assert "emb=32" in at.sidebar.code[0].value and "w=" not in at.sidebar.code[0].value
    open_page(at, "train")
    assert at.selectbox(key="w_emb").value == 32


def test_board_publish_list_and_try(saved):
    at = open_page(reopen(saved[0]), "board")
    at.text_input[0].input("<b>민지</b>")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    table = at.table[0].value  # text_table: every cell escaped for Markdown, so shown as typed
    assert table.iloc[0, 0] == plain("<b>민지</b>") and plain("tiny.xlsx") in table.iloc[0, 4]  # with task, size, time
    assert ko("board.no_password") in [c.value for c in at.caption]
    at.session_state["w_emb"] = 64
    click(at, ko("board.try"))
    assert at.session_state["w_emb"] == 16  # the tiny run's embedding size
    assert at.title[0].value == ko("train.title")


def test_delete_asks_first_then_removes_the_workspace(data_home):
    at = reopen(None)
    token, folder = at.query_params["w"], at.session_state["workspace"].folder
    click(at, ko("ws.delete"))
    assert ko("ws.confirm") in [w.value for w in at.sidebar.warning]
    click(at, ko("ws.yes_delete"))
    assert at.query_params["w"] != token and not folder.exists()
    again = reopen(token)  # a deleted workspace's address says so, and offers a new one
    assert ko("ws.missing") in [e.value for e in again.error] and again.query_params["w"] == token
