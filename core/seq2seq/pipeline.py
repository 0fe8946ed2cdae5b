"""Pairs → split → shared tokenizer → model → fit → val loss, perplexity, chrF: the one path CLI, page and tests share."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.config import TokenizerConfig
from core.corpus.data import load_corpus
from core.corpus.tokenizer import train_tokenizer
from core.seq2seq.bundle import ReplyGenerator
from core.seq2seq.data import PairConfig, Pairs, build_pairs, split_by_dialogue
from core.seq2seq.decode import DecodeConfig
from core.seq2seq.metrics import corpus_chrf, sentence_chrf
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.retrieval import fit_retrieval
from core.seq2seq.train import Seq2SeqTask, Seq2SeqTrainConfig, encode_pairs
from core.training.loop import Callback, FitResult, evaluate, perplexity, train_new

DEFAULT_VOCAB = 4000
EVAL_LIMIT = 1000  # validation pairs decoded for chrF (decoding is the slow part)


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

    def to_json(self) -> dict:
        return {"n": self.n, "loss": self.loss, "perplexity": self.perplexity, "chrf": self.chrf,
                "retrieval_chrf": self.retrieval_chrf, "distinct": self.distinct,
                "examples": [e.__dict__ for e in self.examples]}


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
                         "best_epoch": result.best_epoch, "val_pairs": len(val_pairs), "train_pairs": len(train_pairs),
                         "sentences_per_s": result.epochs[-1].sentences_per_s if result.epochs else 0.0}
    return Seq2SeqOutcome(generator, result, report)


def evaluate_generator(generator: ReplyGenerator, sources: list[str], references: list[str],
                       decode: DecodeConfig | None = None, n_examples: int = 8) -> GenerationReport:
    """Teacher-forced loss and perplexity, chrF of the generated replies against the references, the share of
    distinct replies, and the retrieval reference's chrF on the same pairs (when the generator has one)."""
    if not sources:
        return GenerationReport(0, math.nan, math.nan, math.nan)
    split = encode_pairs(generator.tokenizer, sources, references, generator.train_config)
    loss, _ = evaluate(generator.model, Seq2SeqTask(generator.train_config), split, generator.train_config.batch_size)
    generated = generator.reply_texts(sources, decode)
    retrieved = generator.retrieval.reply(sources) if generator.retrieval is not None else [""] * len(sources)
    examples = [Example(s, r, g, round(sentence_chrf(g, r), 2), x)
                for s, r, g, x in list(zip(sources, references, generated, retrieved))[:n_examples]]
    retrieval_chrf = corpus_chrf(retrieved, references) if generator.retrieval is not None else math.nan
    return GenerationReport(len(sources), loss, perplexity(loss), corpus_chrf(generated, references), examples,
                            retrieval_chrf, len(set(generated)) / len(generated))
