"""Tokenizer: train SentencePiece BPE on the data, then look at the pieces it makes."""

from functools import partial

import streamlit as st

from core import plots
from core.classifier.pipeline import train_tokenizer_for
from core.errors import AttentionLabError
from ui import settings, state
from ui.i18n import t
from ui.training import live_job, render_share
from ui.widgets import needs_data, page_header, piece_chips_html, show_error

JOB_NAME = state.TOKENIZER_JOB

page_header(__file__, "tok")
dataset = state.dataset()
if dataset is None:
    needs_data()
    st.stop()

settings.ensure_defaults()
# Two rows of two, then the button: five in a row cut every label short at 1000 px.
auto_col, vocab_col = st.columns(2, vertical_alignment="bottom")
coverage_col, sampling_col = st.columns(2)
auto = auto_col.toggle(t("tok.vocab_auto"), key="w_vocab_auto", help=t("tok.vocab_auto_help"))
if auto:  # the number box, disabled, still showed a size that auto does not use
    vocab_col.text_input(t("tok.vocab"), t("tok.vocab_auto_value"), disabled=True, help=t("tok.vocab_auto_help"))
else:
    vocab_col.number_input(t("tok.vocab"), min_value=100, max_value=32000, step=500, key="w_vocab",
                           help=t("tok.vocab_help"))
coverage_col.select_slider(t("tok.coverage"), options=[0.98, 0.99, 0.995, 0.9995, 1.0], key="w_coverage",
                           help=t("tok.coverage_help"))
sampling_col.select_slider(t("tok.sampling"), options=settings.with_default([0.0, 0.05, 0.1, 0.2], "w_sampling"),
                           key="w_sampling", help=t("tok.sampling_help"))
train_clicked = st.button(t("tok.train"), type="primary", icon=":material/play_arrow:")

if train_clicked:
    try:  # a job: SentencePiece on a real file takes seconds to minutes, and must not hold up the page or the server
        job = partial(train_tokenizer_for, dataset, settings.train_config(), settings.tokenizer_config())
        state.tokenizer_job.set(state.start_job(job, JOB_NAME))
    except AttentionLabError as error:
        show_error(error)


progress = partial(render_share, label=lambda _: t("tok.training", n=f"{len(dataset.texts):,}"))
live_job(state.tokenizer_job.key, progress, state.keep_tokenizer, name=JOB_NAME)
info = state.tokenizer_report()
if info is None:
    st.info(t("tok.not_trained"))
    st.stop()

tokenizer = info.tokenizer
if tokenizer.clamped_from:
    st.warning(t("tok.clamped", asked=f"{tokenizer.clamped_from:,}", got=f"{tokenizer.vocab_size:,}"))
cells = [*st.columns(3), *st.columns(3)]  # five in a row cut the numbers at 1000 px
cells[0].metric(t("tok.vocab_size"), f"{tokenizer.vocab_size:,}")
cells[1].metric(t("tok.seconds"), f"{info.seconds:.2f} s", help=t("tok.sentences_used", n=f"{info.sentences:,}"))
cells[2].metric(t("tok.mean_tokens"), f"{info.lengths.mean:.1f}")
cells[3].metric(t("tok.p95_tokens"), f"{info.lengths.p95:.0f}")
cells[4].metric(t("tok.unknown"), f"{info.unknown_rate:.3%}", help=t("tok.unknown_help"))

st.subheader(t("tok.try"))
state.default("w_tok_text", dataset.texts[0] if dataset.texts else "")
sentence = st.text_area(t("tok.sentence"), key="w_tok_text", height=80)
st.button(t("tok.split"), icon=":material/content_cut:")  # a rerun; typing alone never splits mid-syllable
if sentence.strip():
    pieces = tokenizer.pieces(sentence.strip())
    st.html(piece_chips_html(pieces))
    st.caption(t("tok.pieces_note", n=len(pieces)))

freq_col, length_col = st.columns(2)
with freq_col:
    st.plotly_chart(plots.piece_frequencies(info.frequent, title=t("tok.frequent"), x_title=t("count")))
with length_col:
    st.plotly_chart(plots.length_histogram(info.lengths.lengths, title=t("tok.lengths"), x_title=t("tok.tokens"),
                                           y_title=t("sentences"), median_label=t("median")))
