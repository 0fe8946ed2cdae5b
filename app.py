"""Attention Lab: the entry point — page setup, language toggle, navigation and the shared sidebar."""

import streamlit as st

from core import jobs
from ui import server, state
from ui.errors import error_boundary
from ui.i18n import model_name, plain, t
from ui.session_end import watch_session
from ui.workspace import missing_workspace, open_session_workspace, sidebar_block

# An emoji icon is drawn by the browser; a ":material/...:" page icon is fetched from the internet.
st.set_page_config(page_title="Attention Lab", page_icon="🧠", layout="wide")


def start_session() -> None:
    """Before any page: the server's start-up, this session's workspace and defaults, a finished job's runs."""
    server.start()  # once per server: process-wide settings, the job queue, the background warm-up
    watch_session()  # when this tab has gone for good, its session is closed and its memory freed
    state.keep_widget_values()
    open_session_workspace()  # ?w=<token>: this user's saved corpus, runs and model
    state.ensure_defaults()
    if state.job() is not None:  # ui.training imports torch: only once this session has started a training
        from ui.training import JOB_KEY, JOB_NAME, collect_finished, finish_training

        collect_finished(JOB_KEY, finish_training, JOB_NAME)  # a run that ended while the user was on another page
    if state.tokenizer_job.get() is not None:  # likewise a tokenizer: the sidebar and the Train page use it
        from ui.training import collect_finished

        collect_finished(state.tokenizer_job.key, state.keep_tokenizer, state.TOKENIZER_JOB)


# The pages, in walk-through order. New pages get one entry here.
PAGES = [
    st.Page("pages/data.py", title=t("page.data"), icon=":material/table:", default=True),
    st.Page("pages/tokenizer.py", title=t("page.tokenizer"), icon=":material/segment:"),
    st.Page("pages/train.py", title=t("page.train"), icon=":material/model_training:"),
    st.Page("pages/predict.py", title=t("page.predict"), icon=":material/chat:"),
    st.Page("pages/evaluate.py", title=t("page.evaluate"), icon=":material/fact_check:"),
    st.Page("pages/inside.py", title=t("page.inside"), icon=":material/account_tree:"),
    st.Page("pages/explain.py", title=t("page.explain"), icon=":material/rule:"),
    st.Page("pages/model.py", title=t("page.model"), icon=":material/save:"),
    st.Page("pages/reply.py", title=t("page.reply"), icon=":material/forum:"),
    st.Page("pages/board.py", title=t("page.board"), icon=":material/leaderboard:"),
    st.Page("pages/teacher.py", title=t("page.teacher"), icon=":material/school:"),
]


def sidebar() -> None:
    """Language, what this session holds, where it is kept, and the workspace actions."""
    with st.sidebar:
        state.default("w_english", False)
        st.toggle("English", key="w_english")
        dataset, tokenizer, active, job = state.dataset(), state.tokenizer(), state.model(), state.job()
        lines = [t("side.data", name=plain(state.corpus().source_name), rows=f"{len(dataset.texts):,}",
                   task=t(f"task.{dataset.config.task}")) if dataset else t("side.no_data"),
                 t("side.tokenizer", vocab=f"{tokenizer.vocab_size:,}") if tokenizer else t("side.no_tokenizer"),
                 t("side.model", name=plain(model_name(active.source))) if active else t("side.no_model")]
        st.markdown("\n".join(f"- {line}" for line in lines))
        if jobs.notice():  # ATTENTION_LAB_RAY_ADDRESS named a cluster that is unreachable or gone
            st.warning(t("jobs.local_fallback"), icon=":material/cloud_off:")
        if job is not None and job.running:
            st.page_link("pages/train.py", label=t("side.training"), icon=":material/progress_activity:")
        st.page_link("pages/model.py", label=t("side.download"), icon=":material/download:")
        sidebar_block()


def main() -> None:
    """Each part in its own error boundary (ui/errors.py): a failing sidebar still shows the page, and an
    unexpected error anywhere is one line with an id, its traceback only in the server log."""
    start_session()
    state.mark_app_run()
    page = st.navigation(PAGES)
    state.follow_deep_link()
    with error_boundary("sidebar"):
        sidebar()
    with error_boundary(f"page {page.url_path or 'data'}"):
        if not missing_workspace():  # the address's key opened nothing: the user chooses before any page runs
            page.run()


with error_boundary("app"):
    main()
