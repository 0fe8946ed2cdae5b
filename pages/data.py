"""Data: the corpus (an upload or the bundled sample), the task and the text, and what the loader kept."""

import streamlit as st

from core import plots
from core.config import TASKS, TEXT_MODES, DataConfig
from core.corpus.data import load_uploads, template_bytes
from core.errors import AttentionLabError
from ui import state
from ui.i18n import class_name, error_text, labels_for, plain, t
from ui.widgets import CORPUS_TYPES, file_uploader, page_header, show_error

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

page_header(__file__, "data")

upload_col, side_col = st.columns([3, 2])
with upload_col:
    uploads = file_uploader(t("data.upload"), CORPUS_TYPES, key="data_upload", help=t("data.upload_help"),
                            accept_multiple_files=True)  # several files are read one by one, then joined
with side_col:
    st.download_button(t("data.template"), template_bytes, file_name="aihub_template.xlsx", mime=XLSX_MIME,
                       on_click="ignore", icon=":material/download:")
    st.button(t("data.use_sample"), icon=":material/dataset:", on_click=state.use_sample)

chosen = "|".join(u.file_id for u in uploads or [])  # one id for the files chosen together
if chosen and state.is_new_upload("data", chosen):
    with st.spinner(t("data.reading", name=plain(", ".join(u.name for u in uploads)))):
        try:
            state.set_corpus(*load_uploads([(u.getvalue(), u.name) for u in uploads]))
            st.rerun()  # the sidebar shows the new data
        except AttentionLabError as error:
            state.upload_error.set((chosen, error))
failed = state.upload_error.get()
if chosen and failed and failed[0] == chosen:  # shown while the bad files stay selected
    st.error(t("data.upload_failed", message=plain(error_text(failed[1]))), icon=":material/error:")

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
    text_label = labels_for("text", TEXT_MODES)
    all_label = t("text.all_turns", last=corpus.turns) if corpus.turns > 1 else t("text.all_one")  # this file's turns
    text = st.radio(t("data.text"), TEXT_MODES, format_func=lambda mode: all_label if mode == "all" else text_label(mode),
                    key="w_text", help=t("data.text_help"))
try:
    if state.apply_data_config(DataConfig(task=task, text=text)):
        st.rerun()
except AttentionLabError as error:
    show_error(error)
    st.caption(t("data.kept_previous"))

dataset = state.dataset()
report = dataset.report
st.subheader(t("data.loaded", name=plain(corpus.source_name)))
st.caption(t("data.release", release=t(f"release.{corpus.release}"), sheet=plain(corpus.sheet), turns=corpus.turns))
for part in corpus.parts:  # one line per file when several were joined; st.text: file names are never Markdown
    st.text(t("data.part", name=part.name, release=t(f"release.{part.release}"), read=f"{part.rows_read:,}",
              kept=f"{part.rows_kept:,}", dropped=f"{part.duplicates_dropped:,}"))
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
