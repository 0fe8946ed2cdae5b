"""The corpus reader: both releases, CSV encodings, quirks, and clear errors for bad input."""

import io
import zipfile

import pandas as pd
import pytest

from core.config import DataConfig
from core.data import build_dataset, load_corpus, template_bytes, write_xlsx
from core.errors import CorpusError
from tests.conftest import new_frame, old_frame, tiny_rows


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(frame, buffer, sheet)
    return buffer.getvalue()


def test_old_release_xlsx(tiny_xlsx):
    corpus = load_corpus(tiny_xlsx)
    dataset = build_dataset(corpus, DataConfig())
    assert corpus.release == "old"
    assert dataset.label_names == ["기쁨", "당황", "분노", "불안", "상처", "슬픔"]
    assert dataset.report.rows_read == 120
    assert len(dataset.texts) == len(dataset.labels) == dataset.report.rows_used


def test_new_release_renames_system_columns_and_drops_index():
    corpus = load_corpus(xlsx_bytes(new_frame(tiny_rows())), "new.xlsx")
    assert corpus.release == "new"
    assert "시스템응답1" in corpus.frame.columns and "시스템문장1" not in corpus.frame.columns
    assert "" not in corpus.frame.columns and "Unnamed: 0" not in corpus.frame.columns
    assert build_dataset(corpus, DataConfig()).report.rows_used == 120


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949", "euc-kr", "utf-8"])
def test_csv_encodings(encoding):
    data = old_frame(tiny_rows()).to_csv(index=False).encode(encoding)
    dataset = build_dataset(load_corpus(data, "export.csv"), DataConfig())
    assert dataset.report.rows_used == 120
    assert "기쁨" in dataset.label_names


def test_tsv_of_new_release():
    data = new_frame(tiny_rows()).to_csv(index=False, sep="\t").encode("utf-8")
    corpus = load_corpus(data, "export.tsv")
    assert corpus.release == "new" and len(corpus.frame) == 120


def test_quirks_trailing_space_nan_duplicates_and_comma_label():
    rows = tiny_rows(5)
    rows[0]["감정_대분류"] = "불안 "
    rows[1]["사람문장1"] = None
    rows[2]["감정_대분류"] = None
    rows[3]["사람문장1"] = rows[4]["사람문장1"]
    rows[5]["감정_소분류"] = "가난한, 불우한"
    data = old_frame(rows).to_csv(index=False).encode("utf-8")
    corpus = load_corpus(data, "quirks.csv")
    dataset = build_dataset(corpus, DataConfig(task="emotion6"))
    report = dataset.report
    assert "불안 " not in dataset.label_names and "불안" in dataset.label_names
    assert (report.dropped_empty_text, report.dropped_missing_label, report.duplicates_removed) == (1, 1, 1)
    assert report.rows_used == 30 - 3
    minor = build_dataset(corpus, DataConfig(task="emotion58"))
    assert "가난한, 불우한" in minor.label_names


def test_binary_task_and_all_turns():
    corpus = load_corpus(xlsx_bytes(old_frame(tiny_rows())), "t.xlsx")
    binary = build_dataset(corpus, DataConfig(task="binary"))
    assert binary.label_names == ["긍정", "부정"]
    assert binary.report.label_counts == {"긍정": 20, "부정": 100}
    joined = build_dataset(corpus, DataConfig(text="all"))
    assert all(text.endswith("응 맞아") for text in joined.texts)


def test_unicode_and_whitespace_are_normalised():
    rows = tiny_rows(3)
    rows[0]["사람문장1"] = "  너무\t\t기뻐\n요  "
    rows[1]["사람문장1"] = "\u1100\u1161\u11a8 정말"  # decomposed jamo for 각
    dataset = build_dataset(load_corpus(old_frame(rows).to_csv(index=False).encode(), "n.csv"), DataConfig())
    assert "너무 기뻐 요" in dataset.texts
    assert "각 정말" in dataset.texts


def test_missing_columns_lists_found_and_expected():
    frame = pd.DataFrame({"문장": ["안녕"], "라벨": ["기쁨"]})
    with pytest.raises(CorpusError) as error:
        load_corpus(xlsx_bytes(frame), "wrong.xlsx")
    message = str(error.value)
    assert "문장" in message and "라벨" in message and "감정_대분류" in message


def test_needed_sheet_found_when_not_first():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["readme"]}).to_excel(writer, sheet_name="설명", index=False)
        old_frame(tiny_rows()).to_excel(writer, sheet_name="data", index=False)
    assert load_corpus(buffer.getvalue(), "two.xlsx").sheet == "data"


@pytest.mark.parametrize("payload, fragment", [
    (b"PK\x03\x04garbage" * 10, "corrupted"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64, "password"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "binary"),
    (b"   ", "empty"),
])
def test_bad_files_get_clear_messages(payload, fragment):
    with pytest.raises(CorpusError, match=fragment):
        load_corpus(payload, "bad.xlsx")


def test_plain_zip_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(CorpusError, match="not an Excel workbook"):
        load_corpus(buffer.getvalue(), "a.zip")


def test_zip_bomb_is_refused(monkeypatch):
    import core.data

    monkeypatch.setattr(core.data, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(CorpusError, match="zip bomb"):
        load_corpus(xlsx_bytes(old_frame(tiny_rows())), "bomb.xlsx")


def test_single_class_and_no_rows():
    rows = [r for r in tiny_rows() if r["감정_대분류"] == "기쁨"]
    with pytest.raises(CorpusError, match="same label"):
        build_dataset(load_corpus(xlsx_bytes(old_frame(rows)), "one.xlsx"), DataConfig())
    for row in rows:
        row["사람문장1"] = None
    with pytest.raises(CorpusError, match="no usable rows"):
        build_dataset(load_corpus(xlsx_bytes(old_frame(rows)), "none.xlsx"), DataConfig())


def test_long_cells_are_cut():
    rows = tiny_rows(2)
    rows[0]["사람문장1"] = "가" * 5000
    corpus = load_corpus(old_frame(rows).to_csv(index=False).encode(), "long.csv", max_chars=1000)
    assert corpus.cells_cut == 1
    assert max(len(t) for t in build_dataset(corpus, DataConfig()).texts) == 1000


def test_template_is_a_valid_corpus():
    corpus = load_corpus(template_bytes(), "template.xlsx")
    assert corpus.release == "old" and len(corpus.frame.columns) == 15
