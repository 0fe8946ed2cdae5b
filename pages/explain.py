"""Does attention explain? One sentence's attention against three attribution methods, then the whole model."""

from functools import partial

import pandas as pd
import streamlit as st

from core.corpus.data import check_upload_name, load_dataset
from core.errors import AttentionLabError
from core.explain import plots as explain_plots
from core.explain.attribution import METHODS, PAIRS, PUBLISHED_TAU, explain, pair_key, view
from core.explain.summary import SUMMARY_LIMIT, KeptSummary, keeping_summary_job
from ui import state
from ui.i18n import EXAMPLES, class_name, labels_for, model_name, plain, t
from ui.training import live_job, render_share
from ui.widgets import CORPUS_TYPES, file_uploader, needs_model, page_header, pooling_note, show_error, text_table

SOURCES = ["validation", "file"]
JOB_NAME = "explain"

page_header(__file__, "explain")
active = state.model()
if active is None:
    needs_model()
    st.stop()
classifier = active.classifier
names = {m: t(f"explain.m.{m}") for m in (*METHODS, "random")}

state.default("w_explain_text", EXAMPLES[2])
text = st.text_area(t("explain.input"), key="w_explain_text", height=80).strip() or EXAMPLES[2]
stored = state.explanation.get()
if st.button(t("explain.run"), type="primary", icon=":material/play_arrow:") or not stored or stored[0] != active.version:
    state.explanation.set((active.version, explain(classifier, text)))
result = state.explanation.get()[1]
pooling_note(classifier.model_config.pooling)
st.markdown(t("explain.label", label=plain(class_name(result.label)), p=f"{result.probability:.1%}", n=len(result.tokens)))
verdict = result.verdict
st.info(t("explain.verdict", agreement=t(f"explain.agree.{verdict.agreement}"),
          tau="—" if verdict.tau != verdict.tau else f"{verdict.tau:.2f}", moves=t(f"explain.moves.{verdict.sensitive}"),
          delta=f"{verdict.delta:.3f}", advice=t(f"explain.advice.{verdict.advice}")), icon=":material/gavel:")

st.subheader(t("explain.rows"))
by_word = st.toggle(t("explain.words"), key="w_explain_words")
shown = view(result, by_word)
st.plotly_chart(explain_plots.attribution_rows(shown.units, shown.scores, names), key="explain_rows")
st.caption(t("explain.rows_note"))

st.subheader(t("explain.agreement"))
taus, overlaps, k = shown.kendall_tau, shown.top_k_overlap, shown.top_k
pair_names = [f"{names[a]} ~ {names[b]}" for a, b in PAIRS]
# Charts and their tables one under the other, each the page's width: side by side, neither fitted at 1000 px.
st.plotly_chart(explain_plots.agreement_bars(pair_names, [taus[pair_key(a, b)] for a, b in PAIRS],
                                             [PUBLISHED_TAU.get(p) for p in PAIRS], t("explain.published")),
                key="explain_tau")
text_table(pd.DataFrame({
    t("explain.pair"): pair_names, "Kendall τ": [taus[pair_key(a, b)] for a, b in PAIRS],
    t("explain.overlap", k=k): [overlaps[pair_key(a, b)] for a, b in PAIRS],
    t("explain.published"): ["{:.2f}–{:.2f}".format(*PUBLISHED_TAU[p]) if p in PUBLISHED_TAU else "" for p in PAIRS],
}), floats=".2f")
st.caption(t("explain.agreement_note", k=k))

st.subheader(t("explain.deletion"))
st.plotly_chart(explain_plots.deletion_curves(result.deletion, names, t("explain.removed"), t("explain.p")),
                key="explain_deletion")
text_table(pd.DataFrame({t("explain.method"): [names[m] for m in result.comprehensiveness],
                         t("explain.comp"): list(result.comprehensiveness.values()),
                         t("explain.suff"): list(result.sufficiency.values())}))
