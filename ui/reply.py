"""The Reply page's parts: which data and how many pairs, the time estimate before Start, the training job that keeps
its model in the workspace, the model's scores, and one decoded reply with its alignment matrix."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from core.corpus.data import Corpus, load_corpus
from core.errors import AttentionLabError
from core.jobs import JobSnapshot
from core.seq2seq.data import TURNS, PairConfig, Pairs, build_pairs
from core.seq2seq.decode import MBR_SAMPLES
from core.seq2seq.model import RNNS
from core.seq2seq.pipeline import KeptReply, estimate_seconds, keeping_reply_job, train_seq2seq
from core.seq2seq.plots import alignment_heatmap
from core.seq2seq.sink import attention_sink
from ui import settings, state
from ui.i18n import error_text, plain, t
from ui.training import history_chart, render_progress, stopped_warning
from ui.widgets import duration, show_error

JOB_NAME = "seq2seq"
SOURCES = ("corpus", "sample")
STUTTER_WARN = 0.05  # the bar: more than 5% of replies stutter → say so beside the score


def data_source() -> str:
    """The data the user picked: the workspace's corpus (when there is one) or the bundled sample."""
    options = SOURCES if state.corpus() is not None else SOURCES[1:]
    if st.session_state.get("w_reply_source") not in options:
        st.session_state.w_reply_source = options[0]
    corpus = state.corpus()
    names = {"corpus": t("reply.data.corpus", name=plain(corpus.source_name) if corpus else ""),
             "sample": t("reply.data.sample")}
    return st.radio(t("reply.data"), options, key="w_reply_source", horizontal=True, format_func=names.get)


def source_corpus(source: str) -> Corpus:
    return state.corpus() if source == "corpus" else load_corpus(state.sample_bytes(), state.SAMPLE_NAME)


def pairs_of(source: str, config: PairConfig) -> Pairs:
    """The pairs of the picked data, built once per (corpus, turns) in this session: the estimate needs their count on
    every rerun of the page."""
    corpus = state.corpus()
    key = (source, id(corpus) if source == "corpus" else None, config.turns, config.max_chars)
    cached = st.session_state.get("reply_pairs")
    if cached is None or cached[0] != key:
        cached = (key, build_pairs(source_corpus(source), PairConfig(turns=config.turns, max_chars=config.max_chars)))
        st.session_state.reply_pairs = cached
    return cached[1]


def setting_widgets() -> None:
    st.segmented_control(t("reply.turns"), TURNS, key="w_reply_turns", required=True,
                         format_func=lambda x: t(f"reply.turns.{x}"))
    a, b, c, d, e = st.columns(5)
    a.number_input(t("train.epochs"), 1, 50, key="w_reply_epochs")
    b.selectbox(t("train.hidden"), [32, 64, 128, 256], key="w_reply_hidden")
    c.selectbox(t("reply.rnn"), RNNS, key="w_reply_rnn", format_func=str.upper)
    d.slider(t("reply.teacher_forcing"), 0.5, 1.0, step=0.05, key="w_reply_tf", help=t("reply.tf_help"))
    e.number_input(t("train.seed"), 0, 2**31 - 1, key="w_reply_seed")


def plan(source: str) -> Pairs | None:
    """The pair cap widget and the estimate line for the chosen data and settings; the pairs, or None (one line
    said why)."""
    pair_config, model_config, train_config = settings.reply_configs()
    try:
        pairs = pairs_of(source, pair_config)
    except AttentionLabError as error:
        show_error(error)
        return None
    st.number_input(t("reply.max_pairs", n=f"{len(pairs):,}"), 0, 1_000_000, step=1000, key="w_reply_max_pairs",
                    help=t("reply.max_pairs_help"))
    used = min(len(pairs), pair_config.max_pairs or len(pairs))
    kept = state.reply_outcome.get()
    same_size = kept is not None and kept.generator.model_config.hidden_dim == model_config.hidden_dim
    measured = kept.generator.metrics.get("sentences_per_s") if same_size else None
    seconds = estimate_seconds(used, model_config, train_config, measured or None)
    st.caption(t("reply.estimate", pairs=f"{used:,}", epochs=train_config.epochs, time=duration(seconds)))
    return pairs


