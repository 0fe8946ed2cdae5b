"""AppTest: the teacher's view is off without the admin password and a password box until the password is right;
then every session's job (nickname, or an anonymous label; epoch of n; best accuracy) and the board, whose entries
are deleted one by one. A session's nickname, set in the sidebar, goes with the jobs it starts."""

from __future__ import annotations

import pytest

from core.jobs import Owner, start_job
from core.jobs.classroom import owner_label
from core.storage import board
from core.training.loop import TrainEvent
from tests.app.test_app import click, ko, new_app, open_page, through_app  # noqa: F401
from tests.jobs.test_jobs import wait_until
from tests.storage.test_board import FakeClock, a_run

PASSWORD = "teacher-pw"


def epoch_then_wait(callback, stop):
    """A job (in a worker process) that has trained 2 of 5 epochs, 0.75 validation accuracy, until stopped."""
    callback(TrainEvent("epoch", 2, 20, 50, 0.9, 0.6, 0.8, 0.75, epochs=5))
    stop.wait(60)


@pytest.fixture(autouse=True)
def teacher_server(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(board.PASSWORD_ENV, PASSWORD)
    monkeypatch.setattr(board, "ADMIN_GATE", board.PasswordGate(clock=FakeClock()))


def unlock(at, password: str = PASSWORD):
    at.main.text_input[0].input(password)
    at.main.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_without_the_password_set_the_view_is_off_in_one_line(monkeypatch):
    monkeypatch.delenv(board.PASSWORD_ENV)
    at = open_page(new_app().run(), "teacher")
    assert [i.value for i in at.main.info] == [ko("teacher.off")]
    assert len(at.main.text_input) == 0 and len(at.main.metric) == 0


def test_a_wrong_password_shows_nothing_and_the_right_one_unlocks_this_session_only():
    at = open_page(new_app().run(), "teacher")
    assert len(at.main.text_input) == 1 and len(at.main.metric) == 0
    unlock(at, "guess")
    assert [e.value for e in at.main.error] == [ko("board.wrong_password")] and len(at.main.metric) == 0
    board.ADMIN_GATE.clock.now += 1  # the wait after one wrong password
    unlock(at)
    assert [m.label for m in at.main.metric] == [ko("teacher.running"), ko("teacher.queued"), ko("teacher.entries")]
    assert len(at.main.text_input) == 0
    other = open_page(new_app().run(), "teacher")
    assert len(other.main.text_input) == 1 and len(other.main.metric) == 0, "unlocked in that session only"
    click(at, ko("teacher.lock"))
    assert len(at.main.text_input) == 1 and len(at.main.metric) == 0


def test_the_class_shows_each_sessions_job_and_entries_are_deleted_one_by_one():
    for i, nickname in enumerate(("서연", "<b>Jun</b>")):
        board.publish(a_run(0.8 + i / 10), nickname, "c", 1, publisher=f"p{i}")
    owners = [Owner("a1b2c3", "**민지**"), Owner("d4e5f6")]
    running = [start_job(None, epoch_then_wait, name="classifier", owner=owner) for owner in owners]
    try:
        wait_until(lambda: all(job.snapshot().events for job in running))
        at = unlock(open_page(new_app().run(), "teacher"))
        shown = [e.value for e in at.main.text]
        assert "**민지**" in shown and ko("teacher.anonymous", label="d4e5f6") in shown  # a nickname as typed
        assert shown.count(ko("teacher.job.classifier")) == 2 and shown.count("0.750") == 2
        lines = [p.text for p in at.main.progress]
        assert lines.count(ko("teacher.epoch", epoch=2, epochs=5, percent="40%")) == 2
        assert {m.label: m.value for m in at.main.metric}[ko("teacher.running")] == "2"
        assert "<b>Jun</b>" in shown and "서연" in shown
        jun = next(e for e in board.entries() if e.nickname == "<b>Jun</b>")
        at.button(key=f"teacher_delete_{jun.id}").click().run()
        assert [e.nickname for e in board.entries()] == ["서연"]
        assert [s.value for s in at.main.success] == [ko("teacher.deleted")]
        assert "<b>Jun</b>" not in [e.value for e in at.main.text]
    finally:
        for job in running:
            job.request_stop()
            job.join(30)


def test_a_nickname_set_in_the_sidebar_is_kept_and_named_on_the_sessions_jobs():
    at = new_app().run()
    at.sidebar.text_input[0].input("민지")
    at.sidebar.button[0].click().run()  # the nickname form's submit button
    assert not at.exception, [e.value for e in at.exception]
    workspace = at.session_state["workspace"]
    assert workspace.nickname() == "민지"
    open_page(at, "tokenizer")
    click(at, ko("tok.train"))
    job = at.session_state["tokenizer_job"]
    assert job.owner == Owner(owner_label(workspace.token), "민지")
    job.join(120)


def test_renaming_the_session_renames_its_running_job():
    at = new_app().run()
    waiting = start_job(None, epoch_then_wait, name="classifier", owner=Owner("a1b2c3"))
    try:
        at.session_state["job"] = waiting  # as the Train page keeps it
        at.sidebar.text_input[0].input("Jun")
        at.sidebar.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert waiting.owner.nickname == "Jun"
    finally:
        waiting.request_stop()
        waiting.join(30)
