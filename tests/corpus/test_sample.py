"""The bundled sample corpus: its layout, balance and labels, and that the generator reproduces it."""

from __future__ import annotations

import pandas as pd
import pytest

from core.corpus.sample import SAMPLE_PATH, generate, write_sample

OLD_RELEASE_COLUMNS = ["번호", "연령", "성별", "상황키워드", "신체질환", "감정_대분류", "감정_소분류",
                       "사람문장1", "시스템응답1", "사람문장2", "시스템응답2", "사람문장3", "시스템응답3",
                       "사람문장4", "시스템응답4"]

# The AIHUB label set; '가난한, 불우한' is one label, and 고립된 and 혼란스러운 occur under two majors.
MINOR_LABELS = {
    "기쁨": ["감사하는", "기쁨", "느긋", "만족스러운", "신뢰하는", "신이 난", "안도", "자신하는", "편안한", "흥분"],
    "당황": ["고립된", "남의 시선을 의식하는", "당황", "부끄러운", "외로운", "열등감", "죄책감의", "한심한",
             "혐오스러운", "혼란스러운"],
    "분노": ["구역질 나는", "노여워하는", "방어적인", "분노", "성가신", "악의적인", "안달하는", "좌절한",
             "짜증내는", "툴툴대는"],
    "불안": ["걱정스러운", "당혹스러운", "두려운", "불안", "스트레스 받는", "조심스러운", "초조한", "취약한",
             "혼란스러운", "회의적인"],
    "상처": ["가난한, 불우한", "고립된", "괴로워하는", "버려진", "배신당한", "상처", "억울한", "질투하는",
             "충격 받은", "희생된"],
    "슬픔": ["낙담한", "눈물이 나는", "마비된", "비통한", "실망한", "염세적인", "우울한", "환멸을 느끼는",
             "후회되는", "슬픔"],
}


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return pd.read_excel(SAMPLE_PATH, sheet_name="Sheet1", engine="calamine")


def test_the_file_has_the_old_release_columns_in_order(committed):
    assert SAMPLE_PATH.is_file()
    assert list(committed.columns) == OLD_RELEASE_COLUMNS


def test_regenerating_gives_exactly_the_committed_corpus(committed):
    pd.testing.assert_frame_equal(generate(), committed)


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another():
    first = generate(seed=7, rows_per_class=50)
    pd.testing.assert_frame_equal(first, generate(seed=7, rows_per_class=50))
    assert not first.equals(generate(seed=8, rows_per_class=50))


def test_writing_twice_gives_the_same_bytes(tmp_path):
    # Frozen zip timestamps: regenerating the committed file leaves git with nothing to diff.
    write_sample(tmp_path / "a.xlsx")
    write_sample(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_there_are_at_least_3000_dialogues_numbered_from_one(committed):
    assert len(committed) >= 3000
    assert committed["번호"].tolist() == list(range(1, len(committed) + 1))


def test_the_six_classes_are_balanced(committed):
    counts = committed["감정_대분류"].str.strip().value_counts()
    assert sorted(counts.index) == sorted(MINOR_LABELS)
    share = counts / len(committed)
    assert share.between(1 / 6 - 0.05, 1 / 6 + 0.05).all(), counts.to_dict()


def test_every_minor_label_appears_under_its_major(committed):
    pairs = set(zip(committed["감정_대분류"].str.strip(), committed["감정_소분류"].str.strip()))
    expected = {(major, minor) for major, minors in MINOR_LABELS.items() for minor in minors}
    assert pairs == expected
    assert len({minor for _, minor in expected}) == 58


def test_the_first_two_turns_are_never_empty(committed):
    for column in ("사람문장1", "시스템응답1", "사람문장2", "시스템응답2"):
        assert committed[column].notna().all(), column
        assert (committed[column].str.strip() != "").all(), column


def test_third_turns_are_common_and_fourth_turns_rare(committed):
    third, fourth = committed["사람문장3"].notna().mean(), committed["사람문장4"].notna().mean()
    assert 0.5 < third < 1 and 0 < fourth < 0.5
    for k in (3, 4):  # a person's sentence always has its reply
        assert (committed[f"사람문장{k}"].notna() == committed[f"시스템응답{k}"].notna()).all()


def test_real_data_quirks_are_reproduced(committed):
    padded = committed["감정_대분류"].str.endswith(" ") | committed["감정_소분류"].str.endswith(" ")
    assert 0 < padded.sum() < 0.03 * len(committed)
    assert committed["사람문장1"].duplicated().sum() > 0
    assert committed["사람문장1"].nunique() >= 0.95 * len(committed)


def test_situations_fit_the_speakers_age(committed):
    teen_topics = set(committed.loc[committed["연령"] == "청소년", "상황키워드"])
    assert teen_topics <= {"학업 및 진로", "학교폭력/따돌림", "가족관계", "대인관계"}
    assert "건강,죽음" in set(committed.loc[committed["연령"] == "노년", "상황키워드"])


def test_the_loader_reads_the_sample_into_six_clean_classes():
    from core.config import DataConfig
    from core.corpus.data import build_dataset, load_corpus

    dataset = build_dataset(load_corpus(SAMPLE_PATH), DataConfig())
    assert dataset.label_names == ["기쁨", "당황", "분노", "불안", "상처", "슬픔"]
    assert dataset.report.duplicates_removed > 0
