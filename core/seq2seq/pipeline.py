"""Pairs → split → shared tokenizer → model → fit → val loss, perplexity, chrF: the one path CLI, page and tests share."""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import partial
from pathlib import Path

from core.config import TokenizerConfig
from core.corpus.data import load_corpus
from core.corpus.tokenizer import train_tokenizer
from core.errors import AttentionLabError, reported
from core.jobs.queue import Finishing
from core.seq2seq.bundle import ReplyGenerator, load_generator
from core.seq2seq.data import PairConfig, Pairs, build_pairs, split_by_dialogue
from core.seq2seq.decode import DecodeConfig
from core.seq2seq.metrics import corpus_chrf, sentence_chrf, stutter_rate
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.retrieval import fit_retrieval
from core.seq2seq.train import Seq2SeqTask, Seq2SeqTrainConfig, encode_pairs
from core.storage.workspace import REPLY_RESULT, Workspace
from core.training.loop import Callback, FitResult, evaluate, perplexity, train_new

DEFAULT_VOCAB = 4000
EVAL_LIMIT = 1000  # validation pairs decoded for chrF (decoding is the slow part)
_log = logging.getLogger(__name__)


@dataclass
class Example:
    source: str
    reference: str
    generated: str
    chrf: float
    retrieved: str = ""  # the retrieval reference's answer


@dataclass
class GenerationReport:
    n: int
    loss: float  # per real target token, teacher-forced
    perplexity: float
    chrf: float  # corpus chrF of greedy replies against the references, 0-100
    examples: list[Example] = field(default_factory=list)
    retrieval_chrf: float = math.nan  # the retrieval reference's corpus chrF on the same pairs
    distinct: float = math.nan  # share of distinct generated replies
    stutter: float = math.nan  # share of generated replies that stutter (metrics.stutters), same replies
    retrieval_stutter: float = math.nan  # the same for the retrieval reference's answers

    def to_json(self) -> dict:
        return {"n": self.n, "loss": self.loss, "perplexity": self.perplexity, "chrf": self.chrf,
                "retrieval_chrf": self.retrieval_chrf, "distinct": self.distinct, "stutter": self.stutter,
                "retrieval_stutter": self.retrieval_stutter,
                "examples": [e.__dict__ for e in self.examples]}

    @classmethod
    def from_json(cls, data: dict) -> GenerationReport:
        """A report as `to_json` wrote it (missing or null numbers: NaN, unknown keys ignored)."""
        numbers = {f.name: math.nan if data.get(f.name) is None else float(data[f.name])
                   for f in fields(cls) if f.name not in ("n", "examples")}
        examples = [Example(**{k: e[k] for k in ("source", "reference", "generated", "chrf", "retrieved") if k in e})
                    for e in data.get("examples", []) if isinstance(e, dict)]
        return cls(n=int(data.get("n") or 0), examples=examples, **numbers)


@dataclass
class Seq2SeqOutcome:
    generator: ReplyGenerator
    fit: FitResult
    report: GenerationReport


def load_pairs(data: str | Path | bytes | None = None, config: PairConfig | None = None, name: str | None = None) -> Pairs:
    """Pairs from a corpus file (or bytes); without one, from the bundled sample corpus."""
    if data is None:
        from core.corpus.sample import SAMPLE_PATH

        data = SAMPLE_PATH
    config = config or PairConfig()
    return build_pairs(load_corpus(data, name=name, max_chars=config.max_chars), config)


def train_seq2seq(
    pairs: Pairs,
    model_config: Seq2SeqConfig | None = None,
    train_config: Seq2SeqTrainConfig | None = None,
    tokenizer_config: TokenizerConfig | None = None,
    callback: Callback | None = None,
    stop: threading.Event | None = None,
) -> Seq2SeqOutcome:
    """Train a reply generator; one tokenizer, trained on both sides of the training pairs, serves source and target."""
    train_config = train_config or Seq2SeqTrainConfig()
    pairs = pairs.capped(train_config.seed)
    train_index, val_index = split_by_dialogue(pairs, train_config.val_share, train_config.seed)
    train_pairs, val_pairs = pairs.subset(train_index), pairs.subset(val_index)
    tokenizer = train_tokenizer(train_pairs.sources + train_pairs.targets,
                                tokenizer_config or TokenizerConfig(vocab_size=DEFAULT_VOCAB))
    model_config = replace(model_config or Seq2SeqConfig(), vocab_size=tokenizer.vocab_size)
    train_split = encode_pairs(tokenizer, train_pairs.sources, train_pairs.targets, train_config)
    val_split = encode_pairs(tokenizer, val_pairs.sources, val_pairs.targets, train_config)
    model, result = train_new(Seq2Seq, model_config, Seq2SeqTask(train_config), train_split, val_split,
                              train_config, callback, stop)
    retrieval = fit_retrieval(train_pairs.sources, train_pairs.targets)
    generator = ReplyGenerator(tokenizer, model, pairs.config, train_config, history=result.history(), retrieval=retrieval)
    report = evaluate_generator(generator, val_pairs.sources[:EVAL_LIMIT], val_pairs.targets[:EVAL_LIMIT])
    generator.metrics = {"val_loss": report.loss, "val_perplexity": report.perplexity, "val_chrf": report.chrf,
                         "retrieval_chrf": report.retrieval_chrf, "val_distinct": report.distinct,
                         "val_stutter": report.stutter, "retrieval_stutter": report.retrieval_stutter,
                         "best_epoch": result.best_epoch, "val_pairs": len(val_pairs), "train_pairs": len(train_pairs),
                         "sentences_per_s": result.epochs[-1].sentences_per_s if result.epochs else 0.0}
    return Seq2SeqOutcome(generator, result, report)


