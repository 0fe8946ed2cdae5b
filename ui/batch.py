"""The Predict page's file of sentences: the upload, its job with a progress bar, the table and its CSV."""

from __future__ import annotations

from functools import partial

import streamlit as st

from core.classifier.batch import MAX_BATCH_ROWS, BatchResult, predict_file
from core.classifier.task import Classifier
from core.errors import AttentionLabError
from ui import state
from ui.i18n import plain, t
from ui.tables import batch_table, csv_button
from ui.training import live_job, render_share
from ui.widgets import file_uploader, show_error

SENTENCE_TYPES = ("xlsx", "csv", "tsv", "txt")  # what core.corpus.sentences reads
JOB_NAME = "predict_file"


def predict_from_file(classifier: Classifier) -> None:
    """A job even for a short file: reading and predicting 20,000 sentences must not hold up the page or the server."""
    upload = file_uploader(t("batch.upload"), SENTENCE_TYPES, key="batch_upload")
    st.caption(t("batch.note", rows=f"{MAX_BATCH_ROWS:,}"))
    if st.button(t("batch.run"), type="primary", icon=":material/play_arrow:", disabled=upload is None):
        try:
            state.batch_job.set(state.start_job(partial(predict_file, classifier, upload.getvalue(), upload.name),
                                                JOB_NAME))
        except AttentionLabError as error:
            show_error(error)
    progress = partial(render_share, label=lambda done: t("batch.running", pct=f"{done:.0%}"))
    live_job(state.batch_job.key, progress, keep_result, name=JOB_NAME)
    result = state.batch_result.get()
    if result is not None:
        show_result(result)


def keep_result(snapshot) -> None:
    if snapshot.result is not None:
        state.batch_result.set(snapshot.result)


def show_result(result: BatchResult) -> None:
    st.subheader(t("batch.results", name=plain(result.name)))
    if result.rows_capped:
        st.info(t("batch.capped", n=f"{MAX_BATCH_ROWS:,}", rest=f"{result.rows_capped:,}"))
    count = f"{len(result.table):,}"
    st.caption(t("batch.column", column=plain(result.column), n=count) if result.column else t("batch.lines", n=count))
    table = batch_table(result.table)
    probability = t("batch.col.probability")
    # Shown in percent with one decimal on every row (Streamlit's "percent" format drops trailing zeros: 30.9%
    # under 19.97%); the CSV keeps the probability itself.
    st.dataframe(table.assign(**{probability: table[probability] * 100}), hide_index=True,
                 column_config={probability: st.column_config.NumberColumn(format="%.1f%%")})
    csv_button(t("batch.download"), table, "predictions.csv", "batch_csv")
