"""Typed accessors over st.session_state: one browser session's data, tokenizer, model, runs and job.

Nothing here is module-level user data; the only shared cache is the read-only bytes of the sample file.
Each change is also written to the session's workspace (core/storage/workspace.py), so a refresh or a restart keeps it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.config import DataConfig
from core.corpus.data import Corpus, Dataset, build_dataset, load_corpus
from core.corpus.tokenizer import Tokenizer, TokenizerReport
from core.errors import AttentionLabError, reported
from core.jobs import Job, JobFunction, Owner
from core.jobs import start_job as submit_job
from core.jobs.classroom import owner_label
from core.storage.workspace import Run, Workspace

if TYPE_CHECKING:  # torch: imported where a model is trained or loaded, not on every page view
    from core.classifier.runs import KeptRuns
    from core.classifier.task import Classifier

T = TypeVar("T")

KEEP_PREFIX = "w_"  # widget keys with this prefix keep their value when the user changes page
SAMPLE_NAME = "sample_corpus.xlsx"
_log = logging.getLogger(__name__)


@dataclass
class ActiveModel:
    """The model the Predict, Evaluate, Inside and Model pages use."""

    classifier: Classifier
    source: str  # a run name or an uploaded file name
    val_texts: list[str] = field(default_factory=list, repr=False)
    val_labels: list[str] = field(default_factory=list, repr=False)
    version: int = 0  # counts model changes in this session: results computed for another version are stale


class Slot(Generic[T]):
    """One typed value of this session (results a page keeps between reruns), declared once below."""

    def __init__(self, key: str):
        self.key = key

    def get(self) -> T | None:
        return st.session_state.get(self.key)

    def set(self, value: T | None) -> None:
        st.session_state[self.key] = value


# What pages keep between reruns. A result computed for a model is stored as (model version, result).
predictions: Slot[list] = Slot("predictions")  # core.classifier.task.Prediction, newest first
eval_report: Slot[tuple[str, Any]] = Slot("eval_report")  # (what was evaluated, EvalReport)
walkthrough: Slot[Any] = Slot("walkthrough")  # core.classifier.walkthrough.Walkthrough
explanation: Slot[tuple[int, Any]] = Slot("explanation")  # (model version, Explanation)
explain_summary: Slot[tuple[int, list]] = Slot("explain_summary")  # (model version, [(name, ModelSummary)])
explain_job: Slot[Job] = Slot("explain_job")
explain_version: Slot[int] = Slot("explain_version")  # the model version the running summary job explains
upload_error: Slot[tuple[str, AttentionLabError]] = Slot("upload_error")  # (upload's file id, its refusal)
train_busy: Slot[bool] = Slot("train_busy")  # Start was refused: another page's job runs
board_cleared: Slot[bool] = Slot("board_cleared")
tokenizer_job: Slot[Job] = Slot("tokenizer_job")
TOKENIZER_JOB = "tokenizer"  # the tokenizer job's name
eval_job: Slot[Job] = Slot("eval_job")
eval_name: Slot[str] = Slot("eval_name")  # what the running evaluation scores: the validation split or a file's name
reply_job: Slot[Job] = Slot("reply_job")
reply_outcome: Slot[Any] = Slot("reply_outcome")  # core.seq2seq.pipeline.KeptReply (ui/workspace.reply_model)
reply_epochs: Slot[int] = Slot("reply_epochs")
reply_generated: Slot[list] = Slot("reply_generated")  # [(decoder name, Reply)]
reply_retrieved: Slot[str] = Slot("reply_retrieved")
curve_job: Slot[Job] = Slot("curve_job")  # the Train page's learning curve (core.classifier.curve)
curve_result: Slot[Any] = Slot("curve_result")  # core.classifier.curve.CurveResult
batch_job: Slot[Job] = Slot("batch_job")  # the Predict page's file of sentences (core.classifier.batch)
batch_result: Slot[Any] = Slot("batch_result")  # core.classifier.batch.BatchResult
teacher_password: Slot[str] = Slot("teacher_password")  # the admin password that unlocked the teacher's view


@st.cache_resource(show_spinner=False)
def _sample_bytes() -> bytes | None:
    """The bundled sample file (read-only, shared by all sessions)."""
    try:
        from core.corpus.sample import SAMPLE_PATH
    except ImportError:
        return None
    return SAMPLE_PATH.read_bytes() if SAMPLE_PATH.is_file() else None


def sample_bytes() -> bytes | None:
    return _sample_bytes()


APP_RAN, DEEP_LINK = "_app_ran", "_deep_link"


def mark_app_run() -> None:
    """app.py, before its navigation: the page that runs next was reached through app.py."""
    st.session_state[APP_RAN] = True


def through_app(page_file: str) -> None:
    """Call first in every page (with its `__file__`). On a fresh server, a first request straight to /<page>
    makes Streamlit run the page alone, in its legacy pages/ mode (no app.py: no sidebar, no defaults). Such a
    page hands itself to app.py with the public st.switch_page, and app.py switches back to it (see
    `follow_deep_link`); once per session, so it can never loop."""
    if st.session_state.pop(APP_RAN, False) or st.session_state.get(DEEP_LINK) is not None:
        return
    st.session_state[DEEP_LINK] = f"pages/{Path(page_file).name}"
    st.switch_page("app.py", query_params=st.query_params.to_dict())  # keeps ?w=… and share-link values


def follow_deep_link() -> None:
    """app.py, after its navigation: go on to the page a first request asked for."""
    target = st.session_state.get(DEEP_LINK)
    if target:
        st.session_state[DEEP_LINK] = ""  # followed: never again this session
        st.switch_page(target, query_params=st.query_params.to_dict())


def ensure_defaults() -> None:
    """First visit: start on the bundled sample corpus with the default task."""
    if "corpus" in st.session_state:
        return
    st.session_state.corpus = None
    st.session_state.dataset = None
    st.session_state.setdefault("runs", [])  # runs loaded from the workspace stay
    use_sample()


def keep_widget_values() -> None:
    """Re-store kept widget values so Streamlit doesn't drop them while their page is not shown."""
    for key in [k for k in st.session_state.keys() if str(k).startswith(KEEP_PREFIX)]:
        st.session_state[key] = st.session_state[key]


