"""The session's workspace: opened from `?w=<token>` (or made, and its token put in the URL), loaded once per
session; share-link settings in the URL fill the Train page's widgets; the sidebar's workspace actions."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from core.config import DataConfig
from core.corpus.data import load_corpus
from core.corpus.tokenizer import TokenizerReport
from core.errors import AttentionLabError
from core.storage import board
from core.storage.share import decode, encode
from core.storage.workspace import Workspace, create_workspace, open_workspace
from ui import state
from ui.errors import new_error_id
from ui.i18n import error_text, plain, t
from ui.settings import WIDGET_DEFAULTS

TOKEN_PARAM = "w"
_log = logging.getLogger(__name__)


MISSING_KEY = "workspace_missing"  # the session was opened with a ?w= key that opens no workspace


def open_session_workspace() -> None:
    """Every run: keep the token in the URL. First run of a session: open (or make) the workspace and load it.

    A key that opens nothing (mistyped, deleted, pruned) makes no workspace: missing_workspace() says so and offers
    a new one, rather than an empty workspace quietly taking the place of the one the user came back for."""
    current = state.workspace()
    if current is None:
        token = st.query_params.get(TOKEN_PARAM)
        current = open_workspace(token)
        if current is None and token:
            st.session_state[MISSING_KEY] = True
            return
        if current is None:
            current = create_workspace()
        else:
            _load(current)
        st.session_state.workspace = current
        apply_settings(dict(st.query_params))
        for key in [k for k in st.query_params if k != TOKEN_PARAM]:  # read once: a refresh keeps the user's changes
            del st.query_params[key]
    if st.query_params.get(TOKEN_PARAM) != current.token:  # switching pages drops the query
        st.query_params[TOKEN_PARAM] = current.token


# What a session loads from its workspace, in order, each on its own: one that fails (a file damaged on disk, a
# bundle an older version saved that today's checks refuse) is named in the sidebar with a button to delete it,
# and the rest still loads.
ITEMS = ("runs", "corpus", "tokenizer", "model")
BROKEN_KEY = "workspace_broken"  # {item: error id}


def _load(workspace: Workspace) -> None:
    """The workspace's runs (models loaded when used), corpus, tokenizer and active model into this session."""
    broken = {}
    for item in ITEMS:
        if item == "tokenizer" and state.corpus() is None:
            continue  # a tokenizer belongs to its corpus
        try:
            _LOADERS[item](workspace)
        except Exception as error:  # noqa: BLE001  whatever is wrong with a stored item, the session goes on
            broken[item] = new_error_id()
            _log.warning("workspace %s: its %s did not load (error %s)", workspace.id, item, broken[item], exc_info=error)
    st.session_state[BROKEN_KEY] = broken


def _load_runs(workspace: Workspace) -> None:
    st.session_state.runs = workspace.runs()


def _load_corpus(workspace: Workspace) -> None:
    stored = workspace.corpus()
    if stored is not None:
        corpus = load_corpus(stored.data if stored.data is not None else state.sample_bytes(), stored.name)
        state.set_corpus(corpus, config=DataConfig(task=stored.task, text=stored.text), from_workspace=True)


def _load_tokenizer(workspace: Workspace) -> None:
    saved = workspace.tokenizer()
    st.session_state.tokenizer_report = TokenizerReport.from_meta(*saved) if saved is not None else None


def _load_model(workspace: Workspace) -> None:
    active = workspace.active_model()
    if active is not None:
        from core.classifier.task import load_classifier

        state.show_model(state.ActiveModel(load_classifier(active.bundle, active.source), active.source,
                                           active.val_texts, active.val_labels))


_LOADERS = {"runs": _load_runs, "corpus": _load_corpus, "tokenizer": _load_tokenizer, "model": _load_model}


def reply_model():
    """This session's reply model (core.seq2seq.pipeline.KeptReply), else the one its workspace keeps: looked for on
    every run of the Reply page (one indexed query), so a model a job saved after this tab opened (a refresh during
    training) shows up too. Loaded here, not with the rest: only the Reply page uses it, and a bundle takes a while."""
    current = state.workspace()
    broken = st.session_state.setdefault(BROKEN_KEY, {})
    if state.reply_outcome.get() is None and current is not None and "reply" not in broken and current.has_model("reply"):
        from core.seq2seq.pipeline import stored_reply

        try:
            state.reply_outcome.set(stored_reply(current))
        except Exception as error:  # noqa: BLE001  as in _load: named in the sidebar with a delete button
            broken["reply"] = new_error_id()
            _log.warning("workspace %s: its reply model did not load (error %s)", current.id, broken["reply"],
                         exc_info=error)
            st.rerun()  # the sidebar, drawn before the page, names it
    return state.reply_outcome.get()


