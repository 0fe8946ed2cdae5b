"""Evaluate: score the model on its validation split or on an uploaded file, and browse its mistakes."""

from functools import partial

import pandas as pd
import streamlit as st

from core import plots
from core.classifier.evaluate import evaluate_file, evaluate_texts
from core.errors import AttentionLabError
from ui import state
from ui.i18n import class_name, class_names, labels_for, model_name, plain, t
from ui.tables import evaluation_downloads
from ui.training import live_job, render_share
from ui.widgets import CORPUS_TYPES, file_uploader, needs_model, page_header, pooling_note, show_attention, show_error

PAGE_SIZE = 10
SOURCES = ["validation", "file"]
JOB_NAME = "evaluate"

page_header(__file__, "eval")
active = state.model()
if active is None:
    needs_model()
    st.stop()
classifier = active.classifier

state.default("w_eval_source", "validation" if active.val_texts else "file")
source = st.radio(t("eval.source"), SOURCES, format_func=labels_for("eval.source", SOURCES),
                  key="w_eval_source", horizontal=True)
upload = None
if source == "validation":
    st.caption(t("eval.val_count", n=f"{len(active.val_texts):,}", name=plain(model_name(active.source)))
               if active.val_texts else t("eval.no_val"))
else:
    upload = file_uploader(t("eval.upload"), CORPUS_TYPES, key="eval_upload")
    st.caption(t("eval.upload_note", task=t(f"task.{classifier.data_config.task}"),
                 text=t(f"text.{classifier.data_config.text}")))
ready = bool(active.val_texts) if source == "validation" else upload is not None
if st.button(t("eval.run"), type="primary", icon=":material/play_arrow:", disabled=not ready):
    try:  # a job: a large file takes a while to read and score, and must not hold up the page or the server
        if source == "validation":
            job, name = partial(evaluate_texts, classifier, active.val_texts, active.val_labels), t("eval.source.validation")
        else:
            job, name = partial(evaluate_file, classifier, upload.getvalue(), upload.name), upload.name
        state.eval_job.set(state.start_job(job, JOB_NAME))
        state.eval_name.set(name)
    except AttentionLabError as error:
        show_error(error)


def keep_report(snapshot) -> None:
    if snapshot.result is not None:
        state.eval_report.set((state.eval_name.get(), snapshot.result))


progress = partial(render_share, label=lambda done: t("eval.running_pct", pct=f"{done:.0%}"))
live_job(state.eval_job.key, progress, keep_report, name=JOB_NAME)
if not state.eval_report.get():
    st.stop()
name, report = state.eval_report.get()
st.subheader(t("eval.results", name=plain(name)))
if report.skipped_unknown_labels:
    skipped = ", ".join(f"{plain(class_name(label))} ({n:,})" for label, n in report.skipped_unknown_labels.items())
    st.warning(t("eval.skipped", labels=skipped))
base = report.baseline
cells = [*st.columns(3), *st.columns(3)] if base else st.columns(4)  # six in one row cut the numbers at 1000 px
cells[0].metric(t("eval.n"), f"{report.n:,}")
cells[1].metric(t("eval.accuracy"), f"{report.accuracy:.3f}",
                delta=t("eval.vs_baseline", delta=f"{report.accuracy - base['accuracy']:+.3f}") if base else None)
cells[2].metric(t("eval.macro_f1"), f"{report.macro_f1:.3f}",
                delta=t("eval.vs_baseline", delta=f"{report.macro_f1 - base['macro_f1']:+.3f}") if base else None)
cells[3].metric(t("eval.wrong"), f"{len(report.misclassified):,}")
if base:
    cells[4].metric(t("eval.baseline_accuracy"), f"{base['accuracy']:.3f}")
    cells[5].metric(t("eval.baseline_macro_f1"), f"{base['macro_f1']:.3f}")
    st.caption(t("baseline_note"))
evaluation_downloads(report)

# The table above the matrix, each the page's width: side by side, neither fitted at 1000 px in English.
per_class = pd.DataFrame(report.per_class)
per_class["label"] = class_names(per_class["label"])
per_class = per_class.rename(columns={
    "label": t("eval.class"), "precision": t("eval.precision"), "recall": t("eval.recall"),
    "f1": "F1", "support": t("eval.support")})
st.dataframe(per_class, hide_index=True, column_config={
    c: st.column_config.NumberColumn(format="%.3f") for c in (t("eval.precision"), t("eval.recall"), "F1")})
st.plotly_chart(plots.confusion_matrix(report.confusion, class_names(report.label_names),
                                       x_title=t("eval.predicted"), y_title=t("eval.true")))

st.subheader(t("eval.mistakes"))
wrong = report.misclassified
every = t("eval.all")
true_col, pred_col, page_col = st.columns(3)
true_pick = true_col.selectbox(t("eval.true"), [every, *report.label_names], format_func=class_name)
pred_pick = pred_col.selectbox(t("eval.predicted"), [every, *report.label_names], format_func=class_name)
keep_true = (wrong["true"] == true_pick) | (true_pick == every)
shown = wrong[keep_true & ((wrong["predicted"] == pred_pick) | (pred_pick == every))]
pages = max(1, -(-len(shown) // PAGE_SIZE))
page = page_col.number_input(t("eval.page", pages=pages), 1, pages, 1)
st.caption(t("eval.shown", n=f"{len(shown):,}"))
pooling = classifier.model_config.pooling
pooling_note(pooling)
for _, row in shown.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE].iterrows():
    with st.container(border=True):
        st.markdown(t("eval.row", true=plain(class_name(row["true"])), predicted=plain(class_name(row["predicted"])),
                      confidence=f"{row['confidence']:.1%}"))
        show_attention(report.predictions[int(row["index"])], pooling, key=f"wrong_{row['index']}", note=False,
                       tokenizer=classifier.tokenizer)