def default(key: str, value: Any) -> None:
    """Set a kept widget's first value (widgets then take only `key`, never `value=`)."""
    st.session_state.setdefault(key, value)


def set_widget(key: str, value: Any) -> None:
    """Give a kept widget a value before its page draws it (a link from another page carries a sentence over)."""
    st.session_state[key] = value


def use_sample() -> None:
    data = _sample_bytes()
    if data is None:
        st.session_state.data_error = "sample_missing"
        return
    set_corpus(load_corpus(data, SAMPLE_NAME))


def set_corpus(corpus: Corpus, data: bytes | None = None, config: DataConfig | None = None,
               from_workspace: bool = False) -> None:
    """A new corpus: build the dataset (with the current task unless `config`); the tokenizer no longer fits it.

    `data` is the uploaded file's bytes, kept in the workspace (the bundled sample needs none); a corpus that
    comes from the workspace is not saved back."""
    config = config or data_config()
    st.session_state.dataset = build_dataset(corpus, config)
    st.session_state.corpus = corpus
    st.session_state.data_error = None
    st.session_state.tokenizer_report = None
    if not from_workspace and (data is not None or corpus.source_name == SAMPLE_NAME):
        _save(lambda ws: ws.save_corpus(corpus.source_name, data, config.task, config.text))


def apply_data_config(config: DataConfig) -> bool:
    """Rebuild the dataset when the task or text choice changed (True then); CorpusError keeps the old one."""
    current = dataset()
    if corpus() is None or (current is not None and current.config == config):
        return False
    st.session_state.dataset = build_dataset(corpus(), config)
    _save(lambda ws: ws.set_data_config(config.task, config.text))
    if current is None or current.config.text != config.text:
        st.session_state.tokenizer_report = None
        _save(lambda ws: ws.clear_tokenizer())
    return True


def data_config() -> DataConfig:
    current = dataset()
    return current.config if current is not None else DataConfig()


def corpus() -> Corpus | None:
    return st.session_state.get("corpus")


def dataset() -> Dataset | None:
    return st.session_state.get("dataset")


def data_error() -> str | None:
    return st.session_state.get("data_error")


def is_new_upload(slot: str, file_id: str) -> bool:
    """True once per uploaded file, so a file is parsed when it arrives, not on every rerun."""
    key = f"seen_upload_{slot}"
    if st.session_state.get(key) == file_id:
        return False
    st.session_state[key] = file_id
    return True


def tokenizer_report() -> TokenizerReport | None:
    return st.session_state.get("tokenizer_report")


def set_tokenizer_report(report: TokenizerReport | None) -> None:
    st.session_state.tokenizer_report = report
    if report is not None:
        _save(lambda ws: ws.save_tokenizer(report.tokenizer.model_proto, report.meta()))


def keep_tokenizer(snapshot) -> None:
    """A finished tokenizer job's report becomes the session's tokenizer (on its page, or in app.py when the user
    had moved on to another page)."""
    if snapshot.result is not None:
        set_tokenizer_report(snapshot.result)


def tokenizer() -> Tokenizer | None:
    report = tokenizer_report()
    return report.tokenizer if report else None


def runs() -> list[Run]:
    return st.session_state.setdefault("runs", [])


def next_run_number() -> int:
    return max((r.number for r in runs()), default=0) + 1


def adopt(kept: KeptRuns) -> None:
    """A finished training's runs, as the job numbered, saved and chose them (core.classifier.runs.keep)."""
    runs().extend(kept.runs)
    job_save_failed(kept.save_error)
    chosen = next((r for r in kept.runs if r.number == kept.active), None)
    if chosen is not None:
        _show_run(chosen)
        if not kept.saved:
            _save(lambda ws: ws.set_active_run(chosen.number))