def forget_broken(item: str) -> None:
    """The user deletes a stored item that did not load."""
    current = state.workspace()
    if current is not None:
        current.forget(item)
    st.session_state.get(BROKEN_KEY, {}).pop(item, None)


def broken_items() -> None:
    """One line per stored item that did not load, each with a button that deletes it."""
    for item, error_id in list(st.session_state.get(BROKEN_KEY, {}).items()):
        name = t(f"ws.item.{item}")
        st.error(t("ws.broken", item=name, id=error_id), icon=":material/sd_card_alert:")
        st.button(t("ws.delete_broken", item=name), key=f"ws_forget_{item}", icon=":material/delete:",
                  on_click=forget_broken, args=(item,))


def current_settings() -> dict:
    """The Train and Tokenizer pages' settings, by share-link name."""
    return {key[2:]: st.session_state.get(key, value) for key, value in WIDGET_DEFAULTS.items()}


def apply_settings(query: dict) -> list[str]:
    """Fill the widgets from share-link values; what was ignored is kept as notes for the sidebar."""
    shared = {k: v for k, v in query.items() if k != TOKEN_PARAM}
    if not shared:
        return []
    settings, notes = decode(shared, current_settings())
    for name, value in settings.items():
        st.session_state[f"w_{name}"] = value
    st.session_state.share_notes = notes
    st.session_state.share_applied = True
    return notes


def settings_link() -> str:
    """This page's address with the current training settings and no workspace token."""
    parts = urlsplit(st.context.url or "")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(encode(current_settings())), ""))


def missing_workspace() -> bool:
    """When the address's key opened no workspace: one line and a button for a new one (True: the page waits)."""
    if not st.session_state.get(MISSING_KEY):
        return False
    st.error(t("ws.missing"), icon=":material/key_off:")
    st.button(t("ws.new"), type="primary", icon=":material/add:", on_click=reset_session, key="ws_missing_new")
    return True


def reset_session() -> None:
    """Forget this session's work (the widgets' settings stay); the next run opens a new workspace."""
    for key in list(st.session_state.keys()):
        if not str(key).startswith(state.KEEP_PREFIX):
            del st.session_state[key]
    st.query_params.clear()


def delete_workspace() -> None:
    current = state.workspace()
    if current is not None:
        current.delete()
    reset_session()


def nickname_block() -> None:
    """The session's nickname for the teacher's view and the board, kept in its workspace; the label shows it."""
    current = state.nickname()
    label = t("side.nickname") + (f": {plain(current)}" if current else "")
    with st.expander(label, icon=":material/badge:"), st.form("side_nickname", border=False):
        name = st.text_input(t("side.nickname"), value=current, label_visibility="collapsed")
        st.caption(t("side.nickname_help", limit=board.MAX_NICKNAME))
        if not st.form_submit_button(t("side.nickname_save")):
            return
        try:
            cleaned = board.clean_nickname(name)
        except board.BoardRefusal as refusal:
            st.error(plain(error_text(refusal)), icon=":material/block:")
            return
    if cleaned != current:
        state.set_nickname(cleaned)
        st.rerun()  # the expander's label, drawn above, names the new one


def sidebar_block() -> None:
    """Where the work is kept, its quota message, share-link notes, and the workspace actions."""
    st.caption(t("side.refresh"))  # not the folder: a server's paths are none of a user's business
    error = state.workspace_error()
    if error:  # a disk error's own line names the server's folder: the log has it, students get what happened
        line = plain(error_text(error)) if isinstance(error, AttentionLabError) else t("ws.disk_error")
        st.error(line, icon=":material/sd_card_alert:")
    broken_items()
    if st.session_state.pop("share_applied", False):
        st.info(t("ws.share_applied"), icon=":material/link:")
        for note in st.session_state.pop("share_notes", []):
            st.text(note)
    nickname_block()
    with st.expander(t("ws.link")):
        st.caption(t("ws.link_help"))
        st.code(settings_link(), language=None, wrap_lines=True)
    busy = state.running_job() is not None
    st.button(t("ws.new"), icon=":material/add:", on_click=reset_session, disabled=busy, help=t("ws.busy") if busy else None)
    if st.button(t("ws.delete"), icon=":material/delete:", disabled=busy, key="ws_delete"):
        st.session_state.ws_confirm = True
    if st.session_state.get("ws_confirm"):
        st.warning(t("ws.confirm"))
        yes, no = st.columns(2)
        yes.button(t("ws.yes_delete"), type="primary", on_click=delete_workspace, key="ws_yes")
        if no.button(t("ws.cancel"), key="ws_no"):
            st.session_state.ws_confirm = False
            st.rerun()
