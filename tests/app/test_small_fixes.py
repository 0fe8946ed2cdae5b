"""AppTest: a wrong ?w= key says so and offers a new workspace; a disk error never shows the server's folder; the
vocabulary box says "auto" while auto is on; the strings that name one option or action name it the same way."""

from __future__ import annotations

import re

import pytest

from core.storage import board
from core.storage.workspace import Workspace
from tests.app.test_app import click, ko, new_app, open_page, through_app  # noqa: F401
from ui.i18n import STRINGS
from ui.widgets import ZERO_WIDTH_SPACE, breakable

WRONG_KEY = "not-a-real-token-but-long-enough-xxxxxx"


@pytest.fixture(autouse=True, scope="module")
def data_home(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTENTION_LAB_HOME", str(tmp_path_factory.mktemp("attention_lab_home")))
        patch.delenv(board.PASSWORD_ENV, raising=False)
        yield


def test_a_wrong_key_says_so_and_waits_for_the_user_to_start_a_new_workspace():
    at = new_app()
    at.query_params["w"] = WRONG_KEY
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [ko("ws.missing")]  # one line
    assert "workspace" not in at.session_state and at.query_params["w"] == WRONG_KEY  # nothing replaced it
    assert not at.title, "no page runs until the user chooses"
    at.run()  # a rerun (any click) keeps asking
    assert [e.value for e in at.error] == [ko("ws.missing")] and "workspace" not in at.session_state
    at.button(key="ws_missing_new").click().run()
    assert not at.exception and not at.error
    token = at.query_params["w"]
    assert token != WRONG_KEY and at.session_state["workspace"].token == token
    assert at.title[0].value == ko("data.title")


def test_a_disk_error_is_one_line_without_the_servers_folder(monkeypatch):
    folder = "/srv/attention_lab/w/7"

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device", f"{folder}/index.sqlite3")

    at = new_app().run()
    monkeypatch.setattr(Workspace, "set_data_config", disk_full)
    at.radio(key="w_task").set_value("binary").run()  # the new task is saved in the workspace
    assert not at.exception
    shown = [e.value for e in at.sidebar.error]
    assert shown == [ko("ws.disk_error")]
    assert folder not in " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.error, *at.warning])


def test_the_vocabulary_box_says_auto_while_auto_is_on():
    at = open_page(new_app().run(), "tokenizer")
    at.session_state["w_vocab_auto"] = True
    at.run()
    assert [b.value for b in at.text_input if b.label == ko("tok.vocab")] == [ko("tok.vocab_auto_value")]
    assert not [n for n in at.number_input if n.label == ko("tok.vocab")], "no stale number beside 'auto'"
    at.toggle(key="w_vocab_auto").set_value(False).run()
    assert [n.value for n in at.number_input if n.label == ko("tok.vocab")] == [at.session_state["w_vocab"]]


@pytest.mark.parametrize("language", [0, 1])
def test_the_overfitting_tip_names_the_data_pages_option_as_it_is_labelled(language):
    quoted = re.findall(r"[‘'](.+?)[’']", STRINGS["overfitting"][language])
    assert quoted and all(STRINGS["text.turns"][language].startswith(name) for name in quoted), quoted


def test_uploading_a_file_has_one_name_throughout():
    korean = " ".join(text for text, _ in STRINGS.values())
    assert "업로드" not in korean  # 올리기, as the upload fields say
    assert STRINGS["explain.source.file"] == STRINGS["eval.source.file"]


def test_long_names_get_invisible_break_points_so_a_table_column_can_wrap():
    name = "감성대화말뭉치(최종데이터)_Training.xlsx"
    broken = breakable(f"6 emotions · {name}")
    assert broken.replace(ZERO_WIDTH_SPACE, "") == f"6 emotions · {name}"  # shown as it was
    assert all(len(run) <= 12 for run in re.split(rf"[\s{ZERO_WIDTH_SPACE}]+", broken))
    assert breakable("short words stay") == "short words stay"