st.caption(t("explain.deletion_note"))

st.subheader(t("explain.counterfactual"))
cells = st.columns(3)
cells[0].metric(t("explain.permute"), f"{result.permutation_median_delta:.3f}")
cells[1].metric(t("explain.uniform"), f"{result.uniform_delta:+.3f}")
cells[2].metric(t("explain.top_zeroed"), f"{result.top_zeroed_delta:+.3f}",
                t("explain.flips") if result.top_zeroed_flips else t("explain.stays"), delta_color="off", delta_arrow="off")
st.caption(t("explain.cf_note"))

st.divider()
st.subheader(t("explain.model"))
st.caption(t("explain.model_note"))
state.default("w_explain_source", "validation" if active.val_texts else "file")
source = st.radio(t("explain.source"), SOURCES, format_func=labels_for("explain.source", SOURCES),
                  key="w_explain_source", horizontal=True)
upload = file_uploader(t("explain.upload"), CORPUS_TYPES, key="explain_upload") if source == "file" else None
state.default("w_explain_limit", SUMMARY_LIMIT)
limit = st.number_input(t("explain.limit"), 10, 5000, step=50, key="w_explain_limit")
mean_run = next((r for r in reversed(state.runs()) if r.pooling == "mean" and r.classifier is not None
                 and r.classifier is not classifier), None)
with_mean = mean_run is not None and st.checkbox(t("explain.with_mean", name=model_name(mean_run.name)), value=True)
ready = bool(active.val_texts) if source == "validation" else upload is not None
if st.button(t("explain.summarize"), icon=":material/query_stats:", disabled=not ready):
    try:
        if source == "validation":
            texts, labels = active.val_texts, active.val_labels
        else:
            check_upload_name(upload.name)
            dataset = load_dataset(upload.getvalue(), upload.name, classifier.data_config)
            texts, labels = dataset.texts, [dataset.label_names[y] for y in dataset.labels]
        models = [(active.source, classifier)] + ([(mean_run.name, mean_run.classifier)] if with_mean else [])
        job = keeping_summary_job(models, texts, labels, int(limit), state.workspace(), active.source)
        state.explain_job.set(state.start_job(job, JOB_NAME))
        state.explain_version.set(active.version)
    except AttentionLabError as error:
        show_error(error)


def keep_summary(snapshot) -> None:
    if isinstance(snapshot.result, KeptSummary):  # None: stopped
        state.explain_summary.set((state.explain_version.get(), snapshot.result.summaries))
        state.job_save_failed(snapshot.result.save_error)


progress = partial(render_share, label=lambda done: t("explain.running", pct=f"{done:.0%}"))
live_job(state.explain_job.key, progress, keep_summary, name=JOB_NAME)
summaries = state.explain_summary_of(active)
if not summaries:
    st.stop()
rows = []
for name, s in summaries:
    row = {t("explain.model_col"): model_name(name), t("explain.n"): f"{s.n:,}", t("explain.accuracy"): s.accuracy,
           t("explain.uniform_accuracy"): s.uniform_accuracy}
    row.update({t("explain.tau_with", method=names[m]): v for m, v in s.mean_tau.items()})
    row.update({f"{t('explain.comp')} · {names[m]}": v for m, v in s.comprehensiveness.items()})
    row.update({t("explain.perm_delta"): s.permutation_median_delta, t("explain.flip_rate"): s.top_zeroed_flip_rate})
    rows.append(row)
by_model = pd.DataFrame(rows).set_index(t("explain.model_col")).T  # one column per model
text_table(by_model.reset_index(names=t("explain.measure")))
name, first = summaries[0]
st.caption(t("explain.took", n=f"{first.n:,}", s=f"{first.seconds:.1f}"))
st.plotly_chart(explain_plots.summary_bars(first.comprehensiveness, names, t("explain.comp"),
                                           t("explain.aopc_chart", name=model_name(name)), highlight="attention"),
                key="explain_summary_bars")
