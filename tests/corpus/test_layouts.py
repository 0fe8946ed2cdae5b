"""Every spreadsheet layout: the Wave scripts' 기계문장k, generic headers with any number of turns, and the report's
layout name and real turn count, as xlsx, CSV and TSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.config import DataConfig
from core.corpus.data import WAVE_COLUMNS, build_dataset, join_corpora, load_corpus, turn_columns, write_xlsx
from tests.conftest import old_frame, tiny_rows


def wave_frame(n_per_class: int = 10, index: bool = False) -> pd.DataFrame:
    """The 평가용 Wave 대본 layout (11 columns, optionally after a 번호 column) from the tiny corpus's rows."""
    rows = []
    for i, row in enumerate(tiny_rows(n_per_class)):
        rows.append({**row, "기계문장1": f"그랬군요 {i}.", "기계문장2": "힘드셨겠어요.", "사람문장3": f"고마워 {i}",
                     "사람문장2": f"응 맞아 {i}"})
    frame = pd.DataFrame(rows).reindex(columns=WAVE_COLUMNS)
    if index:
        frame.insert(0, "번호", range(1, len(frame) + 1))
    return frame


def as_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    if kind == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(frame, buffer)
        return buffer.getvalue()
    return frame.to_csv(index=False, sep="\t" if kind == "tsv" else ",").encode("utf-8-sig")


@pytest.mark.parametrize("kind", ["xlsx", "csv", "tsv"])
@pytest.mark.parametrize("index", [False, True])
def test_wave_scripts_are_read_with_their_replies_and_three_turns(kind, index):
    corpus = load_corpus(as_bytes(wave_frame(index=index), kind), f"wave.{kind}")
    assert corpus.release == "wave" and corpus.turns == 3
    assert turn_columns(corpus.frame) == [("사람문장1", "시스템응답1"), ("사람문장2", "시스템응답2"), ("사람문장3", None)]
    assert not any(c.startswith("기계문장") for c in corpus.frame.columns)
    dataset = build_dataset(corpus, DataConfig(text="all"))
    assert dataset.report.rows_used == 60
    assert all("응 맞아" in text and "고마워" in text for text in dataset.texts)  # every turn joined, 3 included
    turns = build_dataset(corpus, DataConfig(text="turns"))
    assert len(turns.texts) == 180  # three human turns per dialogue, each its own example


def test_a_header_with_only_human_turns_is_generic():
    frame = pd.DataFrame({"감정_대분류": ["기쁨", "슬픔"] * 5, "사람문장1": [f"문장 {i}" for i in range(10)]})
    corpus = load_corpus(as_bytes(frame, "csv"), "mine.csv")
    assert corpus.release == "generic" and corpus.turns == 1
    assert turn_columns(corpus.frame) == [("사람문장1", None)]
    assert build_dataset(corpus, DataConfig()).report.rows_used == 10


def test_any_number_of_turns_is_read_in_turn_order():
    """Six turns, written out of order: the text joins them as 1..6 and the report says six."""
    rows = [{"감정_대분류": label, **{f"사람문장{k}": f"{label}{i}-{k}" for k in (6, 2, 1, 5, 3, 4)},
             **{f"시스템응답{k}": "네." for k in range(1, 7)}} for i, label in enumerate(["기쁨", "슬픔"] * 4)]
    corpus = load_corpus(as_bytes(pd.DataFrame(rows), "xlsx"), "six.xlsx")
    assert corpus.release == "generic" and corpus.turns == 6
    assert [human for human, _ in turn_columns(corpus.frame)] == [f"사람문장{k}" for k in range(1, 7)]
    assert build_dataset(corpus, DataConfig(text="all")).texts[0] == " ".join(f"기쁨0-{k}" for k in range(1, 7))


def test_the_old_release_with_turn_four_empty_reports_three_turns():
    rows = tiny_rows()
    for row in rows:
        row["사람문장3"] = "세 번째"
    corpus = load_corpus(as_bytes(old_frame(rows), "xlsx"), "raw.xlsx")
    assert corpus.release == "old" and corpus.turns == 3 and len(corpus.frame.columns) == 15


def test_joining_layouts_keeps_the_most_turns():
    joined = join_corpora([load_corpus(as_bytes(wave_frame(), "xlsx"), "wave.xlsx"),
                           load_corpus(as_bytes(old_frame(tiny_rows(seed=1)), "csv"), "old.csv")])
    assert joined.release == "mixed" and [p.release for p in joined.parts] == ["wave", "old"]
    assert joined.turns == 3  # the old file fills two turns, the Wave file three
