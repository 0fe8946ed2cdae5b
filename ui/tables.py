"""Result tables as the pages show and download them: columns named in the user's language, classes as they are
shown, and CSV buttons whose bytes core.export makes (UTF-8 with a BOM, formulas defused)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from core.classifier.batch import TABLE_COLUMNS
from core.classifier.evaluate import PREDICTION_COLUMNS, EvalReport, prediction_rows
from core.export import csv_bytes
from ui.i18n import class_name, labels_for, t

EVAL_LABELS = ("true", "predicted")


def csv_button(label: str, data: pd.DataFrame | Callable[[], bytes], file_name: str, key: str) -> None:
    """A download button for a table as CSV. `data` may be a function making the bytes: Streamlit calls it on a
    thread of its own when the button is clicked, so it must not read the session (no t(), no class_name)."""
    content = partial(csv_bytes, data) if isinstance(data, pd.DataFrame) else data
    st.download_button(label, content, file_name=file_name, mime="text/csv", key=key, on_click="ignore",
                       icon=":material/download:")


def batch_table(table: pd.DataFrame) -> pd.DataFrame:
    """core.classifier.batch's table with class names and headers as shown."""
    names = {label: class_name(label) for label in table["label"].unique()}
    return table.assign(label=table["label"].map(names)).rename(columns=labels_for("batch.col", TABLE_COLUMNS))


def evaluation_downloads(report: EvalReport) -> None:
    """Every scored sentence, and the mistakes only, as CSV; the rows are made only when a button is clicked."""
    headers = labels_for("eval.col", PREDICTION_COLUMNS)
    shown = ({c: headers(c) for c in PREDICTION_COLUMNS}, {label: class_name(label) for label in report.label_names})
    every_col, wrong_col = st.columns(2)
    with every_col:
        csv_button(t("eval.download_all"), partial(_evaluation_csv, report, *shown, False),
                   "evaluation_predictions.csv", "eval_csv_all")
    with wrong_col:
        csv_button(t("eval.download_wrong"), partial(_evaluation_csv, report, *shown, True),
                   "evaluation_mistakes.csv", "eval_csv_wrong")


def _evaluation_csv(report: EvalReport, headers: dict[str, str], names: dict[str, str], wrong_only: bool) -> bytes:
    rows = prediction_rows(report)
    if wrong_only:
        rows = rows[rows["true"] != rows["predicted"]]
    for column in EVAL_LABELS:
        rows[column] = rows[column].map(names)
    return csv_bytes(rows.rename(columns=headers))
