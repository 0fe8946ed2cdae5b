"""The training loop: it learns, is reproducible, reports through the callback and obeys Stop."""

import threading

import pytest

from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.data import build_dataset, load_corpus
from core.errors import TrainingBusyError
from core.jobs import start_job
from core.pipeline import train_classifier
from core.split import stratified_split

SMALL = ModelConfig(emb_dim=16, hidden_dim=16, attention_dim=8, fc_dim=16, dropout=0.0)
TOKENS = TokenizerConfig(vocab_size=150)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from tests.conftest import old_frame, tiny_rows

    path = tmp_path_factory.mktemp("corpus") / "c.xlsx"
    old_frame(tiny_rows(20)).to_excel(path, index=False, engine="openpyxl")
    return build_dataset(load_corpus(path), DataConfig())


def run(dataset, callback=None, stop=None, **train):
    config = TrainConfig(**{"epochs": 2, "batch_size": 16, "report_every": 1, "seed": 3, **train})
    return train_classifier(dataset, SMALL, config, tokenizer_config=TOKENS, callback=callback, stop=stop)


def test_overfits_a_handful_of_sentences(dataset):
    outcome = run(dataset, epochs=25, val_share=0.2, lr=1e-2)
    epochs = outcome.fit.epochs
    assert epochs[-1].train_loss < 0.3 * epochs[0].train_loss
    assert outcome.classifier.metrics["val_accuracy"] >= 0.8


def test_same_seed_same_metrics(dataset):
    first, second = run(dataset), run(dataset)
    assert [e.val_loss for e in first.fit.epochs] == [e.val_loss for e in second.fit.epochs]
    assert [e.train_loss for e in first.fit.epochs] == [e.train_loss for e in second.fit.epochs]


def test_callback_reports_steps_epochs_and_end(dataset):
    events = []
    run(dataset, callback=events.append)
    kinds = [e.kind for e in events]
    assert kinds.count("epoch") == 2 and kinds[-1] == "end" and "step" in kinds
    steps = [e.step for e in events if e.kind == "step"]
    assert steps == sorted(steps) and events[-2].progress == 1.0
    assert all(0 <= e.train_acc <= 1 and e.sentences_per_s > 0 for e in events if e.kind != "end")


def test_stop_flag_stops_within_one_batch(dataset):
    stop, seen = threading.Event(), []

    def callback(event):
        seen.append(event)
        if event.kind == "step" and event.step == 3:
            stop.set()

    outcome = run(dataset, callback=callback, stop=stop, epochs=50)
    assert outcome.fit.stopped
    assert max(e.step for e in seen) == 3  # no batch ran after the flag was set


def test_early_stopping_keeps_best_epoch(dataset):
    outcome = run(dataset, epochs=40, patience=1, lr=3e-2)
    fit = outcome.fit
    best = max(fit.epochs, key=lambda e: (e.val_acc, -e.val_loss))
    assert fit.best_epoch == best.epoch
    assert fit.early_stopped or len(fit.epochs) == 40


def test_stratified_split_keeps_class_shares():
    labels = [0] * 50 + [1] * 30 + [2] * 20
    train, val = stratified_split(labels, 0.2, seed=0)
    assert sorted(train + val) == list(range(100)) and len(val) == 20
    assert [sum(labels[i] == c for i in val) for c in range(3)] == [10, 6, 4]


def test_split_falls_back_when_a_class_has_one_row():
    train, val = stratified_split([0, 0, 0, 1, 1, 1, 2], 0.3, seed=0)
    assert len(train) + len(val) == 7 and val


def test_background_job_reports_and_refuses_a_second_start(dataset):
    def work(callback, stop):
        return run(dataset, callback=callback, stop=stop, epochs=200)

    job = start_job(None, work)
    with pytest.raises(TrainingBusyError):
        start_job(job, work)
    job.request_stop()
    job.join(timeout=60)
    snapshot = job.snapshot()
    assert snapshot.state == "stopped" and snapshot.result.fit.stopped
