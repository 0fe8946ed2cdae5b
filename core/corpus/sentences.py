"""Unlabelled sentences from a file (xlsx, CSV/TSV, or text with one sentence per line) for batch prediction, read
under the corpus reader's limits and refused the way it refuses."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from core.corpus.data import (
    _OLE_MAGIC,
    _ZIP_MAGIC,
    MAX_ROWS,
    Source,
    _check_zip,
    _clean_header,
    _decode,
    _ole_problem,
    _read_bytes,
    normalize_text,
)
from core.errors import CorpusError

SENTENCE_COLUMNS = ("문장", "text", "sentence", "사람문장1")  # the column read when a file has one, else the first text
SNIFF_ROWS = 200  # rows looked at to tell a text column from numbers and ids


@dataclass
class SentenceFile:
    texts: list[str]  # non-empty sentences in file order, NFC, single spaces, cut to max_chars
    column: str  # the column they came from; "" for a text file
    rows_capped: int  # sentences after the first max_rows, not read


def read_sentences(source: Source, name: str | None = None, max_rows: int = MAX_ROWS,
                   max_chars: int = 1000) -> SentenceFile:
    """The sentences of a spreadsheet or CSV/TSV (the column named in SENTENCE_COLUMNS, else the first column of
    text; its first row is the header) or of a .txt file (one a line); raise CorpusError on bad input."""
    data, name = _read_bytes(source, name)
    if data.startswith(_ZIP_MAGIC):
        column, values = _from_xlsx(data, name)
    elif data.startswith(_OLE_MAGIC):
        raise CorpusError(_ole_problem(data), name=name)
    elif name.lower().endswith((".csv", ".tsv")):
        column, values = _from_delimited(data, name)
    else:
        column, values = "", _decode(data, name).splitlines()
    texts = [text[:max_chars] for text in map(normalize_text, values) if text]
    if not texts:
        raise CorpusError("no_sentences", name=name)
    return SentenceFile(texts[:max_rows], column, max(0, len(texts) - max_rows))


def _from_xlsx(data: bytes, name: str) -> tuple[str, list]:
    _check_zip(data, name)
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
        for sheet in sorted(book.sheet_names, key=lambda s: s != "Sheet1"):  # Sheet1 first, as the corpus reader
            frame = pd.read_excel(book, sheet_name=sheet, dtype=object, nrows=MAX_ROWS)
            position = _sentence_column(frame)
            if position is not None:
                return frame.columns[position], frame.iloc[:, position].tolist()
    except Exception as error:  # calamine raises several types for damaged files
        raise CorpusError("xlsx_damaged", name=name, problem=type(error).__name__) from None
    raise _no_column(name)


def _from_delimited(data: bytes, name: str) -> tuple[str, list]:
    text = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        # no NA parsing: a sentence reading "NA" or "null" is a sentence
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=object, nrows=MAX_ROWS, na_filter=False)
    except Exception as error:
        raise CorpusError("sentences_csv", name=name, problem=type(error).__name__) from None
    position = _sentence_column(frame)
    if position is None:
        raise _no_column(name)
    return frame.columns[position], frame.iloc[:, position].tolist()


def _sentence_column(frame: pd.DataFrame) -> int | None:
    """The position of the column of SENTENCE_COLUMNS the frame has (case aside), else of its first column mostly
    of text (ids and numbers are passed over); the headers are cleaned as the corpus reader cleans them."""
    frame.columns = [_clean_header(c) for c in frame.columns]
    by_name = {c.lower(): i for i, c in reversed(list(enumerate(frame.columns)))}  # the first of equal names wins
    for wanted in SENTENCE_COLUMNS:
        if wanted in by_name:
            return by_name[wanted]
    for position in range(len(frame.columns)):
        values = [normalize_text(v) for v in frame.iloc[:SNIFF_ROWS, position]]
        filled = [v for v in values if v]
        if filled and sum(not _is_number(v) for v in filled) * 2 >= len(filled):
            return position
    return None


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _no_column(name: str) -> CorpusError:
    return CorpusError("no_sentence_column", name=name, columns=" or ".join(SENTENCE_COLUMNS[:2]))
