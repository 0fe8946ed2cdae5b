"""Korean throughout (issue 22): every core error code has a Korean and an English line, and each bad corpus file
the tests use (tests/corpus/bad_files.py) gets a Korean line on the Data page; a file of another kind gets ours, not
the browser's English; a job's failure is shown in Korean too, and so are the board's settings. Bundles in Korean:
tests/app/test_hostile.py."""

from __future__ import annotations

import string

import pytest

import core.corpus.data
from core.errors import MESSAGES, AttentionLabError, BundleError, CorpusError
from tests.app.test_app import click, ko, new_app, open_page, through_app  # noqa: F401  (fixture)
from tests.corpus.bad_files import BAD_FILES, rows_where, xlsx_bytes
from tests.english import english_in_error
from tests.training.test_bundle_hostile import good, tokenizer  # noqa: F401  (fixtures)
from ui import i18n
from ui.i18n import STRINGS, error_text, plain, settings_line


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_has_a_korean_and_an_english_line_that_format_with_its_values():
    for code, english in MESSAGES.items():
        korean, shown_english = STRINGS[f"error.{code}"]
        assert shown_english == english and korean.strip(), code
        assert fields(korean) <= fields(english), code  # Korean may leave out what only English names
        values = {name: 1 for name in fields(english)}  # every field takes a number (some format one: {mb:,.0f})
        line = korean.format(**values)
        assert code == "bundle_cause" or any("가" <= c <= "힣" for c in line), code  # its cause is the Korean
        assert not english_in_error(line), (code, line)
        english.format(**values)


def test_an_error_shows_in_the_sessions_language(monkeypatch):
    error = CorpusError("task_column_missing", name="a.xlsx", task="emotion58", column="감정_소분류")
    assert error_text(error) == ko("error.task_column_missing", name="a.xlsx", task=ko("task.emotion58"),
                                   column="감정_소분류")
    nested = BundleError("bundle_cause", name="b.zip", cause=AttentionLabError("tokenizer_ids"))
    assert error_text(nested) == f"b.zip: {ko('error.tokenizer_ids')}"
    kind = BundleError("bundle_kind", name="b.zip", kind="seq2seq", expected_kind="classifier")
    assert ko("kind.classifier") in error_text(kind) and not english_in_error(error_text(kind), "b.zip")
    assert error_text("KeyError: 'x'") == "KeyError: 'x'"  # a bug's one line, as it came
    monkeypatch.setattr(i18n, "language", lambda: "en")
    assert error_text(nested) == str(nested)
    assert error_text(error) == "a.xlsx: task 58 minor emotions needs the column 감정_소분류, which is missing."


@pytest.fixture(scope="module")
def data_page():
    at = new_app().run()
    assert at.file_uploader(key="data_upload").allowed_type == [], "any file: a wrong one gets our line"
    return at


def upload(at, name: str, data: bytes):
    at.file_uploader(key="data_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, name
    return at


@pytest.mark.parametrize("case", BAD_FILES)
def test_each_bad_file_gets_one_korean_line_on_the_data_page(data_page, case):
    bad = BAD_FILES[case]
    with pytest.MonkeyPatch.context() as patch:
        for constant, value in bad.patches.items():
            patch.setattr(core.corpus.data, constant, value)
        at = upload(data_page, bad.name, bad.data)
    assert len(at.error) == 1, (case, [e.value for e in at.error])
    line = at.error[0].value
    assert line.startswith(ko("data.upload_failed", message=plain(bad.name))), line
    assert not english_in_error(line, plain(bad.name)), (case, line)


def test_a_file_of_another_kind_gets_our_korean_line(data_page):
    at = upload(data_page, "notes.txt", "감정_대분류,사람문장1\n기쁨,좋아\n".encode())
    assert [e.value for e in at.error] == [ko("data.upload_failed", message=plain(ko(
        "error.file_extension", name="notes.txt", extensions=".xlsx, .csv, .tsv, .json")))]
    assert at.session_state["corpus"].source_name != "notes.txt", "the previous data stays"


def test_a_task_whose_column_is_missing_says_so_in_korean():
    at = upload(new_app().run(), "no_minor.xlsx", xlsx_bytes(rows_where().drop(columns=["감정_소분류"])))
    assert not at.error
    at.radio(key="w_task").set_value("emotion58").run()
    assert [e.value for e in at.error] == [plain(ko("error.task_column_missing", name="no_minor.xlsx",
                                                    task=ko("task.emotion58"), column="감정_소분류"))]


def test_a_jobs_failure_is_shown_in_korean(good):  # noqa: F811
    at = open_page(new_app().run(), "model")
    at.file_uploader(key="model_upload").upload("model.zip", good, "application/zip").run()
    open_page(at, "evaluate").file_uploader(key="eval_upload").upload("notes.txt", b"a,b\n", "text/plain").run()
    assert click(at, ko("eval.run")).session_state["eval_job"].join(120)  # the file is read in the job, refused there
    at.run()
    expected = plain(ko("error.file_extension", name="notes.txt", extensions=".xlsx, .csv, .tsv, .json"))
    assert expected in [e.value for e in at.error], [e.value for e in at.error]


def test_the_boards_settings_column_reads_in_the_sessions_language(monkeypatch):
    settings = {"pooling": "attention", "emb": "128", "lr": "0.003", "schedule": "cosine", "val_share": "0.2"}
    line = settings_line(settings)
    assert line == (f"{ko('train.pooling')} {ko('pooling.attention')} · {ko('train.emb')} 128 · {ko('train.lr')} 0.003 · "
                    f"{ko('train.schedule')} {ko('schedule.cosine')} · {ko('train.val_share')} 0.2")
    assert not english_in_error(line)
    monkeypatch.setattr(i18n, "language", lambda: "en")
    assert settings_line({"pooling": "mean", "future": "x"}) == "Pooling mean pooling · future x"
