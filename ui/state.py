"""Typed accessors over st.session_state: one browser session's data, tokenizer, model, runs and job.

Nothing here is module-level user data; the only shared cache is the read-only bytes of the sample file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import streamlit as st

from core.config import DataConfig
from core.data import Corpus, Dataset, build_dataset, load_corpus
from core.jobs import TrainingJob
from core.tokenizer import LengthStats, Tokenizer

if TYPE_CHECKING:  # torch: imported where a model is trained or loaded, not on every page view
    from core.classifier import Classifier

KEEP_PREFIX = "w_"  # widget keys with this prefix keep their value when the user changes page


@dataclass
class TokenizerInfo:
    tokenizer: Tokenizer
    seconds: float
    sentences: int
    lengths: LengthStats
    frequent: list[tuple[str, int]]
    unknown_rate: float


@dataclass
class RunRecord:
    """One finished training: its settings, curves, and the model it produced."""

    number: int
    pooling: str
    settings: dict
    epochs: list[dict]
    steps: list[dict]
    steps_per_epoch: float
    metrics: dict
    stopped: bool
    elapsed_s: float
    classifier: Optional[Classifier] = field(default=None, repr=False)
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
        from core.sample import SAMPLE_PATH
    except ImportError:
        return None
    return SAMPLE_PATH.read_bytes() if SAMPLE_PATH.is_file() else None


def through_app() -> None:
    """Call first in every page. On a fresh server, a first request straight to /<page> makes Streamlit run
    the page alone in its legacy pages/ mode (no app.py: no sidebar, no defaults) and stay in that mode;
    switch the mode off and rerun, so app.py's st.navigation serves the page."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def ensure_defaults() -> None:
    """First visit: start on the bundled sample corpus with the default task."""
    if "corpus" in st.session_state:
        return
    st.session_state.corpus = None
    st.session_state.dataset = None
    st.session_state.runs = []
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
    set_corpus(load_corpus(data, "sample_corpus.xlsx"))


def set_corpus(corpus: Corpus) -> None:
    """A new corpus: rebuild the dataset with the current task; the tokenizer no longer fits it."""
    config = data_config()
    st.session_state.dataset = build_dataset(corpus, config)
    st.session_state.corpus = corpus
    st.session_state.data_error = None
    st.session_state.tokenizer_info = None


def apply_data_config(config: DataConfig) -> bool:
    """Rebuild the dataset when the task or text choice changed (True then); CorpusError keeps the old one."""
    current = dataset()
    if corpus() is None or (current is not None and current.config == config):
        return False
    st.session_state.dataset = build_dataset(corpus(), config)
    if current is None or current.config.text != config.text:
        st.session_state.tokenizer_info = None
    return True


def data_config() -> DataConfig:
    current = dataset()
    return current.config if current is not None else DataConfig()


def corpus() -> Optional[Corpus]:
    return st.session_state.get("corpus")


def dataset() -> Optional[Dataset]:
    return st.session_state.get("dataset")


def data_error() -> Optional[str]:
    return st.session_state.get("data_error")


def is_new_upload(slot: str, file_id: str) -> bool:
    """True once per uploaded file, so a file is parsed when it arrives, not on every rerun."""
    key = f"seen_upload_{slot}"
    if st.session_state.get(key) == file_id:
        return False
    st.session_state[key] = file_id
    return True


def tokenizer_info() -> Optional[TokenizerInfo]:
    return st.session_state.get("tokenizer_info")


def set_tokenizer_info(info: TokenizerInfo) -> None:
    st.session_state.tokenizer_info = info


def tokenizer() -> Optional[Tokenizer]:
    info = tokenizer_info()
    return info.tokenizer if info else None


def runs() -> list[RunRecord]:
    return st.session_state.setdefault("runs", [])


def next_run_number() -> int:
    return max((r.number for r in runs()), default=0) + 1


def add_run(record: RunRecord) -> None:
    runs().append(record)


def job() -> Optional[TrainingJob]:
    return st.session_state.get("job")


def running_job() -> Optional[TrainingJob]:
    """Any job of this session still running, whichever page started it (one training at a time)."""
    return next((v for v in list(st.session_state.values()) if isinstance(v, TrainingJob) and v.running), None)


def set_job(new_job: TrainingJob) -> None:
    st.session_state.job = new_job


def model() -> Optional[ActiveModel]:
    return st.session_state.get("model")


def classifier() -> Optional[Classifier]:
    active = model()
    return active.classifier if active else None


def set_model(active: ActiveModel) -> None:
    """A different model: earlier predictions and evaluations no longer describe it."""
    st.session_state.model = active
    st.session_state.predictions = []
    st.session_state.eval_report = None
    st.session_state.walkthrough = None


def use_run(record: RunRecord) -> None:
    if record.classifier is not None:
        set_model(ActiveModel(record.classifier, record.name, record.val_texts, record.val_labels))


def get(key: str, default_value: Any = None) -> Any:
    return st.session_state.get(key, default_value)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value

