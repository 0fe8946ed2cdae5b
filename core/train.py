"""A training loop that knows nothing of the UI: it reports through a callback and obeys a stop flag."""

from __future__ import annotations

import copy
import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .batching import iterate_batches
from .config import TrainConfig


@dataclass
class TrainEvent:
    """One report: kind 'step' (running train metrics), 'epoch' (with validation) or 'end'."""

    kind: str
    epoch: int
    step: int  # optimizer steps so far, over all epochs
    total_steps: int
    train_loss: float
    train_acc: float
    val_loss: float | None = None
    val_acc: float | None = None
    sentences_per_s: float = 0.0
    elapsed_s: float = 0.0

    @property
    def progress(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 1.0

    @property
    def eta_s(self) -> float:
        done = self.progress
        return self.elapsed_s * (1 - done) / done if done > 0 else math.inf


Callback = Callable[[TrainEvent], None]


@dataclass
class FitResult:
    epochs: list[TrainEvent] = field(default_factory=list)
    steps: list[TrainEvent] = field(default_factory=list)
    best_epoch: int = 0
    stopped: bool = False  # by the stop flag
    early_stopped: bool = False
    elapsed_s: float = 0.0


@dataclass
class Split:
    """Encoded sentences and their integer labels."""

    sequences: list[list[int]]
    labels: list[int]


def fit(model: nn.Module, train: Split, val: Split, config: TrainConfig,
        callback: Optional[Callback] = None, stop: Optional[threading.Event] = None) -> FitResult:
    """Train with AdamW on bucketed batches; keeps (and restores) the weights of the best epoch."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps_per_epoch = math.ceil(len(train.labels) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    result, clock = FitResult(), _Clock()
    best_state, best_key, since_best = None, None, 0
    for epoch in range(1, config.epochs + 1):
        running = _Running()
        model.train()
        for _, ids, lengths, labels in iterate_batches(train.sequences, train.labels, config.batch_size, rng):
            if stop is not None and stop.is_set():
                result.stopped = True
                break
            logits, _ = model(ids, lengths)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()
            running.add(loss.item(), logits, labels)
            clock.step(len(labels))
            if clock.steps % config.report_every == 0:
                event = running.event("step", epoch, clock, total_steps)
                result.steps.append(event)
                _emit(callback, event)
        if result.stopped and running.count == 0:
            break
        val_loss, val_acc = evaluate_loss(model, val, config.batch_size)
        event = running.event("epoch", epoch, clock, total_steps, val_loss, val_acc)
        result.epochs.append(event)
        _emit(callback, event)
        key = (val_acc, -val_loss)
        if best_key is None or key > best_key:
            best_key, best_state, since_best, result.best_epoch = key, copy.deepcopy(model.state_dict()), 0, epoch
        else:
            since_best += 1
        if result.stopped:
            break
        if config.patience and since_best >= config.patience:
            result.early_stopped = True
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    result.elapsed_s = clock.elapsed()
    if result.epochs:
        _emit(callback, TrainEvent("end", result.best_epoch, clock.steps, total_steps, 0.0, 0.0,
                                   elapsed_s=result.elapsed_s))
    return result


@torch.no_grad()
def evaluate_loss(model: nn.Module, split: Split, batch_size: int) -> tuple[float, float]:
    """Mean cross-entropy and accuracy over a split (nan, nan when it is empty)."""
    if not split.labels:
        return math.nan, math.nan
    model.eval()
    total_loss, correct = 0.0, 0
    for _, ids, lengths, labels in iterate_batches(split.sequences, split.labels, batch_size * 2, None):
        logits, _ = model(ids, lengths)
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(-1) == labels).sum().item()
    return total_loss / len(split.labels), correct / len(split.labels)


def _emit(callback: Optional[Callback], event: TrainEvent) -> None:
    if callback is not None:
        callback(event)


class _Clock:
    """Counts steps and sentences; training time excludes validation."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.steps = 0
        self.sentences = 0

    def step(self, batch_size: int) -> None:
        self.steps += 1
        self.sentences += batch_size

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def rate(self) -> float:
        return self.sentences / max(self.elapsed(), 1e-9)


class _Running:
    """Running loss and accuracy within an epoch."""

    def __init__(self) -> None:
        self.loss_sum = 0.0
        self.correct = 0
        self.count = 0

    def add(self, loss: float, logits: torch.Tensor, labels: torch.Tensor) -> None:
        self.loss_sum += loss * len(labels)
        self.correct += (logits.argmax(-1) == labels).sum().item()
        self.count += len(labels)

    def event(self, kind: str, epoch: int, clock: _Clock, total_steps: int,
              val_loss: float | None = None, val_acc: float | None = None) -> TrainEvent:
        count = max(self.count, 1)
        return TrainEvent(kind, epoch, clock.steps, total_steps, self.loss_sum / count, self.correct / count,
                          val_loss, val_acc, clock.rate(), clock.elapsed())


def stratified_split(labels: Sequence[int], val_share: float, seed: int) -> tuple[list[int], list[int]]:
    """Train and validation indices, stratified when every class has at least two rows."""
    from sklearn.model_selection import train_test_split

    indices = list(range(len(labels)))
    if val_share <= 0:
        return indices, []
    counts = {label: list(labels).count(label) for label in set(labels)}
    n_val = max(1, round(len(labels) * val_share))
    can_stratify = min(counts.values()) >= 2 and n_val >= len(counts) and len(labels) - n_val >= len(counts)
    train_idx, val_idx = train_test_split(indices, test_size=n_val, random_state=seed,
                                          stratify=list(labels) if can_stratify else None)
    return sorted(train_idx), sorted(val_idx)
