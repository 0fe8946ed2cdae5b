"""Shared fixtures: tiny AIHUB-shaped corpora written in tmp_path (hermetic, no download)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from core.data import NEW_COLUMNS, OLD_COLUMNS

CUES = {
    "기쁨": ["정말 기뻐", "너무 행복해", "신이 나"],
    "당황": ["너무 당황스러워", "창피해서 얼굴이 빨개졌어", "어쩔 줄 모르겠어"],
    "분노": ["너무 화가 나", "정말 짜증 나", "열받아 죽겠어"],
    "불안": ["너무 불안해", "걱정돼서 잠이 안 와", "초조해"],
    "상처": ["상처받았어", "배신감이 들어", "너무 서운해"],
    "슬픔": ["너무 슬퍼", "눈물이 나", "우울해"],
}
PLACES = ["회사에서", "학교에서", "집에서", "모임에서"]
PEOPLE = ["친구가", "엄마가", "팀장님이", "동생이"]


def tiny_rows(n_per_class: int = 20, seed: int = 0) -> list[dict]:
    """Rows keyed by old-release column names; the emotion shows in a cue phrase."""
    rng = random.Random(seed)
    rows = []
    for label, cues in CUES.items():
        for _ in range(n_per_class):
            text = f"오늘 {rng.choice(PLACES)} {rng.choice(PEOPLE)} 그래서 {rng.choice(cues)} {rng.randint(1, 999)}"
            rows.append({"연령": "청년", "성별": rng.choice(["남성", "여성"]), "상황키워드": "대인관계",
                         "신체질환": "해당없음", "감정_대분류": label, "감정_소분류": f"{label}-소",
                         "사람문장1": text, "시스템응답1": "그랬군요.", "사람문장2": "응 맞아", "시스템응답2": "힘드셨겠어요."})
    rng.shuffle(rows)
    return rows


def old_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).reindex(columns=OLD_COLUMNS)
    frame["번호"] = range(1, len(frame) + 1)
    return frame


def new_frame(rows: list[dict]) -> pd.DataFrame:
    renamed = [{k.replace("시스템응답", "시스템문장"): v for k, v in row.items()} for row in rows]
    frame = pd.DataFrame(renamed).reindex(columns=[c for c in NEW_COLUMNS if c])
    frame.insert(0, "", range(len(frame)))  # the new release's blank-headed index column
    return frame


@pytest.fixture
def tiny_xlsx(tmp_path):
    path = tmp_path / "tiny.xlsx"
    old_frame(tiny_rows()).to_excel(path, sheet_name="Sheet1", index=False, engine="openpyxl")
    return path
