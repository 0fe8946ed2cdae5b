"""Hostile corpus files (issue 23): deep JSON and forged zip sizes get one CorpusError line, never a traceback."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from core.corpus.data import MAX_JSON_DEPTH, json_nesting, load_corpus, parse_json, write_xlsx
from core.errors import CorpusError
from tests.conftest import old_frame, tiny_rows
from tests.corpus.bad_files import forge_sizes


def one_line_error(data: bytes, name: str) -> str:
    with pytest.raises(CorpusError) as raised:
        load_corpus(data, name)
    message = str(raised.value)
    assert message.startswith(f"{name}: ") and "\n" not in message and len(message) < 400, message
    return message


@pytest.mark.parametrize("payload", [b"[" * 200_000 + b"]" * 200_000, b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
                                     b"[" * 200_000])
def test_deeply_nested_json_is_refused_in_one_line(payload):
    assert "nested more than 64 levels deep" in one_line_error(payload, "deep.json")


def test_nesting_is_measured_outside_strings_only():
    text = json.dumps({"a": "[[[{{{", "b": [1, {"c": "\\\"]]]"}], "d": []})
    assert json_nesting(text.encode()) == (3, 4)
    assert json_nesting(b"") == (0, 0) and json_nesting(b'"[[["') == (0, 0)
    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json(at_limit) == json.loads(at_limit)
    with pytest.raises(ValueError, match="nested more than"):
        parse_json(b"[" + at_limit + b"]")


def test_the_nesting_scan_is_linear_on_unclosed_strings():
    hostile = b'"ab\\' * 500_000  # a naive string pattern retries from every quote: minutes on this
    started = time.perf_counter()
    json_nesting(hostile)
    json_nesting(b'"' + b'\\"' * 1_000_000)
    assert time.perf_counter() - started < 2


def test_a_number_too_long_to_convert_is_one_line():
    message = one_line_error(b'[{"profile": ' + b"9" * 5000 + b"}]", "long.json")
    assert "not valid UTF-8 JSON" in message


def test_a_corpus_that_merely_starts_with_a_bracket_is_still_read_as_csv():
    rows = tiny_rows(2)
    header = "[번호],감정_대분류,사람문장1\n"
    text = header + "".join(f"{i},{row['감정_대분류']},{row['사람문장1']}\n" for i, row in enumerate(rows))
    corpus = load_corpus(text.encode("utf-8"), "brackets.csv")
    assert corpus.sheet == "csv" and len(corpus.frame) == len(rows)


def test_a_workbook_whose_zip_lies_about_its_sizes_is_refused():
    buffer = io.BytesIO()
    write_xlsx(old_frame(tiny_rows()), buffer)
    message = one_line_error(forge_sizes(buffer.getvalue(), 100), "lying.xlsx")
    assert "damaged" in message


def test_a_workbook_inflating_past_the_cap_is_refused(monkeypatch):
    import core.corpus.data

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(4 * 1024 * 1024))  # 4 MB of zeros: a few KB deflated
    monkeypatch.setattr(core.corpus.data, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    assert "zip bomb" in one_line_error(buffer.getvalue(), "bomb.xlsx")
