"""AppTest, issue 23 (hostile inputs) in the app: an unexpected error is one line with an id, never a traceback;
file and label names are text wherever Markdown is rendered; hostile bundles uploaded on the Model page get one
line each; a stored item that no longer loads says so and can be deleted; the board's throttles answer in one line;
no server path in the sidebar; no "0:00" wait for a queued job.
"""

from __future__ import annotations

import logging
import re

import pytest

from core.classifier.runs import keep
from core.storage import board
from core.storage.workspace import create_workspace
from tests.app.test_app import click, ko, new_app, open_page, through_app  # noqa: F401  (fixture)
from tests.english import english_in_error
from tests.training.test_bundle_hostile import HOSTILE, good, tokenizer, with_meta  # noqa: F401  (fixtures)
from ui import errors
from ui.i18n import STRINGS, plain
from ui.widgets import queue_wait

ZIP = "application/zip"
ADDRESS = "http://127.0.0.1:9"  # nothing listens there; the browser test listens and counts requests
HOSTILE_FILE = f"![fn]({ADDRESS}/fn.png) x.zip"
HOSTILE_LABELS = [f"![x]({ADDRESS}/label.png)", f"<img src={ADDRESS}/l.png>", "**bold** _i_", ":red[red] :smile: $x^2$",
                  f"[link]({ADDRESS}/)", "<script>alert(1)</script>"]
# Elements whose text Streamlit renders as Markdown.
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success")


def rendered_markdown(at) -> list[str]:
    texts = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in at.get(kind)]
    return texts + [str(m.value) for m in at.metric] + [str(m.label) for m in at.metric]


def assert_no_live_markup(at) -> None:
    """With every backslash escape taken out, no Markdown image or link and no HTML tag is left to render."""
    for text in rendered_markdown(at):
        bare = re.sub(r"\\.", "", text)
        assert not re.search(r"!\[|\]\(|<[a-z/]|\*\*bold|:red\[|\$x", bare), text


def prefix(key: str) -> str:
    """The Korean string up to its first placeholder."""
    return STRINGS[key][0].split("{")[0]


def lines(at, key: str) -> list[str]:
    """The error lines of `key` (escaped as every error line is: it may quote a file name)."""
    return [e.value for e in at.error if e.value.startswith(plain(prefix(key)))]


@pytest.fixture(scope="module")
def hostile_bundle(trained_classifier) -> bytes:
    """The tiny trained classifier, its six label names Markdown and HTML payloads."""
    _, outcome = trained_classifier
    return with_meta(outcome.classifier.to_bytes(), label_names=HOSTILE_LABELS)


def test_an_unexpected_error_in_a_page_is_one_line_with_the_id_the_log_carries(monkeypatch, caplog):
    from core import plots

    def broken(*args, **kwargs):
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(plots, "class_distribution", broken)
    with caplog.at_level(logging.ERROR, logger="ui.errors"):
        at = new_app().run()
    caught, errors.CAUGHT[:] = list(errors.CAUGHT), []  # expected here: the conftest check passes
    assert not at.exception and len(caught) == 1 and "RuntimeError: a bug deep inside" in caught[0]
    error_id = caught[0].split()[0]
    assert [e.value for e in at.error] == [ko("unexpected", id=error_id)]
    assert at.sidebar.markdown, "the sidebar, drawn before the page, is still there"
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert record.exc_info and "a bug deep inside" in caplog.text and "Traceback" in caplog.text


def test_a_fragment_error_is_one_line_and_streamlits_own_stop_passes_through():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.errors import error_boundary, guarded

        @st.fragment
        @guarded
        def part():
            raise KeyError("fragment bug")

        part()
        st.markdown("after the fragment")
        with error_boundary("stop"):
            st.stop()
        st.markdown("never drawn")

    at = AppTest.from_function(script).run()
    caught, errors.CAUGHT[:] = list(errors.CAUGHT), []
    assert not at.exception and len(caught) == 1 and "KeyError" in caught[0]
    assert len(at.error) == 1 and at.error[0].value == ko("unexpected", id=caught[0].split()[0])
    assert [m.value for m in at.markdown] == ["after the fragment"], "st.stop still stops"


def test_hostile_file_and_label_names_are_text_on_every_page(hostile_bundle):
    at = open_page(new_app().run(), "model")
    at.file_uploader(key="model_upload").upload(HOSTILE_FILE, hostile_bundle, ZIP)
    at.run()
    assert not at.exception and not at.error
    assert ko("model.active", name=plain(HOSTILE_FILE)) in [s.value for s in at.subheader]
    assert ko("model.labels", labels=", ".join(map(plain, HOSTILE_LABELS))) in [c.value for c in at.caption]
    assert any(plain(HOSTILE_FILE) in m.value for m in at.sidebar.markdown)
    assert_no_live_markup(at)
    click(open_page(at, "predict"), ko("predict.run"))
    assert at.metric[0].value in [plain(label) for label in HOSTILE_LABELS]
    assert_no_live_markup(at)
    for page in ("inside", "explain", "evaluate"):
        assert_no_live_markup(open_page(at, page))


