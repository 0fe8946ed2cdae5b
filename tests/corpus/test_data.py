"""The corpus reader: both releases, CSV encodings, quirks, and clear errors for bad input."""

import io
import json
import zipfile

import pandas as pd
import pytest

from core.config import DataConfig
from core.corpus.data import JSON_MAJOR, JSON_MINOR, OLD_COLUMNS, build_dataset, load_corpus, template_bytes, write_xlsx
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
    dataset = build_dataset(corpus, DataConfig(task="emotion6", text="first"))
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
    dataset = build_dataset(load_corpus(old_frame(rows).to_csv(index=False).encode(), "n.csv"), DataConfig(text="first"))
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


def test_plain_zip_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(CorpusError, match="not an Excel workbook"):
        load_corpus(buffer.getvalue(), "a.zip")


def test_zip_bomb_is_refused(monkeypatch):
    import core.corpus.data

    monkeypatch.setattr(core.corpus.data, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(CorpusError, match="zip bomb"):
        load_corpus(xlsx_bytes(old_frame(tiny_rows())), "bomb.xlsx")


def test_single_class_and_no_rows():
    rows = [r for r in tiny_rows() if r["감정_대분류"] == "기쁨"]
    with pytest.raises(CorpusError, match="same label"):
        build_dataset(load_corpus(xlsx_bytes(old_frame(rows)), "one.xlsx"), DataConfig())
    for row in rows:
        row["사람문장1"] = None
    with pytest.raises(CorpusError, match="no usable rows"):
        build_dataset(load_corpus(xlsx_bytes(old_frame(rows)), "none.xlsx"), DataConfig(text="first"))


def test_long_cells_are_cut():
    rows = tiny_rows(2)
    rows[0]["사람문장1"] = "가" * 5000
    corpus = load_corpus(old_frame(rows).to_csv(index=False).encode(), "long.csv", max_chars=1000)
    assert corpus.cells_cut == 1
    assert max(len(t) for t in build_dataset(corpus, DataConfig()).texts) == 1000


def test_template_is_a_valid_corpus():
    corpus = load_corpus(template_bytes(), "template.xlsx")
    assert corpus.release == "old" and len(corpus.frame.columns) == 15


CODES = {"분노": "E18", "슬픔": "E24", "불안": "E37", "상처": "E42", "당황": "E56", "기쁨": "E61"}


def aihub_json(rows: list[dict]) -> list[dict]:
    """Dialogues in the official JSON layout, made from tiny_rows (made-up sentences)."""
    return [{"profile": {"persona-id": f"Pro_{i:05d}",
                         "persona": {"persona-id": "A02_G01_C01", "human": ["A02", "G01"], "computer": ["C01"]},
                         "emotion": {"emotion-id": f"S04_D02_{CODES[row['감정_대분류']]}",
                                     "type": CODES[row["감정_대분류"]], "situation": ["S04", "D02"]}},
             "talk": {"id": {"profile-id": f"Pro_{i:05d}", "talk-id": f"Pro_{i:05d}_00001"},
                      "content": {"HS01": row["사람문장1"], "SS01": "그랬군요.", "HS02": "응 맞아",
                                  "SS02": "힘드셨겠어요.", "HS03": "", "SS03": ""}}}
            for i, row in enumerate(rows)]


def json_bytes(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def test_json_release_maps_codes_turns_and_profile(tmp_path):
    path = tmp_path / "감성대화말뭉치_Validation.json"
    path.write_bytes(json_bytes(aihub_json(tiny_rows())))
    corpus = load_corpus(path)
    first = corpus.frame.iloc[0]
    assert corpus.release == "json" and corpus.sheet == "json" and corpus.rows_read == 120
    assert list(corpus.frame.columns) == OLD_COLUMNS
    assert (first["번호"], first["연령"], first["성별"], first["상황키워드"], first["신체질환"]) == (
        "Pro_00000_00001", "A02", "G01", "S04", "D02")
    assert first["시스템응답1"] == "그랬군요." and first["사람문장2"] == "응 맞아"
    assert pd.isna(first["사람문장3"]) and pd.isna(first["사람문장4"])  # "" and absent turns are missing
    dataset = build_dataset(corpus, DataConfig(text="first"))
    assert dataset.label_names == ["기쁨", "당황", "분노", "불안", "상처", "슬픔"]
    assert dataset.report.label_counts == {name: 20 for name in dataset.label_names}
    expected = {row["사람문장1"]: row["감정_대분류"] for row in tiny_rows()}
    assert all(expected[t] == dataset.label_names[y] for t, y in zip(dataset.texts, dataset.labels))
    minor = build_dataset(corpus, DataConfig(task="emotion58"))
    assert minor.label_names == sorted(["노여워하는", "우울한", "걱정스러운", "배신당한", "부끄러운", "감사하는"])
    assert all(t.endswith(" 응 맞아") for t in build_dataset(corpus, DataConfig(text="all")).texts)


def test_json_code_table_covers_e10_to_e69_in_six_blocks():
    assert sorted(JSON_MINOR) == [f"E{n}" for n in range(10, 70)]
    assert [JSON_MINOR[f"E{d}0"] for d in range(1, 7)] == [JSON_MAJOR[str(d)] for d in range(1, 7)]
    assert len(set(JSON_MINOR.values())) == 58  # 고립된 and 혼란스러운 appear under two 대분류


def test_json_with_bom_whitespace_caps_and_cuts(monkeypatch):
    import core.corpus.data

    dialogues = aihub_json(tiny_rows(2))
    dialogues[0]["talk"]["content"]["HS01"] = "가" * 5000
    monkeypatch.setattr(core.corpus.data, "MAX_ROWS", 10)
    corpus = load_corpus(b"\xef\xbb\xbf \n" + json_bytes(dialogues), "upload.json", max_chars=1000)
    assert corpus.release == "json" and len(corpus.frame) == 10 and corpus.rows_capped == 2
    assert corpus.cells_cut == 1 and len(corpus.frame.loc[0, "사람문장1"]) == 1000


def test_csv_starting_with_a_bracket_is_still_csv():
    frame = old_frame(tiny_rows())
    frame.insert(0, "[메모]", "x")
    corpus = load_corpus(frame.to_csv(index=False).encode("utf-8"), "bracket.csv")
    assert corpus.release == "old" and len(corpus.frame) == 120
