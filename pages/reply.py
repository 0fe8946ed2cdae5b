"""Reply generation: train an encoder-decoder with Bahdanau attention, then read its replies and alignment matrices."""

import pandas as pd
import streamlit as st

from core.seq2seq.decode import MBR_SAMPLES
from ui import reply, settings, state
from ui.i18n import EXAMPLES, plain, t
from ui.training import live_job
from ui.widgets import page_header
from ui.workspace import reply_model

page_header(__file__, "reply")
settings.ensure_reply_defaults()
state.default("w_reply_text", EXAMPLES[0])
kept = reply_model()

with st.expander(t("reply.settings"), expanded=kept is None):
    source = reply.data_source()
    reply.setting_widgets()
    pairs = reply.plan(source)
    if st.button(t("train.start"), type="primary", icon=":material/play_arrow:", key="reply_start",
                 disabled=pairs is None):
        reply.start(pairs)
live_job(state.reply_job.key, reply.render, reply.finish)

kept = state.reply_outcome.get()
if kept is None:
    st.stop()
generator = kept.generator
st.divider()
reply.show_scores(kept)

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

if state.reply_generated.get():
    greedy_col, second_col, retrieval_col = st.columns([2, 2, 1])
    for column, (name, generated) in zip((greedy_col, second_col), state.reply_generated.get()):
        with column.container(border=True):
            reply.show_reply(generated, name)
    with retrieval_col.container(border=True):
        st.markdown(f"**{t('reply.retrieval')}**")
        st.text(state.reply_retrieved.get() or "—")
        st.caption(t("reply.retrieval_note"))
    st.caption(t("reply.hover"))

if kept.report.examples:
    st.subheader(t("reply.examples"))
    # A static table wraps long sentences, so every column stays in view (a dataframe cut the generated one off).
    # st.table renders Markdown in its cells: every sentence goes through plain().
    st.table(pd.DataFrame([{t("reply.source"): plain(e.source), t("reply.reference"): plain(e.reference),
                            t("reply.generated"): plain(e.generated), "chrF": f"{e.chrf:.2f}",
                            t("reply.retrieval"): plain(e.retrieved)} for e in kept.report.examples]),
             hide_index=True, border="horizontal")
