"""One training loop for every task (as minGPT's trainer): it knows nothing of the model or the UI.

The loop owns the optimiser, the learning-rate schedule, the stop flag, the report cadence, validation,
best-epoch selection, patience, events and history. A task supplies its batches, its step and how to
rank epochs; it reports through a callback and checks the stop flag before every batch.
"""

from __future__ import annotations

import copy
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
import torch.nn as nn

from core.config import LoopConfig
from core.training.batching import steps_per_epoch

MAX_PERPLEXITY_LOSS = 50.0  # exp() of larger losses overflows into meaningless numbers
EVENT_FIELDS = ("epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "sentences_per_s", "elapsed_s")


@dataclass
class TrainEvent:
    """One report: kind 'step' (running train metrics), 'epoch' (with validation) or 'end'.

    Accuracies are per sentence for the classifier and per target token for the reply generator."""

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
    epochs: int = 0  # planned epochs (0: not known), so a reader of the events alone can say "epoch k of n"

    @property
    def progress(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 1.0

    @property
    def eta_s(self) -> float:
        done = self.progress
        return self.elapsed_s * (1 - done) / done if done > 0 else math.inf

    def row(self) -> dict:
        return {name: getattr(self, name) for name in EVENT_FIELDS}


Callback = Callable[[TrainEvent], None]


def perplexity(loss: float) -> float:
    """exp(loss) per token, for generation; nan stays nan."""
    return math.exp(min(loss, MAX_PERPLEXITY_LOSS)) if loss == loss else math.nan


@dataclass
class FitResult:
    epochs: list[TrainEvent] = field(default_factory=list)
    steps: list[TrainEvent] = field(default_factory=list)
    best_epoch: int = 0  # 0: no epoch finished
    stopped: bool = False  # by the stop flag
    early_stopped: bool = False
    elapsed_s: float = 0.0
    averaged_epochs: int = 0  # >0: the weights kept are the mean of the run's last this-many epochs
    averaged_val: tuple[float, float] | None = None  # their validation loss and accuracy

    @property
    def best(self) -> TrainEvent | None:
        return next((e for e in self.epochs if e.epoch == self.best_epoch), None)

    def history(self) -> dict:
        """Epoch and step curves as plain lists (JSON-ready): what a bundle and the run history keep."""
        return {"epochs": [e.row() for e in self.epochs], "steps": [e.row() for e in self.steps],
                "best_epoch": self.best_epoch, "stopped": self.stopped, "early_stopped": self.early_stopped,
                "elapsed_s": self.elapsed_s, "averaged_epochs": self.averaged_epochs}


@dataclass
class BatchResult:
    """What one batch gives the loop: the loss to minimise and the sums the reports average."""

    objective: torch.Tensor  # scalar the optimiser minimises (may differ from the reported loss)
    loss_sum: float  # reported loss summed over `count` units
    correct: int
    count: int  # units the metrics average over: sentences, or real target tokens
    rows: int  # sentences in the batch (throughput)


class Task(Protocol):
    """What the loop needs from a task: its batches, its step, and which epoch is better.

    A split is any object with len() (its number of examples) that the task's `batches` can read."""

    def batches(self, split: Any, batch_size: int, rng: random.Random | None) -> Iterable[Any]: ...

    def step(self, model: nn.Module, batch: Any, training: bool) -> BatchResult: ...

    def rank(self, val_loss: float, val_acc: float) -> tuple: ...  # larger is better


def overfitting(epochs: list[TrainEvent]) -> bool:
    """Validation loss rose for two epochs in a row while training loss fell: the model memorises."""
    if len(epochs) < 3:
        return False
    a, b, c = epochs[-3:]
    return c.val_loss > b.val_loss > a.val_loss and c.train_loss < b.train_loss < a.train_loss


def train_new(model_class: type, model_config: Any, task: Task, train: Any, val: Any, config: LoopConfig,
              callback: Callback | None = None, stop: threading.Event | None = None,
              init: Callable[[nn.Module], None] | None = None) -> tuple[nn.Module, FitResult]:
    """Build a model from its config under the run's seed (so a seed reproduces a run), then fit it.

    `init`, when given, changes the new model before training (e.g. loads pretrained weights)."""
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    model = model_class(model_config)
    if init is not None:
        init(model)
    device = resolve_device(config.device)
    result = fit(model.to(device), task, train, val, config, callback, stop)
    return model.cpu(), result  # predictions, bundles and the pages work on the CPU


def resolve_device(name: str) -> torch.device:
    """'auto' is CUDA when a GPU is available, else the CPU; asking for CUDA without one is an error."""
    from core.errors import AttentionLabError

    if name == "cuda" and not torch.cuda.is_available():
        raise AttentionLabError("no_cuda")
    return torch.device("cuda" if name != "cpu" and torch.cuda.is_available() else "cpu")


def to_device(batch: tuple, model: nn.Module) -> tuple:
    """A batch's tensors on the model's device (a no-op on the CPU)."""
    device = next(model.parameters()).device
    return tuple(t.to(device, non_blocking=True) if isinstance(t, torch.Tensor) else t for t in batch)


def fit(model: nn.Module, task: Task, train: Any, val: Any, config: LoopConfig,
        callback: Callback | None = None, stop: threading.Event | None = None) -> FitResult:
    """Train with AdamW; keeps (and restores) the weights of the best epoch. Never raises on Stop."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    total_steps = steps_per_epoch(len(train), config.batch_size) * config.epochs
    schedule = _schedule(optimizer, config, total_steps)
    result, clock = FitResult(), _Clock()
    best_state, best_rank, since_best = None, None, 0
    window = deque(maxlen=config.average_epochs) if config.average_epochs > 1 else None  # end-of-epoch weights
    for epoch in range(1, config.epochs + 1):
        running = _Running()
        model.train()
        for batch in task.batches(train, config.batch_size, rng):
            if stop is not None and stop.is_set():
                result.stopped = True
                break
            _optimise(model, optimizer, config, running, task.step(model, batch, training=True))
            if schedule is not None:
                schedule.step()
            clock.step(running.last_rows)
            if clock.steps % config.report_every == 0:
                result.steps.append(running.event("step", epoch, clock, total_steps, config.epochs))
                _emit(callback, result.steps[-1])
        if result.stopped:  # a partial epoch is not an epoch: the best finished one is kept
            break
        val_loss, val_acc = evaluate(model, task, val, config.batch_size)
        result.epochs.append(running.event("epoch", epoch, clock, total_steps, config.epochs, val_loss, val_acc))
        _emit(callback, result.epochs[-1])
        rank = task.rank(val_loss, val_acc) if val_loss == val_loss else (epoch,)  # no validation: the latest
        if window is not None:
            window.append((epoch, copy.deepcopy(model.state_dict())))
        if best_rank is None or rank > best_rank:
            best_rank, best_state, since_best, result.best_epoch = rank, copy.deepcopy(model.state_dict()), 0, epoch
        else:
            since_best += 1
        if config.patience and since_best >= config.patience:
            result.early_stopped = True
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    if window is not None and len(result.epochs) == config.epochs and not result.early_stopped:
        states = [state for epoch, state in window if epoch > 1]  # never the first: it is still far from the rest
        if len(states) > 1:
            _average(model, task, val, config, states, result)
    model.eval()
    result.elapsed_s = clock.elapsed()
    if result.epochs:
        _emit(callback, TrainEvent("end", result.best_epoch, clock.steps, total_steps, 0.0, 0.0,
                                   elapsed_s=result.elapsed_s, epochs=config.epochs))
    return result


@torch.no_grad()
def evaluate(model: nn.Module, task: Task, split: Any, batch_size: int) -> tuple[float, float]:
    """Mean reported loss and accuracy over a split, in a fixed order (nan, nan when it is empty)."""
    model.eval()
    running = _Running()
    for batch in task.batches(split, batch_size * 2, None):
        running.add(task.step(model, batch, training=False))
    if running.count == 0:
        return math.nan, math.nan
    return running.loss_sum / running.count, running.correct / running.count


def average_states(states: list[dict]) -> dict:
    """The element-wise mean of several state dicts of one model (integer buffers are taken from the last)."""
    return {key: torch.stack([s[key] for s in states]).mean(0) if value.is_floating_point() else value
            for key, value in states[-1].items()}


def _average(model: nn.Module, task: Task, val: Any, config: LoopConfig, states: list[dict],
             result: FitResult) -> None:
    """Load the mean of the last epochs' weights (SWA-style: the mean of points along the trajectory sits in a
    flatter region, and it generalised better than the best epoch alone on another source; docs/real_data.md).
    Only a run that trained every planned epoch and was not stopped by patience gets here."""
    model.load_state_dict(average_states(states))
    result.averaged_epochs, result.averaged_val = len(states), evaluate(model, task, val, config.batch_size)


def _optimise(model: nn.Module, optimizer: torch.optim.Optimizer, config: LoopConfig, running: _Running,
              out: BatchResult) -> None:
    optimizer.zero_grad(set_to_none=True)
    out.objective.backward()
    nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    optimizer.step()
    running.add(out)


def _schedule(optimizer: torch.optim.Optimizer, config: LoopConfig, total_steps: int):
    """'constant', or 'cosine': a linear warm-up over the first `warmup` share of steps, then cosine to 0."""
    if config.schedule == "constant" or total_steps == 0:
        return None
    warmup = max(1, int(total_steps * config.warmup))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total_steps - warmup))))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _emit(callback: Callback | None, event: TrainEvent) -> None:
    if callback is not None:
        callback(event)


class _Clock:
    """Counts steps and sentences; elapsed time includes validation (short beside training)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.steps = 0
        self.sentences = 0

    def step(self, rows: int) -> None:
        self.steps += 1
        self.sentences += rows

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
        self.last_rows = 0

    def add(self, out: BatchResult) -> None:
        self.loss_sum += out.loss_sum
        self.correct += out.correct
        self.count += out.count
        self.last_rows = out.rows

    def event(self, kind: str, epoch: int, clock: _Clock, total_steps: int, epochs: int,
              val_loss: float | None = None, val_acc: float | None = None) -> TrainEvent:
        count = max(self.count, 1)
        return TrainEvent(kind, epoch, clock.steps, total_steps, self.loss_sum / count, self.correct / count,
                          val_loss, val_acc, clock.rate(), clock.elapsed(), epochs)
