"""CSV downloads: a BOM for Excel, Korean intact, formulas defused in text cells and headers, numbers untouched."""

from __future__ import annotations

import csv
import io

import pandas as pd

from core.export import csv_bytes


def test_csv_has_a_bom_and_reads_back_as_written():
    frame = pd.DataFrame({"문장": ["친구가, \"약속\"을\n어겼어", "기뻐"], "확률": [0.5, 1.0], "n": [1, 2]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["문장", "확률", "n"], ["친구가, \"약속\"을\n어겼어", "0.5", "1"], ["기뻐", "1.0", "2"]]


def test_cells_a_spreadsheet_would_run_get_an_apostrophe():
    frame = pd.DataFrame({"=HYPERLINK(1)": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "a=b", None],
                          "score": [-1.5, 0, 1, 2, 3, 4, 5]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[0] == ["'=HYPERLINK(1)", "score"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "a=b", ""]
    assert rows[1][1] == "-1.5"  # a number is not a formula