def job_save_failed(error: str | AttentionLabError | None) -> None:
    """A job could not keep its result in the workspace (disk quota, disk error): the sidebar says so."""
    if error is not None:
        st.session_state.workspace_error = error


def job() -> Job | None:
    return st.session_state.get("job")


def running_job() -> Job | None:
    """Any job of this session still running, whichever page started it (one training at a time)."""
    return next((v for v in list(st.session_state.values()) if isinstance(v, Job) and v.running), None)


def set_job(new_job: Job) -> None:
    st.session_state.job = new_job


def start_job(function: JobFunction, name: str, gpu: bool = False) -> Job:
    """Queue a job of this session under its owner (the teacher's view names it); TrainingBusyError while another
    of its jobs is queued or running."""
    return submit_job(running_job(), function, name=name, gpu=gpu, owner=owner())


def owner() -> Owner:
    """This session on the teacher's view: its nickname, and a label made from its workspace token (stable across
    refreshes), else from the session id."""
    current = workspace()
    return Owner(owner_label(current.token if current else session_id()), nickname())


def nickname() -> str:
    """The nickname this session chose ("" when none), kept in its workspace."""
    if "nickname" not in st.session_state:
        current = workspace()
        if current is None:
            return ""
        st.session_state.nickname = current.nickname()
    return st.session_state.nickname


def set_nickname(name: str) -> None:
    """A nickname already cleaned (core.storage.board.clean_nickname); a job already running takes it too."""
    st.session_state.nickname = name
    _save(lambda ws: ws.set_nickname(name))
    renamed = owner()
    for value in list(st.session_state.values()):
        if isinstance(value, Job) and value.running:
            value.owner = renamed


def model() -> ActiveModel | None:
    return st.session_state.get("model")


def classifier() -> Classifier | None:
    active = model()
    return active.classifier if active else None


def set_model(active: ActiveModel) -> None:
    """A model that is not a run's (an uploaded bundle) becomes the active one, and is kept in the workspace."""
    show_model(active)
    _save(lambda ws: ws.set_active_bundle(active.classifier.to_bytes(), active.source, val_texts=active.val_texts,
                                          val_labels=active.val_labels))


def show_model(active: ActiveModel) -> None:
    """A different model: earlier predictions, evaluations and explanations no longer describe it."""
    previous = model()
    active.version = (previous.version if previous else 0) + 1
    st.session_state.model = active
    predictions.set([])
    eval_report.set(None)
    batch_result.set(None)
    walkthrough.set(None)


def use_run(run: Run) -> None:
    """The user picks a run from the history: it becomes the active model, here and in the workspace."""
    if _show_run(run):
        _save(lambda ws: ws.set_active_run(run.number))


def _show_run(run: Run) -> bool:
    if run.classifier is None:
        _load_run(run)
    if run.classifier is None:
        return False
    show_model(ActiveModel(run.classifier, run.name, run.val_texts, run.val_labels))
    return True


def _load_run(run: Run) -> None:
    """Load a saved run's classifier from the workspace (runs come back from it without their models)."""
    from core.classifier.task import load_classifier

    stored = workspace().run_model(run.number) if workspace() else None
    if stored is not None:
        run.classifier = load_classifier(stored.bundle, run.name)
        run.val_texts, run.val_labels = stored.val_texts, stored.val_labels


def explain_summary_of(active: ActiveModel) -> list | None:
    """The model-level explanation of the active model: this session's, else the one its workspace kept for it
    (looked up once per model version)."""
    stored = explain_summary.get()
    if stored is None or stored[0] != active.version:
        from core.explain.summary import stored_summary  # torch: only where a model is explained

        summaries, current = None, workspace()
        try:
            summaries = stored_summary(current, active.source) if current is not None else None
        except (KeyError, TypeError, ValueError, AttributeError, sqlite3.Error) as error:
            _log.warning("workspace %s: the explanation of %s did not load: %s", current.id, active.source, error)
            _save(lambda ws: ws.forget("summary"))  # a summary is recomputed in a minute; a broken one only misleads
        stored = (active.version, summaries)
        explain_summary.set(stored)
    return stored[1]


def session_id() -> str:
    """This browser session's id (Streamlit's), e.g. to slow down one client's wrong admin passwords."""
    context = get_script_run_ctx()
    return context.session_id if context is not None else ""


# The session's workspace -------------------------------------------------------------------------------

def workspace() -> Workspace | None:
    return st.session_state.get("workspace")


def workspace_error() -> str | AttentionLabError | None:
    return st.session_state.get("workspace_error")


def _save(action: Callable[[Workspace], Any]) -> None:
    """Write a change to the session's workspace; a refusal (disk quota, disk error) is kept for the sidebar."""
    current = workspace()
    if current is None:
        return
    try:
        action(current)
        st.session_state.workspace_error = None
    except (AttentionLabError, OSError, sqlite3.Error) as error:
        _log.warning("workspace %s: not saved: %s", current.id, error)
        st.session_state.workspace_error = reported(error)
