"""Typed accessors over st.session_state: one browser session's data, tokenizer, model, runs and job.

Nothing here is module-level user data; the only shared cache is the read-only bytes of the sample file.
Each change is also written to the session's workspace (core/storage/workspace.py), so a refresh or a restart keeps it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from core.config import DataConfig, TokenizerConfig, from_dict, to_dict
from core.corpus.data import Corpus, Dataset, build_dataset, load_corpus
from core.corpus.tokenizer import LengthStats, Tokenizer
from core.errors import AttentionLabError
from core.jobs.pool import TrainingJob
from core.storage.workspace import RunData, Workspace

if TYPE_CHECKING:  # torch: imported where a model is trained or loaded, not on every page view
    from core.classifier.task import Classifier

KEEP_PREFIX = "w_"  # widget keys with this prefix keep their value when the user changes page
SAMPLE_NAME = "sample_corpus.xlsx"
_log = logging.getLogger(__name__)


@dataclass
class TokenizerInfo:
    tokenizer: Tokenizer
    seconds: float
    sentences: int
    lengths: LengthStats
    frequent: list[tuple[str, int]]
    unknown_rate: float


@dataclass
class RunRecord(RunData):
    """One finished training as the workspace keeps it (core's RunData), plus the model it produced."""

    classifier: Classifier | None = field(default=None, repr=False)
    val_texts: list[str] = field(default_factory=list, repr=False)
    val_labels: list[str] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        return f"#{self.number} {self.pooling}"


@dataclass
class ActiveModel:
    """The model the Predict, Evaluate, Inside and Model pages use."""

    classifier: Classifier
    source: str  # a run name or an uploaded file name
    val_texts: list[str] = field(default_factory=list, repr=False)
    val_labels: list[str] = field(default_factory=list, repr=False)


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


def use_sample() -> None:
    data = _sample_bytes()
    if data is None:
        st.session_state.data_error = "sample_missing"
        return
    set_corpus(load_corpus(data, SAMPLE_NAME))


def set_corpus(corpus: Corpus, data: bytes | None = None) -> None:
    """A new corpus: rebuild the dataset with the current task; the tokenizer no longer fits it.

    `data` is the uploaded file's bytes, kept in the workspace (the bundled sample needs none)."""
    config = data_config()
    st.session_state.dataset = build_dataset(corpus, config)
    st.session_state.corpus = corpus
    st.session_state.data_error = None
    st.session_state.tokenizer_info = None
    if data is not None or corpus.source_name == SAMPLE_NAME:
        _save(lambda ws: ws.save_corpus(corpus.source_name, data, config.task, config.text))


def apply_data_config(config: DataConfig) -> bool:
    """Rebuild the dataset when the task or text choice changed (True then); CorpusError keeps the old one."""
    current = dataset()
    if corpus() is None or (current is not None and current.config == config):
        return False
    st.session_state.dataset = build_dataset(corpus(), config)
    _save(lambda ws: ws.set_data_config(config.task, config.text))
    if current is None or current.config.text != config.text:
        st.session_state.tokenizer_info = None
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


def tokenizer_info() -> TokenizerInfo | None:
    return st.session_state.get("tokenizer_info")


def set_tokenizer_info(info: TokenizerInfo) -> None:
    st.session_state.tokenizer_info = info
    _save(lambda ws: ws.save_tokenizer(info.tokenizer.model_proto, tokenizer_meta(info)))


def tokenizer_meta(info: TokenizerInfo) -> dict:
    """Everything of a TokenizerInfo but the proto, as JSON values."""
    lengths = info.lengths
    return {"config": to_dict(info.tokenizer.config), "clamped_from": info.tokenizer.clamped_from,
            "seconds": info.seconds, "sentences": info.sentences, "unknown_rate": info.unknown_rate,
            "frequent": [list(pair) for pair in info.frequent],
            "lengths": {"lengths": lengths.lengths, "mean": lengths.mean, "median": lengths.median,
                        "p95": lengths.p95, "max": lengths.max}}


def tokenizer_info_from(proto: bytes, meta: dict) -> TokenizerInfo:
    tokenizer = Tokenizer(proto, from_dict(TokenizerConfig, meta["config"]), meta.get("clamped_from"))
    return TokenizerInfo(tokenizer, meta["seconds"], meta["sentences"], LengthStats(**meta["lengths"]),
                         [tuple(pair) for pair in meta["frequent"]], meta["unknown_rate"])


def tokenizer() -> Tokenizer | None:
    info = tokenizer_info()
    return info.tokenizer if info else None


def runs() -> list[RunRecord]:
    return st.session_state.setdefault("runs", [])


def next_run_number() -> int:
    return max((r.number for r in runs()), default=0) + 1


def add_run(record: RunRecord) -> None:
    """Keep a run; the workspace already has it when the training job saved it itself."""
    runs().append(record)
    if record.classifier is not None:
        _save(lambda ws: ws.has_run(record.number) or ws.save_run(
            run_data(record), record.classifier.to_bytes(), record.val_texts, record.val_labels))


def run_data(record: RunRecord) -> RunData:
    return RunData(**{f.name: getattr(record, f.name) for f in fields(RunData)})


def run_record(run: RunData) -> RunRecord:
    """A saved run, its classifier loaded only when it is used."""
    return RunRecord(**{f.name: getattr(run, f.name) for f in fields(RunData)})


def job() -> TrainingJob | None:
    return st.session_state.get("job")


def running_job() -> TrainingJob | None:
    """Any job of this session still running, whichever page started it (one training at a time)."""
    return next((v for v in list(st.session_state.values()) if isinstance(v, TrainingJob) and v.running), None)


def set_job(new_job: TrainingJob) -> None:
    st.session_state.job = new_job


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
    """A different model: earlier predictions and evaluations no longer describe it."""
    st.session_state.model = active
    st.session_state.predictions = []
    st.session_state.eval_report = None
    st.session_state.walkthrough = None


def use_run(record: RunRecord) -> None:
    if record.classifier is None:
        _load_run(record)
    if record.classifier is not None:
        show_model(ActiveModel(record.classifier, record.name, record.val_texts, record.val_labels))
        _save(lambda ws: ws.set_active_run(record.number))


def _load_run(record: RunRecord) -> None:
    """Load a saved run's classifier from the workspace (runs come back from it without their models)."""
    from core.classifier.task import load_classifier

    stored = workspace().run_model(record.number) if workspace() else None
    if stored is not None:
        record.classifier = load_classifier(stored.bundle, record.name)
        record.val_texts, record.val_labels = stored.val_texts, stored.val_labels


# The session's workspace -------------------------------------------------------------------------------

def workspace() -> Workspace | None:
    return st.session_state.get("workspace")


def workspace_error() -> str | None:
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
        st.session_state.workspace_error = str(error)


def saving_job(function: Callable) -> Callable:
    """A training job function that saves its own runs into this session's workspace, even if the tab closes."""
    from core.storage.runs import saving_job as wrap

    current = workspace()
    return wrap(function, current) if current is not None else function


def get(key: str, default_value: Any = None) -> Any:
    return st.session_state.get(key, default_value)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value

