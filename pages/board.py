"""Class board: publish a finished run under a nickname, compare everyone's settings and scores, try them."""

import pandas as pd
import streamlit as st

from core.errors import AttentionLabError
from core.storage import board
from ui import state
from ui.i18n import labels_for, model_name, settings_line, t
from ui.tables import csv_button
from ui.widgets import page_header, show_error, text_table
from ui.workspace import apply_settings

COLUMNS = ("nickname", "task", "corpus", "rows", "accuracy", "macro_f1", "baseline", "time", "settings")
SORTABLE = ("accuracy", "macro_f1", "baseline", "time", "nickname")
SHOWN = ("nickname", "accuracy", "macro_f1", "baseline", "run", "settings")  # the page's columns (the CSV has COLUMNS)

page_header(__file__, "board")
if state.board_cleared.get():
    st.success(t("board.cleared"))
    state.board_cleared.set(False)


def publish_form() -> None:
    st.subheader(t("board.publish"))
    finished = [r for r in state.runs() if not r.stopped]
    if not finished:
        st.caption(t("board.no_runs"))
        return
    names = [r.name for r in finished]
    with st.form("board_publish", clear_on_submit=True):
        pick = st.selectbox(t("board.run"), names, index=len(names) - 1, format_func=model_name)
        # No max_chars: Streamlit turns a longer value into "", which the board would call a missing nickname.
        nickname = st.text_input(t("board.nickname"), value=state.nickname(),
                                 help=t("board.nickname_help", limit=board.MAX_NICKNAME))
        if not st.form_submit_button(t("board.post"), icon=":material/publish:"):
            return
    corpus, dataset, workspace = state.corpus(), state.dataset(), state.workspace()
    try:  # the corpus as it is now: a run keeps its settings, not the corpus's name
        published = board.publish(finished[names.index(pick)], nickname, corpus.source_name if corpus else "",
                                  len(dataset.texts) if dataset else 0,
                                  publisher=board.publisher_of(workspace.token if workspace else ""))
        st.success(t("board.updated" if published.updated else "board.posted"))
        if not state.nickname():  # the session's nickname from now on (the sidebar changes it)
            state.set_nickname(published.entry.nickname)
    except AttentionLabError as error:  # a BoardRefusal too: the nickname, the pace, the room left
        show_error(error)


def table(entries: list[board.BoardEntry], sort: str) -> pd.DataFrame:
    """Plain values under the COLUMNS names, as the CSV has them (page_table shows them, as text, never as HTML)."""
    rows = [{"nickname": e.nickname, "task": t(f"task.{e.task}") if e.task in ("emotion6", "binary", "emotion58") else e.task,
             "corpus": e.corpus_name, "rows": e.corpus_rows, "accuracy": e.val_accuracy, "macro_f1": e.val_macro_f1,
             "baseline": e.baseline_accuracy, "time": round(e.training_s, 1), "settings": settings_line(e.settings)}
            for e in entries]
    frame = pd.DataFrame(rows)
    return frame.sort_values(sort, ascending=sort in ("nickname", "time"), na_position="last", kind="stable")


def page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Six columns that wrap: the task, corpus, size and time share one. At 1000 px the nine columns, each at its
    narrowest, were wider than the page, and a grid hid the scores past its edge."""
    run = [t("board.run_cell", task=task, corpus=corpus, rows=f"{rows:,}", time=f"{time:.1f}")
           for task, corpus, rows, time in zip(frame["task"], frame["corpus"], frame["rows"], frame["time"])]
    return frame.assign(run=run)[list(SHOWN)].rename(columns=labels_for("board.col", SHOWN))


def try_settings(entries: list[board.BoardEntry]) -> None:
    labels = [f"{e.nickname} · {e.val_accuracy or 0:.3f}" for e in entries]
    pick_col, go_col = st.columns([2, 1], vertical_alignment="bottom")
    pick = pick_col.selectbox(t("board.pick"), range(len(entries)), format_func=labels.__getitem__)
    if go_col.button(t("board.try"), icon=":material/model_training:"):
        apply_settings(entries[pick].settings)
        st.switch_page("pages/train.py")


def admin() -> None:
    with st.expander(t("board.admin")):
        if not board.clearing_enabled():
            st.caption(t("board.no_password"))
            return
        password = st.text_input(t("board.password"), type="password", key="board_password")
        if st.button(t("board.clear"), icon=":material/delete_sweep:"):
            try:
                cleared = board.clear(password, client=state.session_id())
            except board.BoardRefusal as refusal:
                show_error(refusal)
                return
            if cleared:
                state.board_cleared.set(True)
                st.rerun()
            st.error(t("board.wrong_password"))


publish_form()
st.divider()
entries = board.entries()
if not entries:
    st.info(t("board.empty"))
else:
    column = labels_for("board.col", COLUMNS)
    sort = st.selectbox(t("board.sort"), SORTABLE, format_func=column)
    frame = table(entries, sort)
    text_table(page_table(frame))
    csv_button(t("board.download"), frame.rename(columns=column), "class_board.csv", "board_csv")  # defused for Excel
    try_settings(entries)
admin()
