"""Data: the corpus (an upload or the bundled sample), the task and the text, and what the loader kept."""

import streamlit as st

from core import plots
from core.config import TASKS, TEXT_MODES, DataConfig
from core.corpus.data import load_corpus, template_bytes
from core.errors import AttentionLabError
from ui import state
from ui.i18n import class_name, labels_for, t
from ui.widgets import CORPUS_TYPES, file_uploader, page_header, show_error

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

page_header(__file__, "data")

upload_col, side_col = st.columns([3, 2])
with upload_col:
    upload = file_uploader(t("data.upload"), CORPUS_TYPES, key="data_upload", help=t("data.upload_help"))
with side_col:
    st.download_button(t("data.template"), template_bytes, file_name="aihub_template.xlsx", mime=XLSX_MIME,
                       on_click="ignore", icon=":material/download:")
    st.button(t("data.use_sample"), icon=":material/dataset:", on_click=state.use_sample)

if upload is not None and state.is_new_upload("data", upload.file_id):
    with st.spinner(t("data.reading", name=upload.name)):
        try:
            state.set_corpus(load_corpus(upload.getvalue(), upload.name), upload.getvalue())
            st.rerun()  # the sidebar shows the new data
        except AttentionLabError as error:
            state.upload_error.set((upload.file_id, str(error)))
failed = state.upload_error.get()
if upload is not None and failed and failed[0] == upload.file_id:  # shown while the bad file stays selected
    st.error(t("data.upload_failed", message=failed[1]), icon=":material/error:")

if state.data_error() == "sample_missing" and state.corpus() is None:
    st.warning(t("data.sample_missing"))
corpus = state.corpus()
if corpus is None:
    st.stop()

state.default("w_task", state.data_config().task)
state.default("w_text", state.data_config().text)
task_col, text_col = st.columns(2)
with task_col:
    task = st.radio(t("data.task"), TASKS, format_func=labels_for("task", TASKS), key="w_task")
    if task == "binary":
        st.info(t("data.binary_note"))
with text_col:
    text = st.radio(t("data.text"), TEXT_MODES, format_func=labels_for("text", TEXT_MODES), key="w_text")
try:
    if state.apply_data_config(DataConfig(task=task, text=text)):
        st.rerun()
except AttentionLabError as error:
    show_error(error)
    st.caption(t("data.kept_previous"))

dataset = state.dataset()
report = dataset.report
st.subheader(t("data.loaded", name=corpus.source_name))
st.caption(t("data.release", release=t(f"release.{corpus.release}"), sheet=corpus.sheet))
cells = st.columns(5)
figures = [(t("data.rows_read"), report.rows_read), (t("data.dropped_empty"), report.dropped_empty_text),
           (t("data.dropped_label"), report.dropped_missing_label), (t("data.duplicates"), report.duplicates_removed),
           (t("data.rows_used"), report.rows_used)]
for cell, (label, value) in zip(cells, figures):
    cell.metric(label, f"{value:,}")
if corpus.rows_capped:
    st.warning(t("data.capped", rows=f"{corpus.rows_capped:,}"))
if corpus.cells_cut:
    st.caption(t("data.cut", cells=f"{corpus.cells_cut:,}"))
if task == "binary" and len(report.label_counts) == 2:
    positive, negative = report.label_counts.get("긍정", 0), report.label_counts.get("부정", 0)
    st.caption(t("data.binary_ratio", ratio=f"1 : {negative / max(positive, 1):.1f}"))

chart_tab, length_tab, preview_tab = st.tabs([t("data.distribution"), t("data.lengths"), t("data.preview")])
with chart_tab:
    counts = {class_name(label): n for label, n in report.label_counts.items()}
    st.plotly_chart(plots.class_distribution(counts, y_title=t("sentences")))
with length_tab:
    lengths = [len(x) for x in dataset.texts]
    st.plotly_chart(plots.length_histogram(lengths, x_title=t("data.chars"), y_title=t("sentences"),
                                           median_label=t("median")))
with preview_tab:
    st.dataframe(corpus.frame.head(200).astype("string"), hide_index=True, height=360)
    st.caption(t("data.preview_note", rows=f"{len(corpus.frame):,}"))
