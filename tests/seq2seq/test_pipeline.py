"""The reply generator's recipe: split by dialogue → shared tokenizer → fit → loss, perplexity and chrF."""

from __future__ import annotations

import math

import pytest

from core.config import TokenizerConfig
from core.seq2seq.data import PairConfig, build_pairs, split_by_dialogue
from core.seq2seq.metrics import stutter_rate
from core.seq2seq.pipeline import evaluate_generator, train_seq2seq
from core.seq2seq.train import Seq2SeqTrainConfig
from tests.conftest import corpus_of, dialogue_frame, tiny_seq2seq_config


def test_same_seed_gives_the_same_losses_and_a_consistent_report():
    pairs = build_pairs(corpus_of(dialogue_frame()), PairConfig(turns="all"))
    config = Seq2SeqTrainConfig(epochs=2, batch_size=16, report_every=2, teacher_forcing=0.8)

    def train():
        outcome = train_seq2seq(pairs, tiny_seq2seq_config(), config, TokenizerConfig(vocab_size=100))
        return outcome, [e.train_loss for e in outcome.fit.steps] + [e.val_loss for e in outcome.fit.epochs]

    outcome, first = train()
    assert first == train()[1] and len(first) > 3 and all(math.isfinite(v) for v in first)
    metrics, report = outcome.generator.metrics, outcome.report
    assert metrics["train_pairs"] + metrics["val_pairs"] == len(pairs) and metrics["val_pairs"] == report.n > 0
    assert report.perplexity == pytest.approx(math.exp(report.loss)) and 0 <= report.chrf <= 100
    assert metrics["best_epoch"] == outcome.fit.best_epoch and report.examples


def test_the_retrieval_reference_is_scored_on_the_same_validation_pairs():
    pairs = build_pairs(corpus_of(dialogue_frame()), PairConfig(turns="all"))
    config = Seq2SeqTrainConfig(epochs=1, batch_size=16, report_every=100)
    outcome = train_seq2seq(pairs, tiny_seq2seq_config(), config, TokenizerConfig(vocab_size=100))
    generator, report = outcome.generator, outcome.report
    train, val = split_by_dialogue(pairs, config.val_share, config.seed)
    assert sorted(generator.retrieval.sources) == sorted(pairs.subset(train).sources)  # fitted on training pairs only
    held_out = pairs.subset(val)
    assert generator.metrics["retrieval_chrf"] == report.retrieval_chrf == pytest.approx(
        generator.retrieval.chrf(held_out.sources, held_out.targets))
    assert [e.retrieved for e in report.examples] == generator.retrieval.reply([e.source for e in report.examples])
    generated = generator.reply_texts(held_out.sources)
    assert generator.metrics["val_distinct"] == pytest.approx(len(set(generated)) / len(generated))
    assert generator.metrics["val_stutter"] == report.stutter == pytest.approx(stutter_rate(generated))
    retrieved = generator.retrieval.reply(held_out.sources)
    assert generator.metrics["retrieval_stutter"] == report.retrieval_stutter == pytest.approx(stutter_rate(retrieved))
    assert report.to_json()["stutter"] == report.stutter


def test_no_validation_pairs_gives_an_empty_report(overfit):
    generator = overfit[1].generator
    report = evaluate_generator(generator, [], [])
    assert report.n == 0 and math.isnan(report.loss) and math.isnan(report.chrf) and not report.examples
    assert overfit[1].report.n == 0  # val_share=0: nothing held out
