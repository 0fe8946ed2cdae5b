"""Shared fixtures: tiny AIHUB-shaped corpora written in tmp_path (hermetic, no download)."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from core.corpus.data import NEW_COLUMNS, OLD_COLUMNS

CUES = {
    "기쁨": ["정말 기뻐", "너무 행복해", "신이 나"],
    "당황": ["너무 당황스러워", "창피해서 얼굴이 빨개졌어", "어쩔 줄 모르겠어"],
    "분노": ["너무 화가 나", "정말 짜증 나", "열받아 죽겠어"],
    "불안": ["너무 불안해", "걱정돼서 잠이 안 와", "초조해"],
    "상처": ["상처받았어", "배신감이 들어", "너무 서운해"],
    "슬픔": ["너무 슬퍼", "눈물이 나", "우울해"],
}
PLACES = ["회사에서", "학교에서", "집에서", "모임에서"]
PEOPLE = ["친구가", "엄마가", "팀장님이", "동생이"]


# The real AIHUB files live beside the repository (../shared/data/, see its README), never in it; tests that read
# them skip where they are absent, as in a clone on CI.
REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REAL_OLD_RELEASE = REAL_DATA / "aihub_old_release_validation.xlsx"


def pytest_configure(config) -> None:
    """The test process computes on one torch thread, as the app's processes do (ui/server.py, core/runtime.py):
    with the suite's job processes on the same two cores, a second OpenMP thread made in-process work many
    times slower."""
    import torch

    torch.set_num_threads(1)


def tiny_rows(n_per_class: int = 20, seed: int = 0) -> list[dict]:
    """Rows keyed by old-release column names; the emotion shows in a cue phrase."""
    rng = random.Random(seed)
    rows = []
    for label, cues in CUES.items():
        for _ in range(n_per_class):
            text = f"오늘 {rng.choice(PLACES)} {rng.choice(PEOPLE)} 그래서 {rng.choice(cues)} {rng.randint(1, 999)}"
            rows.append({"연령": "청년", "성별": rng.choice(["남성", "여성"]), "상황키워드": "대인관계",
                         "신체질환": "해당없음", "감정_대분류": label, "감정_소분류": f"{label}-소",
                         "사람문장1": text, "시스템응답1": "그랬군요.", "사람문장2": "응 맞아", "시스템응답2": "힘드셨겠어요."})
    rng.shuffle(rows)
    return rows


def old_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).reindex(columns=OLD_COLUMNS)
    frame["번호"] = range(1, len(frame) + 1)
    return frame


def new_frame(rows: list[dict]) -> pd.DataFrame:
    renamed = [{k.replace("시스템응답", "시스템문장"): v for k, v in row.items()} for row in rows]
    frame = pd.DataFrame(renamed).reindex(columns=[c for c in NEW_COLUMNS if c])
    frame.insert(0, "", range(len(frame)))  # the new release's blank-headed index column
    return frame


@pytest.fixture
def tiny_xlsx(tmp_path):
    path = tmp_path / "tiny.xlsx"
    old_frame(tiny_rows()).to_excel(path, sheet_name="Sheet1", index=False, engine="openpyxl")
    return path


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """The six-emotion tiny corpus (20 rows a class) as a dataset, shared by the classifier's tests."""
    from core.config import DataConfig
    from core.corpus.data import build_dataset, load_corpus

    path = tmp_path_factory.mktemp("corpus") / "c.xlsx"
    old_frame(tiny_rows(20)).to_excel(path, index=False, engine="openpyxl")
    return build_dataset(load_corpus(path), DataConfig())


@pytest.fixture(scope="session")
def trained_classifier(tiny_dataset):
    """(dataset, TrainOutcome): a small classifier trained for three epochs (shared: training is the slow part)."""
    from core.classifier.pipeline import train_classifier
    from core.config import ModelConfig, TokenizerConfig, TrainConfig

    outcome = train_classifier(tiny_dataset, ModelConfig(emb_dim=16, hidden_dim=16, fc_dim=16),
                               TrainConfig(epochs=3, batch_size=16), tokenizer_config=TokenizerConfig(vocab_size=150))
    return tiny_dataset, outcome


# --- reply generation: counselling pairs ------------------------------------------------------------

