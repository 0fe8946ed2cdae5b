"""A reply model kept in the workspace: saved by its job, back with its report after a restart; pair caps; the
time estimate before Start."""

from __future__ import annotations

import math

import pytest

from core.config import TokenizerConfig
from core.seq2seq.data import PairConfig, build_pairs
from core.seq2seq.model import Seq2SeqConfig
from core.seq2seq.pipeline import (
    GenerationReport,
    KeptReply,
    estimate_seconds,
    keep_reply,
    keeping_reply_job,
    stored_reply,
    train_seq2seq,
)
from core.seq2seq.train import Seq2SeqTrainConfig
from core.storage.store import Limits, Store
from core.storage.workspace import create_workspace, open_workspace
from tests.conftest import corpus_of, dialogue_frame, tiny_seq2seq_config


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "home")


def pairs_of(n_rows: int = 30, max_pairs: int = 0):
    return build_pairs(corpus_of(dialogue_frame(n_rows)), PairConfig(turns="all", max_pairs=max_pairs))


def test_the_job_keeps_the_reply_model_and_its_report_for_a_later_session(store, overfit):
    workspace = create_workspace(store)
    config = Seq2SeqTrainConfig(epochs=1, batch_size=16, report_every=100)
    train = lambda callback, stop: train_seq2seq(pairs_of(), tiny_seq2seq_config(), config,  # noqa: E731
                                                 TokenizerConfig(vocab_size=100), callback, stop)
    kept = keeping_reply_job(train, workspace)(lambda event: None, None)
    assert isinstance(kept, KeptReply) and kept.save_error is None and kept.report.examples

    later = stored_reply(open_workspace(workspace.token, store))  # a refresh or a restarted server
    assert later.generator.metrics == kept.generator.metrics
    assert later.generator.history["epochs"] == kept.generator.history["epochs"]
    assert later.generator.model_config == kept.generator.model_config
    assert [e.__dict__ for e in later.report.examples] == [e.__dict__ for e in kept.report.examples]
    sentence = kept.report.examples[0].source
    assert later.generator.reply_texts([sentence]) == kept.generator.reply_texts([sentence])
    workspace.forget("reply")
    assert stored_reply(workspace) is None


def test_nothing_is_kept_when_no_epoch_finished_and_a_full_disk_is_one_line(tmp_path, overfit):
    outcome = overfit[1]
    assert keep_reply(None, None) is None
    tiny = Store(tmp_path / "tiny", Limits(workspace_bytes=1000, total_bytes=10_000))
    kept = keep_reply(outcome, create_workspace(tiny))
    assert kept.generator is outcome.generator and "quota" in str(kept.save_error) and "\n" not in str(kept.save_error)


def test_a_report_round_trips_through_json_with_missing_numbers():
    report = GenerationReport(3, 1.5, math.exp(1.5), 12.0, retrieval_chrf=math.nan, distinct=0.5)
    back = GenerationReport.from_json(report.to_json())
    assert back.n == 3 and back.chrf == 12.0 and back.distinct == 0.5 and math.isnan(back.retrieval_chrf)
    assert GenerationReport.from_json({}).n == 0


def test_a_cap_keeps_whole_dialogues_up_to_the_cap():
    everything = pairs_of(60)
    capped = pairs_of(60, max_pairs=len(everything) // 2).capped(seed=1)
    assert 0 < len(capped) <= len(everything) // 2
    per_dialogue = {d: everything.dialogues.count(d) for d in set(everything.dialogues)}
    assert all(capped.dialogues.count(d) == per_dialogue[d] for d in set(capped.dialogues))  # never cut
    assert capped.dialogues != everything.dialogues[:len(capped)]  # drawn at random, not the first rows
    assert capped.capped(seed=1) is capped and pairs_of(60).capped() is not None
    with pytest.raises(ValueError):
        PairConfig(max_pairs=-1)


def test_training_uses_at_most_the_capped_pairs():
    pairs = pairs_of(60, max_pairs=15)
    outcome = train_seq2seq(pairs, tiny_seq2seq_config(), Seq2SeqTrainConfig(epochs=1, batch_size=16, report_every=100),
                            TokenizerConfig(vocab_size=100))
    metrics = outcome.generator.metrics
    assert metrics["train_pairs"] + metrics["val_pairs"] <= 15 < len(pairs)


def test_the_estimate_grows_with_pairs_epochs_and_size_and_follows_a_measured_speed():
    model, train = Seq2SeqConfig(), Seq2SeqTrainConfig()
    base = estimate_seconds(10_000, model, train)
    assert estimate_seconds(20_000, model, train) > base > 0
    assert estimate_seconds(10_000, model, Seq2SeqTrainConfig(epochs=24)) > base
    assert estimate_seconds(10_000, Seq2SeqConfig(hidden_dim=256), train) > base
    assert estimate_seconds(10_000, model, train, measured=1000.0) < base
