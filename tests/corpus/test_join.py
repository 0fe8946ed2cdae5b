"""Several files joined into one corpus: each read with its own layout, duplicate dialogues across files dropped."""

from __future__ import annotations

import io

import pytest

from core.config import DataConfig
from core.corpus.data import build_dataset, join_corpora, load_corpora, load_corpus, load_uploads, write_xlsx
from core.errors import CorpusError
from tests.conftest import new_frame, old_frame, tiny_rows


def xlsx(frame) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return buffer.getvalue()


def test_two_releases_join_with_duplicates_dropped_and_one_report_per_file():
    rows = tiny_rows(10)  # 60 dialogues
    first = load_corpus(xlsx(old_frame(rows[:40])), "Training.xlsx")
    second = load_corpus(old_frame(rows[30:]).to_csv(index=False).encode("cp949"), "Validation.csv")
    joined = join_corpora([first, second])
    assert joined.source_name == "Training.xlsx + Validation.csv" and len(joined.frame) == 60
    assert [(p.name, p.rows_read, p.rows_kept, p.duplicates_dropped) for p in joined.parts] == [
        ("Training.xlsx", 40, 40, 0), ("Validation.csv", 30, 20, 10)]
    assert joined.rows_read == 70 and joined.sheet == "Sheet1, csv"
    dataset = build_dataset(joined, DataConfig())
    assert len(dataset.texts) == 60 and len(set(dataset.groups)) == 60  # dialogues stay distinct across files


def test_a_dialogue_matches_across_layouts_and_turn_mode_groups_stay_apart():
    rows = tiny_rows(5)
    old = load_corpus(xlsx(old_frame(rows)), "old.xlsx")
    new = load_corpus(xlsx(new_frame(rows[:10] + tiny_rows(5, seed=1)[:10])), "new.xlsx")
    joined = join_corpora([old, new])
    assert joined.release == "mixed" and joined.parts[1].duplicates_dropped == 10
    turns = build_dataset(joined, DataConfig(text="turns"))
    first_turn_groups = {g for g, text in zip(turns.groups, turns.texts) if text != "응 맞아"}
    assert len(first_turn_groups) == 40


def test_one_file_comes_back_unchanged(tiny_xlsx):
    single = load_corpus(tiny_xlsx)
    assert join_corpora([single]) is single and single.parts == []
    joined = load_corpora([tiny_xlsx])
    assert joined.frame.equals(single.frame) and joined.source_name == single.source_name


def test_the_same_file_twice_keeps_each_dialogue_once(tiny_xlsx):
    joined = load_corpora([tiny_xlsx, tiny_xlsx])
    assert len(joined.frame) == 120 and joined.parts[1].rows_kept == 0


def test_errors_name_the_file(tiny_xlsx, tmp_path):
    with pytest.raises(CorpusError, match="missing.xlsx"):
        load_corpora([tiny_xlsx, tmp_path / "missing.xlsx"])
    with pytest.raises(CorpusError):
        join_corpora([])


def test_uploads_keep_one_file_as_it_is_and_several_as_one_joined_workbook(tiny_xlsx):
    data = tiny_xlsx.read_bytes()
    single, kept = load_uploads([(data, "one.xlsx")])
    assert kept == data and single.source_name == "one.xlsx"
    rows = tiny_rows(10)
    second = xlsx(new_frame(rows))
    joined, kept = load_uploads([(data, "a.xlsx"), (second, "b.xlsx")])
    reopened = load_corpus(kept, joined.source_name)  # what a workspace gives back
    assert len(reopened.frame) == len(joined.frame) == 120 + joined.parts[1].rows_kept
    assert reopened.frame["사람문장1"].tolist() == joined.frame["사람문장1"].tolist()
