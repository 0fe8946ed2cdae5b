"""The bundled sample corpus: this project's own counselling dialogues in the AIHUB old-release layout.

`generate()` builds it deterministically from the phrase modules; `python -m core.corpus.sample`
rewrites core/assets/sample_corpus.xlsx, which is committed so the app works out of the box.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pandas as pd

from core.corpus.sample.dialogue import EMOTIONS, MAJORS, compose

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "assets" / "sample_corpus.xlsx"
COLUMNS = ["번호", "연령", "성별", "상황키워드", "신체질환", "감정_대분류", "감정_소분류",
           "사람문장1", "시스템응답1", "사람문장2", "시스템응답2", "사람문장3", "시스템응답3", "사람문장4", "시스템응답4"]
DEFAULT_SEED = 20240
ROWS_PER_CLASS = 600

# Quirks of the real files, reproduced so the loader's clean-up is exercised on the sample too.
REPEATED_ROW_SHARE = 0.01  # rows repeated word for word further down
PADDED_LABEL_SHARE = 0.01  # labels with a trailing space, e.g. '불안 '

_FROZEN_TIME = (2024, 1, 1, 0, 0, 0)
_XML_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def generate(seed: int = DEFAULT_SEED, rows_per_class: int = ROWS_PER_CLASS) -> pd.DataFrame:
    """The 15-column corpus, the six major classes equally often; same seed, same frame."""
    rng = random.Random(seed)
    rows = [compose(rng, major, minor) for major, minor in balanced_plan(rng, rows_per_class)]
    _repeat_some_rows(rng, rows)
    _pad_some_labels(rng, rows)
    return pd.DataFrame([[number, *row] for number, row in enumerate(rows, start=1)], columns=COLUMNS)


def write_sample(path: str | Path = SAMPLE_PATH, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Write the corpus as xlsx (sheet Sheet1), byte-identical for the same seed; return the frame."""
    frame = generate(seed)
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name="Sheet1", index=False, engine="openpyxl")
    Path(path).write_bytes(_freeze_timestamps(buffer.getvalue()))
    return frame


def balanced_plan(rng: random.Random, rows_per_class: int) -> list[tuple[str, str]]:
    """(major, minor) per row: each major rows_per_class times, its minors in turn, then shuffled."""
    plan = []
    for major in MAJORS:
        minors = tuple(EMOTIONS[major].FEELINGS)
        plan += [(major, minors[i % len(minors)]) for i in range(rows_per_class)]
    rng.shuffle(plan)
    return plan


def _repeat_some_rows(rng: random.Random, rows: list[list]) -> None:
    """Overwrite a few rows with an earlier row of the same major class, so class balance holds."""
    major_column = COLUMNS.index("감정_대분류") - 1  # rows have no 번호 yet
    for _ in range(round(len(rows) * REPEATED_ROW_SHARE)):
        target = rng.randrange(len(rows) // 2, len(rows))
        earlier = [i for i in range(target) if rows[i][major_column] == rows[target][major_column]]
        rows[target] = list(rows[rng.choice(earlier)])


def _pad_some_labels(rng: random.Random, rows: list[list]) -> None:
    major_column, minor_column = COLUMNS.index("감정_대분류") - 1, COLUMNS.index("감정_소분류") - 1
    for _ in range(round(len(rows) * PADDED_LABEL_SHARE)):
        row = rows[rng.randrange(len(rows))]
        column = major_column if rng.random() < 0.7 else minor_column
        row[column] = row[column].rstrip() + " "


def _freeze_timestamps(xlsx: bytes) -> bytes:
    """Rewrite the zip with fixed dates, so regenerating the file does not change a single byte."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                content = _XML_TIMESTAMP.sub(b"2024-01-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(member.filename, date_time=_FROZEN_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()
