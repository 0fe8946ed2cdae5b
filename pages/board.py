"""Class board: publish a finished run under a nickname, compare everyone's settings and scores, try them."""

import pandas as pd
import streamlit as st

from core.errors import AttentionLabError
from core.storage import board
from ui import state
from ui.i18n import labels_for, model_name, t
from ui.widgets import page_header, show_error
from ui.workspace import apply_settings

COLUMNS = ("nickname", "task", "corpus", "rows", "settings", "accuracy", "macro_f1", "baseline", "time")
SORTABLE = ("accuracy", "macro_f1", "baseline", "time", "nickname")

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
        nickname = st.text_input(t("board.nickname"), help=t("board.nickname_help", limit=board.MAX_NICKNAME))
        if not st.form_submit_button(t("board.post"), icon=":material/publish:"):
            return
    corpus, dataset, workspace = state.corpus(), state.dataset(), state.workspace()
    try:  # the corpus as it is now: a run keeps its settings, not the corpus's name
        published = board.publish(finished[names.index(pick)], nickname, corpus.source_name if corpus else "",
                                  len(dataset.texts) if dataset else 0,
                                  publisher=board.publisher_of(workspace.token if workspace else ""))
        st.success(t("board.updated" if published.updated else "board.posted"))
    except board.BoardRefusal as refusal:
        refused(refusal)
    except AttentionLabError as error:
        show_error(error)


def refused(refusal: board.BoardRefusal) -> None:
    st.error(t(f"board.refused.{refusal.reason}", **refusal.values), icon=":material/block:")


def summary(settings: dict) -> str:
    return " · ".join(f"{k} {v}" for k, v in settings.items())


def table(entries: list[board.BoardEntry], sort: str) -> pd.DataFrame:
    """Plain values: st.dataframe shows nicknames and corpus names as text, never as HTML."""
    rows = [{"nickname": e.nickname, "task": t(f"task.{e.task}") if e.task in ("emotion6", "binary", "emotion58") else e.task,
             "corpus": e.corpus_name, "rows": e.corpus_rows, "settings": summary(e.settings), "accuracy": e.val_accuracy,
             "macro_f1": e.val_macro_f1, "baseline": e.baseline_accuracy, "time": round(e.training_s, 1)} for e in entries]
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(sort, ascending=sort in ("nickname", "time"), na_position="last", kind="stable")
    return frame.rename(columns=labels_for("board.col", COLUMNS))


def try_settings(entries: list[board.BoardEntry]) -> None:
    labels = [f"{e.nickname} · {e.val_accuracy or 0:.3f}" for e in entries]
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
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
                refused(refusal)
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
    scores = {column(c): st.column_config.NumberColumn(format="%.3f") for c in ("accuracy", "macro_f1", "baseline")}
    st.dataframe(table(entries, sort), hide_index=True, column_config=scores)
    try_settings(entries)
admin()