def test_each_hostile_bundle_on_the_model_page_gets_one_line(good):  # noqa: F811
    at = open_page(new_app().run(), "model")
    for case in HOSTILE:
        name = f"![b]({ADDRESS}/b.png) {case}.zip"
        at.file_uploader(key="model_upload").upload(name, HOSTILE[case][0](good), ZIP)
        at.run()
        assert not at.exception, case
        assert len(at.error) == 1, (case, [e.value for e in at.error])
        message = at.error[0].value
        assert "\n" not in message and ".cc" not in message and "Traceback" not in message, message
        assert not english_in_error(message, plain(name)), (case, message)  # the Korean line, in Korean
        assert_no_live_markup(at)
        assert "model" not in at.session_state or at.session_state["model"] is None


def test_a_stored_item_that_no_longer_loads_says_so_once_and_can_be_deleted():
    workspace = create_workspace()
    workspace.save_corpus("sample_corpus.xlsx", None, "emotion6", "all")
    workspace.save_tokenizer(b"not a SentencePiece model", {})
    workspace.set_active_bundle(b"not a bundle", "old.zip")
    at = new_app()
    at.query_params["w"] = workspace.token
    at.run()
    assert not at.exception
    broken = [e.value for e in at.sidebar.error]
    assert [line.split(" (")[0] for line in broken] == [
        prefix("ws.broken") + f"{ko('ws.item.tokenizer')}을(를) 불러오지 못했습니다",
        prefix("ws.broken") + f"{ko('ws.item.model')}을(를) 불러오지 못했습니다"]
    assert at.session_state["corpus"].source_name == "sample_corpus.xlsx", "the rest still loads"
    open_page(at, "data")
    assert [e.value for e in at.sidebar.error] == broken, "the same lines, not one more per page"
    click(at, ko("ws.delete_broken", item=ko("ws.item.model")))
    click(at, ko("ws.delete_broken", item=ko("ws.item.tokenizer")))
    assert not at.sidebar.error
    assert workspace.active_model() is None and workspace.tokenizer() is None and workspace.corpus() is not None


def test_the_sidebar_names_no_server_folder(attention_lab_home):
    at = new_app().run()
    shown = " ".join(c.value for c in at.sidebar.caption)
    assert ko("side.refresh") in shown and str(attention_lab_home) not in shown and "attention_lab" not in shown


@pytest.fixture
def board_session(trained_classifier, monkeypatch):
    """A session whose workspace holds one finished run, on a board with a password and a stopped clock."""
    _, outcome = trained_classifier
    workspace = create_workspace()
    keep([outcome], 1, workspace)
    monkeypatch.setenv(board.PASSWORD_ENV, "teacher")
    monkeypatch.setattr(board, "ADMIN_GATE", board.PasswordGate(clock=lambda: 1000.0))
    at = new_app()
    at.query_params["w"] = workspace.token
    return open_page(at.run(), "board")


def publish(at, nickname: str):
    at.text_input[0].input(nickname)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    return at


def test_publishing_twice_in_a_row_is_refused_in_one_line(board_session):
    at = publish(board_session, "민지")
    assert ko("board.posted") in [s.value for s in at.success]
    at = publish(at, "민지")
    assert len(at.error) == 1 and lines(at, "error.board_cooldown") == [at.error[0].value]
    seconds = int(re.search(r"(\d+)초", at.error[0].value).group(1))
    assert 25 <= seconds <= 30
    assert len(board.entries()) >= 1 and [e.nickname for e in board.entries()].count("민지") == 1


def test_a_nickname_over_the_limit_says_it_is_too_long(board_session):
    at = publish(board_session, "가" * 31)
    assert [e.value for e in at.error] == [plain(ko("error.board_nickname_long", length=31, limit=board.MAX_NICKNAME))]


def test_a_burst_of_wrong_admin_passwords_is_refused_in_one_line_each(board_session):
    at = board_session
    at.text_input(key="board_password").input("wrong")
    answers = []
    for _ in range(25):
        click(at, ko("board.clear"))
        answers.append([e.value for e in at.error])
    assert answers[0] == [ko("board.wrong_password")]
    assert all(a == [plain(ko("error.board_wait", seconds=1))] for a in answers[1:]), answers[:3]
    at.text_input(key="board_password").input("teacher")
    click(at, ko("board.clear"))
    assert at.error[0].value == plain(ko("error.board_wait", seconds=1)), "even the right password waits its turn"


def test_a_queued_job_shows_no_wait_it_cannot_estimate():
    assert queue_wait(None) == "" and queue_wait(0.0) == "" and queue_wait(3.9) == ""
    assert queue_wait(80) == ko("queue.wait", time="1:20")
