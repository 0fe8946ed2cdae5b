"""The training loop: it learns, is reproducible, reports through the callback, obeys Stop, schedules the
learning rate, keeps the best epoch and stops early."""

import threading
from dataclasses import dataclass

import pytest
import torch
import torch.nn as nn

from core.classifier.pipeline import train_classifier
from core.config import LoopConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.training.loop import BatchResult, fit

SMALL = ModelConfig(emb_dim=16, hidden_dim=16, attention_dim=8, fc_dim=16, dropout=0.0)
TOKENS = TokenizerConfig(vocab_size=150)


def run(dataset, callback=None, stop=None, **train):
    config = TrainConfig(**{"epochs": 2, "batch_size": 16, "report_every": 1, "seed": 3, **train})
    return train_classifier(dataset, SMALL, config, tokenizer_config=TOKENS, callback=callback, stop=stop)


def test_overfits_a_handful_of_sentences(tiny_dataset):
    outcome = run(tiny_dataset, epochs=25, val_share=0.2, lr=1e-2)
    epochs = outcome.fit.epochs
    assert epochs[-1].train_loss < 0.3 * epochs[0].train_loss
    assert outcome.classifier.metrics["val_accuracy"] >= 0.8


def test_same_seed_same_metrics(tiny_dataset):
    first, second = run(tiny_dataset), run(tiny_dataset)
    assert [e.val_loss for e in first.fit.epochs] == [e.val_loss for e in second.fit.epochs]
    assert [e.train_loss for e in first.fit.epochs] == [e.train_loss for e in second.fit.epochs]


def test_callback_reports_steps_epochs_and_end(tiny_dataset):
    events = []
    run(tiny_dataset, callback=events.append)
    kinds = [e.kind for e in events]
    assert kinds.count("epoch") == 2 and kinds[-1] == "end" and "step" in kinds
    steps = [e.step for e in events if e.kind == "step"]
    assert steps == sorted(steps) and events[-2].progress == 1.0
    assert all(0 <= e.train_acc <= 1 and e.sentences_per_s > 0 for e in events if e.kind != "end")


def test_stop_flag_stops_within_one_batch(tiny_dataset):
    stop, seen = threading.Event(), []

    def callback(event):
        seen.append(event)
        if event.kind == "step" and event.step == 3:
            stop.set()

    outcome = run(tiny_dataset, callback=callback, stop=stop, epochs=50)
    assert outcome.fit.stopped
    assert max(e.step for e in seen) == 3  # no batch ran after the flag was set


def test_early_stopping_keeps_best_epoch(tiny_dataset):
    outcome = run(tiny_dataset, epochs=40, patience=1, lr=3e-2)
    fit_result = outcome.fit
    best = max(fit_result.epochs, key=lambda e: (e.val_acc, -e.val_loss))
    assert fit_result.best_epoch == best.epoch
    assert fit_result.early_stopped or len(fit_result.epochs) == 40


# --- the loop alone, on a one-parameter task whose behaviour is known exactly -----------------------

class Scalar(nn.Module):
    """loss = w: the gradient is always 1, so one AdamW step (no weight decay) moves w by the learning rate."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(()))


@dataclass
class ScriptedTask:
    """Training records w before each step; validation reports the next of `val_accs` (one batch per split)."""

    val_accs: list[float]
    seen_w: list[float] = None
    evals: int = 0

    def __post_init__(self):
        self.seen_w = []

    def batches(self, split, batch_size, rng):
        return [split[i:i + batch_size] for i in range(0, len(split), batch_size)]

    def step(self, model, batch, training):
        if training:
            self.seen_w.append(model.w.item())
            return BatchResult(model.w * 1.0, model.w.item() * len(batch), 0, len(batch), len(batch))
        acc = self.val_accs[self.evals]
        self.evals += 1
        return BatchResult(model.w.detach(), (1 - acc) * len(batch), round(acc * len(batch)), len(batch), len(batch))

    def rank(self, val_loss, val_acc):
        return (val_acc, -val_loss)


def loop_config(**changes) -> LoopConfig:
    return LoopConfig(**{"epochs": 4, "batch_size": 5, "lr": 0.1, "weight_decay": 0.0, "report_every": 1, **changes})


TRAIN, VAL = list(range(25)), list(range(10))  # 5 steps an epoch; validation is one batch


def learning_rates(task: ScriptedTask, model: Scalar) -> list[float]:
    w = task.seen_w + [model.w.item()]
    return [before - after for before, after in zip(w, w[1:])]


def test_cosine_schedule_warms_up_then_decays_to_about_zero():
    task, model = ScriptedTask([0.1, 0.2, 0.3, 0.4]), Scalar()  # every epoch better: the last is kept
    fit(model, task, TRAIN, VAL, loop_config(schedule="cosine", warmup=0.2))
    rates = learning_rates(task, model)
    assert len(rates) == 20
    assert rates[:5] == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1], rel=1e-3)  # 4 warm-up steps, then the peak
    assert all(a > b for a, b in zip(rates[4:], rates[5:]))  # then falls every step
    assert rates[-1] < 0.02 * max(rates)


def test_constant_schedule_keeps_the_learning_rate():
    task, model = ScriptedTask([0.1, 0.2, 0.3, 0.4]), Scalar()
    fit(model, task, TRAIN, VAL, loop_config())
    assert learning_rates(task, model) == pytest.approx([0.1] * 20, rel=1e-3)


def test_best_epoch_weights_are_restored():
    task, model = ScriptedTask([0.2, 0.9, 0.5, 0.4]), Scalar()
    at_epoch_end = {}
    result = fit(model, task, TRAIN, VAL, loop_config(), callback=lambda e: e.kind == "epoch" and
                 at_epoch_end.setdefault(e.epoch, model.w.item()))
    assert len(result.epochs) == 4 and not result.early_stopped and result.best_epoch == 2
    assert result.best.val_acc == pytest.approx(0.9)
    assert model.w.item() == at_epoch_end[2] != at_epoch_end[4]  # epoch 2's weights, not the last ones


def test_patience_stops_after_that_many_epochs_without_improvement():
    task = ScriptedTask([0.2, 0.9, 0.5, 0.4, 0.95, 0.3])
    result = fit(Scalar(), task, TRAIN, VAL, loop_config(epochs=6, patience=2))
    assert result.early_stopped and [e.epoch for e in result.epochs] == [1, 2, 3, 4] and result.best_epoch == 2
    assert not fit(Scalar(), ScriptedTask([0.2, 0.9, 0.5, 0.4, 0.95, 0.3]), TRAIN, VAL,
                   loop_config(epochs=6, patience=3)).early_stopped  # epoch 5 improves in time


def test_a_stop_before_the_first_epoch_ends_keeps_no_epoch():
    stop, events = threading.Event(), []

    def callback(event):
        events.append(event)
        if event.step == 2:
            stop.set()

    model = Scalar()
    result = fit(model, ScriptedTask([0.5] * 4), TRAIN, VAL, loop_config(), callback, stop)
    assert result.stopped and result.epochs == [] and result.best_epoch == 0 and result.best is None
    assert [e.kind for e in events] == ["step", "step"]  # no epoch, and no 'end' without a finished epoch
    assert result.history()["epochs"] == [] and result.history()["stopped"] is True