def evaluate_generator(generator: ReplyGenerator, sources: list[str], references: list[str],
                       decode: DecodeConfig | None = None, n_examples: int = 8) -> GenerationReport:
    """Teacher-forced loss and perplexity, chrF of the generated replies against the references, the share of
    distinct replies and of those that stutter, and the retrieval reference's chrF and stutter rate on the same pairs
    (when the generator has one)."""
    if not sources:
        return GenerationReport(0, math.nan, math.nan, math.nan)
    split = encode_pairs(generator.tokenizer, sources, references, generator.train_config)
    loss, _ = evaluate(generator.model, Seq2SeqTask(generator.train_config), split, generator.train_config.batch_size)
    generated = generator.reply_texts(sources, decode)
    retrieved = generator.retrieval.reply(sources) if generator.retrieval is not None else [""] * len(sources)
    examples = [Example(s, r, g, round(sentence_chrf(g, r), 2), x)
                for s, r, g, x in list(zip(sources, references, generated, retrieved))[:n_examples]]
    retrieval_chrf = corpus_chrf(retrieved, references) if generator.retrieval is not None else math.nan
    retrieval_stutter = stutter_rate(retrieved) if generator.retrieval is not None else math.nan
    return GenerationReport(len(sources), loss, perplexity(loss), corpus_chrf(generated, references), examples,
                            retrieval_chrf, len(set(generated)) / len(generated), stutter_rate(generated),
                            retrieval_stutter)


# Keeping a reply model in the workspace ------------------------------------------------------------------

# Training speed for the estimate before Start, in pair-epochs per second at hidden size 128 on one thread: 4,036
# sample pairs × 12 epochs took 5.5 min and 14,200 real pairs ~25 min on a busy 2-core server (validation decoding
# included). A finished training's own speed replaces it (`estimate_seconds(..., measured=...)`).
PAIR_EPOCHS_PER_S = 110.0


@dataclass
class KeptReply:
    """A reply model as the Reply page shows it: the generator (its curves and settings inside) and its report."""

    generator: ReplyGenerator
    report: GenerationReport
    save_error: str | AttentionLabError | None = None  # why it could not be kept in the workspace (disk quota, disk error)


def keep_reply(outcome: Seq2SeqOutcome | None, workspace: Workspace | None = None) -> KeptReply | None:
    """A training's reply model, saved as the workspace's reply model with its report; None when no epoch finished.
    A failed save is reported, not raised: the model is still shown in this session."""
    if outcome is None or not outcome.fit.epochs:
        return None
    kept = KeptReply(outcome.generator, outcome.report)
    if workspace is not None and workspace.exists():
        try:
            workspace.set_active_bundle(outcome.generator.to_bytes(), "reply", kind="reply")
            workspace.save_result(REPLY_RESULT, outcome.report.to_json())
        except (AttentionLabError, OSError, sqlite3.Error) as error:
            _log.warning("workspace %s: reply model not saved: %s", workspace.id, error)
            kept.save_error = reported(error)
    return kept


def keeping_reply_job(train: Callable, workspace: Workspace | None) -> Finishing:
    """Train, then keep the reply model where the workspace is (the worker, or the web server after a cluster ran
    the training), so a training that ends after its tab closed is still kept. Picklable when `train` is."""
    return Finishing(partial(_train, train), partial(keep_reply, workspace=workspace))


def _train(train: Callable, callback, stop) -> Seq2SeqOutcome:
    return train(callback=callback, stop=stop)


def stored_reply(workspace: Workspace) -> KeptReply | None:
    """The workspace's reply model and its report, or None; a damaged one raises (BundleError, ValueError)."""
    stored = workspace.active_model("reply")
    if stored is None:
        return None
    generator = load_generator(stored.bundle, "reply")
    return KeptReply(generator, GenerationReport.from_json(workspace.result(REPLY_RESULT) or {}))


def estimate_seconds(n_pairs: int, model_config: Seq2SeqConfig, train_config: Seq2SeqTrainConfig,
                     measured: float | None = None) -> float:
    """About how long a training of `n_pairs` pairs takes on one worker: its training pairs × epochs at the
    measured speed (pair-epochs per second of an earlier run) or at PAIR_EPOCHS_PER_S scaled by the hidden size,
    plus decoding the validation pairs for chrF."""
    train_pairs = n_pairs * (1 - train_config.val_share)
    speed = measured or PAIR_EPOCHS_PER_S * 128 / max(model_config.hidden_dim, 1)
    decode_pairs = min(EVAL_LIMIT, n_pairs * train_config.val_share)
    return train_pairs * train_config.epochs / speed + decode_pairs / speed
