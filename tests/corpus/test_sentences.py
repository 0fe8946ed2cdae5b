"""Sentences for batch prediction: which column is read, text files, the row cap, and refusals in the reader's style."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.corpus.data import write_xlsx
from core.corpus.sentences import read_sentences
from core.errors import CorpusError


def xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return buffer.getvalue()


def test_a_named_column_is_read_whatever_comes_before_it():
    frame = pd.DataFrame({"메모": ["a", "b"], "Text": ["화가 나", "  기뻐 "], "문장x": ["x", "y"]})
    read = read_sentences(xlsx(frame), "s.xlsx")
    assert read.column == "Text" and read.texts == ["화가 나", "기뻐"] and read.rows_capped == 0


def test_without_a_named_column_the_first_text_column_is_read():
    data = "id,score,발화\n1,0.5,친구가 약속을 어겼어\n2,0.7,\n3,1.5,합격했어\n".encode("cp949")
    read = read_sentences(data, "s.csv")
    assert read.column == "발화" and read.texts == ["친구가 약속을 어겼어", "합격했어"]


def test_a_tsv_keeps_commas_and_a_sentence_reading_na():
    read = read_sentences("문장\t번호\n그래, 알겠어\t1\nNA\t2\n".encode(), "s.tsv")
    assert read.texts == ["그래, 알겠어", "NA"]


def test_a_text_file_is_one_sentence_a_line_capped_and_cut():
    data = "\ufeff첫 문장, 쉼표도\n\n  둘째   문장 \n" + "\n".join(f"문장 {i}" for i in range(10))
    read = read_sentences(data.encode("utf-8"), "s.txt", max_rows=5, max_chars=4)
    assert read.column == "" and read.texts[:2] == ["첫 문장", "둘째 문"] and len(read.texts) == 5
    assert read.rows_capped == 7


@pytest.mark.parametrize(("data", "name", "match"), [
    (b"\n \n", "s.txt", "empty"),
    ("번호\n1\n2\n".encode(), "s.csv", "no column of sentences"),
    ('문장,b\n"열린 따옴표,1\n'.encode() + b"x" * 10, "s.csv", "sentences"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "s.xls", "legacy .xls"),
    (b"PK\x03\x04broken", "s.xlsx", "corrupted"),
    (b"\x00\x01\x02binary", "s.txt", "binary"),
])
def test_bad_files_are_refused_in_one_line(data, name, match):
    with pytest.raises(CorpusError, match=match):
        read_sentences(data, name)


def test_the_corpus_readers_size_limit_applies(monkeypatch):
    monkeypatch.setattr("core.corpus.data.MAX_FILE_BYTES", 10)
    with pytest.raises(CorpusError, match="larger than"):
        read_sentences("문장 하나\n문장 둘\n".encode(), "s.txt")
