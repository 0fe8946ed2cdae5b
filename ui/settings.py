"""The training settings as the widgets hold them: core's defaults first, the user's changes, configs for core.

Pages never define defaults of their own: every first value comes from core/config.py, so the Train page and
`python -m core train` train the same model from the same seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.seq2seq.data import PairConfig
from core.seq2seq.decode import BEAM_SIZE
from core.seq2seq.model import Seq2SeqConfig
from core.seq2seq.train import Seq2SeqTrainConfig
from ui import state

REPORT_EVERY = 5  # steps between live points: the first point comes a fraction of a second into training
# One torch thread per job: the server keeps a core for the pages, and on a busy machine more threads contend with
# everything else and run many times slower (docs/performance.md).
TRAIN_THREADS = 1

MODEL, TRAIN, TOKENIZER = ModelConfig(), TrainConfig(), TokenizerConfig()
WIDGET_DEFAULTS = {
    "w_pooling": MODEL.pooling, "w_emb": MODEL.emb_dim, "w_hidden": MODEL.hidden_dim, "w_layers": MODEL.num_layers,
    "w_dropout": MODEL.dropout, "w_lr": TRAIN.lr, "w_batch": TRAIN.batch_size, "w_epochs": TRAIN.epochs,
    "w_seed": TRAIN.seed, "w_val_share": TRAIN.val_share, "w_patience": TRAIN.patience, "w_schedule": TRAIN.schedule,
    "w_vocab_auto": TOKENIZER.vocab_size == "auto",
    "w_vocab": TOKENIZER.vocab_size if isinstance(TOKENIZER.vocab_size, int) else 4000,
    "w_coverage": TOKENIZER.character_coverage, "w_sampling": TOKENIZER.sampling,
}

PAIRS, REPLY_MODEL, REPLY_TRAIN = PairConfig(), Seq2SeqConfig(), Seq2SeqTrainConfig()
REPLY_DEFAULTS = {"w_reply_turns": PAIRS.turns, "w_reply_epochs": REPLY_TRAIN.epochs,
                  "w_reply_hidden": REPLY_MODEL.hidden_dim, "w_reply_rnn": REPLY_MODEL.rnn,
                  "w_reply_tf": REPLY_TRAIN.teacher_forcing, "w_reply_seed": REPLY_TRAIN.seed,
                  "w_reply_beam": BEAM_SIZE, "w_reply_second": "beam", "w_reply_max_pairs": PAIRS.max_pairs}


def ensure_defaults() -> None:
    for key, value in WIDGET_DEFAULTS.items():
        state.default(key, value)


def ensure_reply_defaults() -> None:
    for key, value in REPLY_DEFAULTS.items():
        state.default(key, value)


def reply_configs() -> tuple[PairConfig, Seq2SeqConfig, Seq2SeqTrainConfig]:
    """The Reply page's settings; the decoder is twice the encoder's width, as core's defaults are."""
    s = st.session_state
    model = Seq2SeqConfig(hidden_dim=s.w_reply_hidden, decoder_dim=2 * s.w_reply_hidden, rnn=s.w_reply_rnn)
    train = Seq2SeqTrainConfig(epochs=int(s.w_reply_epochs), teacher_forcing=s.w_reply_tf, seed=int(s.w_reply_seed),
                               report_every=REPORT_EVERY, num_threads=TRAIN_THREADS)
    return PairConfig(turns=s.w_reply_turns, max_pairs=int(s.w_reply_max_pairs)), model, train


def with_default(options: Sequence, key: str) -> list:
    """A widget's choices, always including core's default for it."""
    return sorted(set(options) | {WIDGET_DEFAULTS[key]})


def model_config() -> ModelConfig:
    s = st.session_state
    return ModelConfig(emb_dim=s.w_emb, hidden_dim=s.w_hidden, num_layers=s.w_layers, dropout=s.w_dropout,
                       pooling=s.w_pooling)


def train_config() -> TrainConfig:
    s = st.session_state
    return TrainConfig(epochs=int(s.w_epochs), batch_size=s.w_batch, lr=s.w_lr, seed=int(s.w_seed),
                       val_share=s.w_val_share, patience=int(s.w_patience), schedule=s.w_schedule,
                       report_every=REPORT_EVERY, num_threads=TRAIN_THREADS)


def tokenizer_config() -> TokenizerConfig:
    s = st.session_state
    return TokenizerConfig(vocab_size="auto" if s.w_vocab_auto else int(s.w_vocab),
                           character_coverage=s.w_coverage, sampling=float(s.w_sampling))
