"""CSV downloads that Excel opens as they are: UTF-8 with a BOM, and no cell that a spreadsheet would run as a
formula."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets (OWASP's CSV
# injection list); students' sentences, file names and nicknames must stay text when a teacher opens the file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV (header, no index) in UTF-8 with a BOM, without which Excel reads Korean as mojibake; every
    text cell and header starting like a formula gets a leading apostrophe. Numbers stay numbers."""
    safe = frame.rename(columns=defuse)
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(defuse, na_action="ignore")
    return safe.to_csv(index=False).encode("utf-8-sig")


def defuse(value: object) -> object:
    """A text that would start a formula, with an apostrophe in front (shown as typed); anything else as it is."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
