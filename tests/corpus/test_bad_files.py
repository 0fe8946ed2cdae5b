"""Each bad corpus file (tests/corpus/bad_files.py) is refused with one English line naming the file and the problem,
and every refusal carries a code the app can show in Korean."""

from __future__ import annotations

import re

import pytest

import core.corpus.data
from core.config import DataConfig
from core.corpus.data import build_dataset, check_upload_name, load_uploads
from core.errors import MESSAGES, CorpusError
from tests.corpus.bad_files import BAD_FILES


def refusal(case: str, monkeypatch) -> CorpusError:
    """The error reading the file as an upload, then building the default dataset, raises."""
    bad = BAD_FILES[case]
    for name, value in bad.patches.items():
        monkeypatch.setattr(core.corpus.data, name, value)
    with pytest.raises(CorpusError) as raised:
        corpus, _ = load_uploads([(bad.data, bad.name)])
        build_dataset(corpus, DataConfig())
    return raised.value


@pytest.mark.parametrize("case", BAD_FILES)
def test_each_bad_file_is_refused_in_one_line_with_a_code(case, monkeypatch):
    error = refusal(case, monkeypatch)
    message = str(error)
    assert message.startswith(f"{BAD_FILES[case].name}: ") and "\n" not in message and len(message) < 400, message
    assert re.search(BAD_FILES[case].fragment, message), message
    assert error.code in MESSAGES


@pytest.mark.parametrize("name", ["notes.txt", "report.pdf", "model.zip", "no_extension"])
def test_an_upload_of_another_kind_is_refused_by_its_name(name):
    with pytest.raises(CorpusError, match=r"only \.xlsx, \.csv, \.tsv, \.json files") as raised:
        load_uploads([("감정_대분류,사람문장1\n기쁨,좋아\n".encode(), name)])
    assert raised.value.code == "file_extension" and str(raised.value).startswith(f"{name}: ")


def test_upload_names_are_checked_case_blind_and_xls_reaches_the_reader():
    for name in ("DATA.XLSX", "a.Csv", "b.tsv", "c.json", "old.xls"):
        check_upload_name(name)