TOPICS = [
    ("시험을 망쳤어", "시험 결과 때문에 많이 속상하시겠어요."),
    ("친구와 싸웠어", "친구와 다투셔서 마음이 불편하시군요."),
    ("회사에 합격했어", "합격을 축하드려요! 정말 기쁘시겠어요."),
    ("돈이 부족해서 걱정이야", "경제적인 문제로 걱정이 많으시군요."),
    ("몸이 너무 아파", "몸이 아프셔서 힘드시겠어요."),
    ("상사가 나를 무시해", "상사의 태도 때문에 화가 나셨군요."),
]
WHEN = ["오늘", "어제", "요즘", "방금", "결국"]


def tiny_seq2seq_config():
    from core.seq2seq.model import Seq2SeqConfig

    return Seq2SeqConfig(emb_dim=32, hidden_dim=32, decoder_dim=64, attention_dim=32, dropout=0.0)


def dialogue_frame(n_rows: int = 30, seed: int = 0) -> pd.DataFrame:
    """Old-release rows whose four turns each pair a topic sentence with its reply; turn 4 sometimes empty."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_rows):
        turns = []
        for k in range(4):
            topic, reply = rng.choice(TOPICS)
            turns += [None, None] if k == 3 and i % 3 == 0 else [f"{rng.choice(WHEN)} {topic}.", reply]
        rows.append([i + 1, "청년", "여성", "대인관계", "해당없음", "슬픔", "슬픈", *turns])
    return pd.DataFrame(rows, columns=OLD_COLUMNS)


def corpus_of(frame: pd.DataFrame):
    """A frame written as an xlsx in memory and read back as a Corpus."""
    import io

    from core.corpus.data import load_corpus, write_xlsx

    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return load_corpus(buffer.getvalue(), name="pairs.xlsx")


@pytest.fixture
def dialogue_xlsx(tmp_path):
    from core.corpus.data import write_xlsx

    path = tmp_path / "dialogues.xlsx"
    write_xlsx(dialogue_frame(), path)
    return path


@pytest.fixture(scope="session")
def overfit():
    """(pairs, Seq2SeqOutcome): a tiny model trained to memorise a handful of pairs (shared: training is the slow part)."""
    from core.config import TokenizerConfig
    from core.seq2seq.data import build_pairs
    from core.seq2seq.pipeline import train_seq2seq
    from core.seq2seq.train import Seq2SeqTrainConfig

    frame = pd.DataFrame([[i + 1, "청년", "여성", "", "", "슬픔", "", f"오늘 {t}.", r, *[None] * 6]
                          for i, (t, r) in enumerate(TOPICS)], columns=OLD_COLUMNS)
    pairs = build_pairs(corpus_of(frame))
    config = Seq2SeqTrainConfig(epochs=120, batch_size=8, lr=1e-2, val_share=0.0, report_every=1000, label_smoothing=0.0)
    outcome = train_seq2seq(pairs, tiny_seq2seq_config(), config, TokenizerConfig(vocab_size=120))
    return pairs, outcome


@pytest.fixture(autouse=True)
def no_unknown_string_keys():
    """Fail a test (or the test after a module fixture) when a page asked t() for a key ui/i18n.py lacks."""
    yield
    import sys

    i18n = sys.modules.get("ui.i18n")  # not imported: no page ran, nothing to check
    missing = sorted(getattr(i18n, "MISSING", ()))
    if missing:
        i18n.MISSING.clear()
        pytest.fail(f"t() was asked for string keys that ui/i18n.py lacks: {missing}")


@pytest.fixture(autouse=True)
def no_unexpected_errors():
    """Fail a test (or the test after a module fixture) when the app's error boundary caught an error: a page shows it
    as one line with an id (ui/errors.py), where AppTest would have seen the exception."""
    yield
    import sys

    errors = sys.modules.get("ui.errors")  # not imported: no page ran
    caught = list(getattr(errors, "CAUGHT", ()))
    if caught:
        errors.CAUGHT.clear()
        pytest.fail(f"the app caught unexpected errors (tracebacks in the log): {caught}")


@pytest.fixture(autouse=True, scope="session")
def attention_lab_home(tmp_path_factory):
    """App sessions and servers started by tests keep their workspaces in a temporary data folder, not ./.attention_lab."""
    import os

    folder = tmp_path_factory.mktemp("attention_lab_home")
    previous = os.environ.get("ATTENTION_LAB_HOME")
    os.environ["ATTENTION_LAB_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("ATTENTION_LAB_HOME", None)
    else:
        os.environ["ATTENTION_LAB_HOME"] = previous
