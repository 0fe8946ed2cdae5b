"""Reply generation: train an encoder-decoder with Bahdanau attention, then read its replies and alignment matrices."""

from functools import partial

import pandas as pd
import streamlit as st

from core.errors import AttentionLabError
from core.jobs import start_job
from core.seq2seq.data import TURNS, build_pairs
from core.seq2seq.decode import MBR_SAMPLES
from core.seq2seq.model import RNNS
from core.seq2seq.pipeline import train_seq2seq
from core.seq2seq.plots import alignment_heatmap
from core.seq2seq.sink import attention_sink
from ui import settings, state
from ui.i18n import EXAMPLES, plain, t
from ui.training import live_job, render_progress, stopped_warning
from ui.widgets import needs_data, page_header, show_error

JOB_NAME = "seq2seq"

page_header(__file__, "reply")
corpus = state.corpus()
if corpus is None:
    needs_data()
    st.stop()
settings.ensure_reply_defaults()
state.default("w_reply_text", EXAMPLES[0])


def setting_widgets() -> None:
    st.segmented_control(t("reply.turns"), TURNS, key="w_reply_turns", required=True,
                         format_func=lambda x: t(f"reply.turns.{x}"))
    a, b, c, d, e = st.columns(5)
    a.number_input(t("train.epochs"), 1, 50, key="w_reply_epochs")
    b.selectbox(t("train.hidden"), [32, 64, 128, 256], key="w_reply_hidden")
    c.selectbox(t("reply.rnn"), RNNS, key="w_reply_rnn", format_func=str.upper)
    d.slider(t("reply.teacher_forcing"), 0.5, 1.0, step=0.05, key="w_reply_tf", help=t("reply.tf_help"))
    e.number_input(t("train.seed"), 0, 2**31 - 1, key="w_reply_seed")


def start() -> None:
    busy = state.running_job()
    if busy is not None:
        st.error(t("other_job", name=busy.name), icon=":material/block:")
        return
    pair_config, model_config, train_config = settings.reply_configs()
    try:
        pairs = build_pairs(corpus, pair_config)
    except AttentionLabError as error:
        show_error(error)
        return
    state.reply_epochs.set(train_config.epochs)
    # A picklable job (it runs in a worker process): the default tokenizer; the job adds (callback, stop).
    job = partial(train_seq2seq, pairs, model_config, train_config, None)
    state.reply_job.set(start_job(busy, job, name=JOB_NAME))


def render(snapshot) -> None:
    if snapshot.state == "failed":
        st.error(plain(snapshot.error) if snapshot.error else t("failed"))
    render_progress(snapshot.state, snapshot.events, state.reply_epochs.get(), t("page.reply"),
                    second="perplexity", key="reply_curves")
    if snapshot.state == "stopped":
        stopped_warning(snapshot.events)


def finish(snapshot) -> None:
    if snapshot.result is not None and snapshot.result.fit.epochs:
        state.reply_outcome.set(snapshot.result)
        state.reply_generated.set(None)


with st.expander(t("reply.settings"), expanded=state.reply_outcome.get() is None):
    setting_widgets()
    if st.button(t("train.start"), type="primary", icon=":material/play_arrow:", key="reply_start"):
        start()
live_job(state.reply_job.key, render, finish)

outcome = state.reply_outcome.get()
if outcome is None:
    st.stop()
generator, metrics = outcome.generator, outcome.generator.metrics
st.divider()
cells = st.columns(6)
for cell, (label, value) in zip(cells, [
        (t("reply.val_loss"), f"{metrics['val_loss']:.3f}"), (t("reply.perplexity"), f"{metrics['val_perplexity']:.2f}"),
        ("chrF", f"{metrics['val_chrf']:.1f}"), (t("reply.retrieval_chrf"), f"{metrics.get('retrieval_chrf', float('nan')):.1f}"),
        (t("reply.distinct"), f"{metrics.get('val_distinct', float('nan')):.0%}"),
        (t("reply.speed"), f"{metrics['sentences_per_s']:,.0f}")]):
    cell.metric(label, value, help=t("reply.retrieval_help") if label == t("reply.retrieval_chrf") else None)
st.caption(f"{t('reply.pairs')}: {metrics['train_pairs']:,} / {metrics['val_pairs']:,}")  # a metric cut the numbers off
st.download_button(t("reply.download"), generator.to_bytes, file_name="attention-lab-seq2seq.zip",
                   mime="application/zip", icon=":material/download:", on_click="ignore")

st.subheader(t("reply.try"))
text_col, second_col, beam_col = st.columns([4, 2, 1], vertical_alignment="bottom")
sentence = text_col.text_input(t("reply.input"), key="w_reply_text")
second = second_col.radio(t("reply.second"), ["beam", "mbr"], horizontal=True, key="w_reply_second",
                          format_func=lambda v: t(f"reply.second.{v}"), help=t("reply.mbr_help", n=MBR_SAMPLES))
beam = beam_col.slider(t("reply.beam"), 2, 8, key="w_reply_beam", disabled=second == "mbr")
if st.button(t("reply.generate"), type="primary", icon=":material/forum:") and sentence.strip():
    decodes = {"greedy": generator.decode_config(), "beam": generator.decode_config(beam),
               "mbr": generator.decode_config(samples=MBR_SAMPLES)}
    state.reply_generated.set([(name, generator.generate([sentence.strip()], decodes[name])[0])
                                  for name in ("greedy", second)])
    state.reply_retrieved.set(generator.retrieval.reply([sentence.strip()])[0] if generator.retrieval else None)


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


if state.reply_generated.get():
    greedy_col, second_col, retrieval_col = st.columns([2, 2, 1])
    for column, (name, reply) in zip((greedy_col, second_col), state.reply_generated.get()):
        with column.container(border=True):
            show_reply(reply, name)
    with retrieval_col.container(border=True):
        st.markdown(f"**{t('reply.retrieval')}**")
        st.text(state.reply_retrieved.get() or "—")
        st.caption(t("reply.retrieval_note"))
    st.caption(t("reply.hover"))

st.subheader(t("reply.examples"))
# A static table wraps long sentences, so every column stays in view (a dataframe cut the generated one off)
st.table(pd.DataFrame([{t("reply.source"): e.source, t("reply.reference"): e.reference,
                        t("reply.generated"): e.generated, "chrF": f"{e.chrf:.2f}", t("reply.retrieval"): e.retrieved}
                       for e in outcome.report.examples]),
         hide_index=True, border="horizontal")
