"""The teacher's view: the admin password gate, then a fragment that redraws the class (core/jobs/classroom.py) and
the board, each entry with its own delete button, every few seconds without blocking the page."""

from __future__ import annotations

import streamlit as st

from core import jobs
from core.config import TASKS
from core.jobs import Owner
from core.jobs.classroom import ClassSnapshot, SessionJob, class_snapshot
from core.storage import board
from ui import state
from ui.errors import guarded
from ui.i18n import labels_for, t
from ui.widgets import duration, show_error

# Seconds between two redraws: a student's running job is polled every 2 s (ui/training.py); the teacher's one tab
# reading every job and the board a little less often costs the server little and still looks live.
POLL_S = 3.0
JOB_NAMES = ("classifier", "tokenizer", "evaluate", "explain", "seq2seq", "curve", "predict_file")  # each JOB_NAME
SESSION_COLUMNS = ("who", "job", "progress", "best", "time")
SESSION_WIDTHS = (2, 2, 4, 1.5, 1)
ENTRY_COLUMNS = ("nickname", "task", "corpus", "accuracy")
ENTRY_WIDTHS = (2, 1.5, 2.5, 1.5, 1)  # and the delete button
NOTICE_KEY = "teacher_notice"  # "deleted", or the refusal, left by a delete button's callback for the next redraw


def unlocked() -> bool:
    """The password this session unlocked the view with is still the server's (it may have changed since)."""
    password = state.teacher_password.get()
    return password is not None and board.check_password(password)


def password_form() -> None:
    """The password box; a right password unlocks the view for this browser session only."""
    with st.form("teacher_unlock"):
        password = st.text_input(t("board.password"), type="password")
        if not st.form_submit_button(t("teacher.unlock"), icon=":material/lock_open:"):
            return
    try:
        right = board.admit(password, client=state.session_id())
    except board.BoardRefusal as refusal:
        show_error(refusal)
        return
    if not right:
        st.error(t("board.wrong_password"))
        return
    state.teacher_password.set(password)
    st.rerun()


def live_view() -> None:
    if st.button(t("teacher.lock"), icon=":material/lock:"):
        state.teacher_password.set(None)
        st.rerun()
    _class()


@st.fragment(run_every=POLL_S)
@guarded  # a fragment's own reruns don't pass through app.py's error boundary
def _class() -> None:
    if not unlocked():  # locked by a delete the server refused: the whole page shows the password box again
        st.rerun(scope="app")
    snapshot, entries = class_snapshot(jobs.executor()), board.entries()
    running, queued, posted = st.columns(3)
    running.metric(t("teacher.running"), snapshot.running)
    queued.metric(t("teacher.queued"), snapshot.queued)
    posted.metric(t("teacher.entries"), len(entries))
    st.subheader(t("teacher.sessions"))
    _sessions(snapshot)
    st.subheader(t("teacher.board"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice == "deleted":
        st.success(t("teacher.deleted"))
    elif notice is not None:
        show_error(notice)
    _entries(entries)


def _sessions(snapshot: ClassSnapshot) -> None:
    if not snapshot.jobs:
        st.caption(t("teacher.no_jobs"))
        return
    _header(SESSION_WIDTHS, labels_for("teacher.col", SESSION_COLUMNS), SESSION_COLUMNS)
    job_label = labels_for("teacher.job", JOB_NAMES)
    for row in snapshot.jobs:
        who, job, progress, best, elapsed = st.columns(SESSION_WIDTHS, vertical_alignment="center")
        who.text(who_is(row.owner))  # a nickname is a user's text: never Markdown
        job.text(job_label(row.name) if row.name in JOB_NAMES else row.name)
        progress.progress(row.progress.share or 0.0, text=progress_line(row))
        best.text("—" if row.progress.best_val_acc is None else f"{row.progress.best_val_acc:.3f}")
        elapsed.text(duration(row.elapsed_s))


def who_is(owner: Owner | None) -> str:
    if owner is None:
        return t("teacher.no_owner")
    return owner.nickname or t("teacher.anonymous", label=owner.label)


def progress_line(row: SessionJob) -> str:
    """Our own words and numbers only: a progress bar's text is Markdown."""
    share, epoch = row.progress.share, row.progress.epoch
    if row.state == "queued":
        return t("teacher.waiting", ahead=row.ahead)
    if epoch is not None and row.progress.epochs:
        return t("teacher.epoch", epoch=epoch, epochs=row.progress.epochs, percent=f"{share or 0:.0%}")
    return t("teacher.starting") if share is None else f"{share:.0%}"


def _entries(entries: list[board.BoardEntry]) -> None:
    if not entries:
        st.caption(t("board.empty"))
        return
    _header(ENTRY_WIDTHS, labels_for("board.col", ENTRY_COLUMNS), ENTRY_COLUMNS)
    for entry in entries:
        nickname, task, corpus, accuracy, delete = st.columns(ENTRY_WIDTHS, vertical_alignment="center")
        nickname.text(entry.nickname)
        task.text(t(f"task.{entry.task}") if entry.task in TASKS else entry.task)
        corpus.text(entry.corpus_name)
        accuracy.text("—" if entry.val_accuracy is None else f"{entry.val_accuracy:.3f}")
        # A callback deletes before the fragment redraws, so the list drawn after the click no longer has it.
        delete.button(t("teacher.delete"), key=f"teacher_delete_{entry.id}", icon=":material/delete:",
                      on_click=_delete, args=(entry.id,))


def _header(widths: tuple, label, columns: tuple[str, ...]) -> None:
    for cell, name in zip(st.columns(widths), columns):
        cell.caption(label(name))


def _delete(entry_id: int) -> None:
    """Delete with the password that unlocked the view, throttled like any other admin password."""
    try:
        if board.delete_entry(entry_id, state.teacher_password.get() or "", client=state.session_id()):
            st.session_state[NOTICE_KEY] = "deleted"
            return
    except board.BoardRefusal as refusal:
        st.session_state[NOTICE_KEY] = refusal
        return
    state.teacher_password.set(None)  # the server's password changed since: ask for it again