def start(pairs: Pairs) -> None:
    busy = state.running_job()
    if busy is not None:
        st.error(t("other_job", name=busy.name), icon=":material/block:")
        return
    pair_config, model_config, train_config = settings.reply_configs()
    state.reply_epochs.set(train_config.epochs)
    # A picklable job (it runs in a worker process): the default tokenizer; the job adds (callback, stop). The cap
    # travels with the pairs' config (and into the bundle); the session's cached pairs stay as built.
    train = partial(train_seq2seq, replace(pairs, config=pair_config), model_config, train_config, None)
    state.reply_job.set(state.start_job(keeping_reply_job(train, state.workspace()), JOB_NAME))


def render(snapshot: JobSnapshot) -> None:
    if snapshot.state == "failed":
        st.error(plain(error_text(snapshot.error)) if snapshot.error else t("failed"))
    render_progress(snapshot.state, snapshot.events, state.reply_epochs.get(), t("page.reply"),
                    second="perplexity", key="reply_curves")
    if snapshot.state == "stopped":
        stopped_warning(snapshot.events)


def finish(snapshot: JobSnapshot) -> None:
    if isinstance(snapshot.result, KeptReply):
        state.reply_outcome.set(snapshot.result)
        state.reply_generated.set(None)
        state.job_save_failed(snapshot.result.save_error)


def show_scores(kept: KeptReply) -> None:
    """The kept model's scores beside retrieval's, its stutter rate, its curves and its download."""
    metrics = kept.generator.metrics
    cells = st.columns(7)
    values = [(t("reply.val_loss"), f"{metrics['val_loss']:.3f}", None),
              (t("reply.perplexity"), _number(metrics["val_perplexity"], "{:,.0f}" if metrics["val_perplexity"] >= 100
                                              else "{:.2f}"), None),  # seven metrics share the width: 3,619 not 3619.03
              ("chrF", f"{metrics['val_chrf']:.1f}", None),
              (t("reply.retrieval_chrf"), _number(metrics.get("retrieval_chrf"), "{:.1f}"), t("reply.retrieval_help")),
              (t("reply.distinct"), _number(metrics.get("val_distinct"), "{:.0%}"), None),
              (t("reply.stutter"), _number(metrics.get("val_stutter"), "{:.1%}"), t("reply.stutter_help")),
              (t("reply.speed"), f"{metrics.get('sentences_per_s', 0.0):,.0f}", None)]
    for cell, (label, value, help_text) in zip(cells, values):
        cell.metric(label, value, help=help_text)
    if (metrics.get("val_stutter") or 0.0) > STUTTER_WARN:
        st.warning(t("reply.stutter_warn", share=f"{metrics['val_stutter']:.0%}"), icon=":material/repeat:")
    st.caption(f"{t('reply.pairs')}: {metrics.get('train_pairs', 0):,.0f} / {metrics.get('val_pairs', 0):,.0f}")
    if state.reply_job.get() is None:  # a job of this session draws its own curves above
        with st.expander(t("reply.curves")):
            history_chart(kept.generator.history, "reply_kept_curves", second="perplexity")
    st.download_button(t("reply.download"), kept.generator.to_bytes, file_name="attention-lab-seq2seq.zip",
                       mime="application/zip", icon=":material/download:", on_click="ignore")


def _number(value: float | None, pattern: str) -> str:
    return "—" if value is None or value != value else pattern.format(value)


def show_reply(reply, name: str) -> None:
    """One decoded reply: its text, its alignment matrix, and one sentence on the attention sink."""
    st.markdown(f"**{t(f'reply.title.{name}', k=reply.beam_size, n=MBR_SAMPLES)}**"
                f" · log P = {reply.log_prob:.2f}")
    st.text(reply.reply)
    st.plotly_chart(alignment_heatmap(reply.source_tokens, reply.target_tokens, reply.attention,
                                      x_title=t("reply.source"), y_title=t("reply.generated"),
                                      colorbar_title=t("weight"), cell_text=False), key=f"align_{name}")
    sink = attention_sink(reply.source_tokens, reply.attention)
    if sink is None:
        st.caption(t("reply.no_sink"))
    else:
        st.warning(t("reply.sink", pieces=plain(" ".join(sink.pieces).replace("▁", "")), share=f"{sink.share:.0%}",
                     peaks=sink.peak_rows, rows=sink.rows), icon=":material/anchor:")
