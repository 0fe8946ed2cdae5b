"""Teacher-forced training of the reply model; reports through a callback and obeys a stop flag, as core.train does."""

from __future__ import annotations

import copy
import math
import random
import threading
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..batching import bucketed_batches, pad_batch
from ..train import Callback, FitResult, TrainEvent, _Clock, _emit
from .model import Seq2Seq

MAX_PERPLEXITY_LOSS = 50.0  # exp() of larger losses overflows into meaningless numbers


@dataclass
class Seq2SeqTrainConfig:
    epochs: int = 12
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    teacher_forcing: float = 1.0  # share of steps fed the gold previous token
    label_smoothing: float = 0.1  # the reported losses stay plain cross-entropy
    val_share: float = 0.1
    seed: int = 42
    patience: int = 0  # 0 = no early stopping
    max_source_len: int = 48  # tokens kept per sentence
    max_target_len: int = 48
    report_every: int = 10
    num_threads: int = 0  # 0 = leave torch's default


@dataclass
class Seq2SeqEvent(TrainEvent):
    """A TrainEvent whose accuracies are token accuracies under teacher forcing, plus perplexities."""

    @property
    def train_perplexity(self) -> float:
        return perplexity(self.train_loss)

    @property
    def val_perplexity(self) -> float | None:
        return None if self.val_loss is None else perplexity(self.val_loss)


@dataclass
class PairSplit:
    """Encoded sources, and targets wrapped as [<s>, ..., </s>]."""

    sources: list[list[int]]
    targets: list[list[int]]

    def __len__(self) -> int:
        return len(self.sources)


def perplexity(loss: float) -> float:
    return math.exp(min(loss, MAX_PERPLEXITY_LOSS)) if loss == loss else math.nan


def pair_batches(split: PairSplit, batch_size: int, rng: random.Random | None
                 ) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Yields src (B, S), src_lengths (B,), tgt_in (B, T), tgt_out (B, T), bucketed by length.

    The key is the source length, ties broken by target length: the decoder loop runs once per target
    step, so similar target lengths within a batch save as much time as similar source lengths."""
    keys = [len(s) * 1000 + len(t) for s, t in zip(split.sources, split.targets)]
    for batch in bucketed_batches(keys, batch_size, rng):
        src, src_lengths = pad_batch([split.sources[i] for i in batch])
        tgt, _ = pad_batch([split.targets[i] for i in batch])
        yield src, src_lengths, tgt[:, :-1], tgt[:, 1:]


def token_loss(logits: torch.Tensor, tgt_out: torch.Tensor, pad_id: int, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy over real target tokens; padded positions are ignored."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1), ignore_index=pad_id,
                           reduction=reduction)


def smoothed_loss(logits: torch.Tensor, tgt_out: torch.Tensor, pad_id: int, label_smoothing: float
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss to minimise, plain cross-entropy) from one log-softmax, both over real target tokens.

    The smoothed loss is (1 - ε) · NLL + ε · mean over the vocabulary of -log p, as F.cross_entropy's
    label_smoothing; the plain cross-entropy is what the curves and perplexity report."""
    log_probs = torch.log_softmax(logits.reshape(-1, logits.size(-1)), dim=-1)  # (B·T, V)
    target = tgt_out.reshape(-1)  # (B·T,)
    nll = F.nll_loss(log_probs, target, ignore_index=pad_id)
    if label_smoothing <= 0:
        return nll, nll
    real = target != pad_id
    uniform = -log_probs[real].mean(dim=-1).mean()
    return (1 - label_smoothing) * nll + label_smoothing * uniform, nll


def fit_seq2seq(model: Seq2Seq, train: PairSplit, val: PairSplit, config: Seq2SeqTrainConfig,
                callback: Optional[Callback] = None, stop: Optional[threading.Event] = None) -> FitResult:
    """Train with Adam on bucketed batches; keeps (and restores) the weights of the epoch with the best val loss."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    total_steps = math.ceil(len(train) / config.batch_size) * config.epochs
    result, clock = FitResult(), _Clock()
    best_state, best_loss, since_best = None, math.inf, 0
    for epoch in range(1, config.epochs + 1):
        running = _TokenRunning()
        model.train()
        for src, src_lengths, tgt_in, tgt_out in pair_batches(train, config.batch_size, rng):
            if stop is not None and stop.is_set():
                result.stopped = True
                break
            _train_step(model, optimizer, config, running, src, src_lengths, tgt_in, tgt_out)
            clock.step(len(src))
            if clock.steps % config.report_every == 0:
                result.steps.append(running.event("step", epoch, clock, total_steps))
                _emit(callback, result.steps[-1])
        if result.stopped and running.tokens == 0:
            break
        val_loss, val_acc = evaluate_loss(model, val, config.batch_size)
        result.epochs.append(running.event("epoch", epoch, clock, total_steps, val_loss, val_acc))
        _emit(callback, result.epochs[-1])
        if not val_loss >= best_loss:  # also true for nan (no validation): keep the latest
            best_loss, best_state, since_best, result.best_epoch = val_loss, copy.deepcopy(model.state_dict()), 0, epoch
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
        _emit(callback, Seq2SeqEvent("end", result.best_epoch, clock.steps, total_steps, 0.0, 0.0, elapsed_s=result.elapsed_s))
    return result


def _train_step(model: Seq2Seq, optimizer: torch.optim.Optimizer, config: Seq2SeqTrainConfig, running: "_TokenRunning",
                src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor) -> None:
    logits, _ = model(src, src_lengths, tgt_in, config.teacher_forcing)  # (B, T, V)
    loss, cross_entropy = smoothed_loss(logits, tgt_out, model.config.pad_id, config.label_smoothing)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    optimizer.step()
    running.add(cross_entropy.item(), logits, tgt_out, model.config.pad_id)


@torch.no_grad()
def evaluate_loss(model: Seq2Seq, split: PairSplit, batch_size: int) -> tuple[float, float]:
    """Mean cross-entropy per real target token and token accuracy, teacher-forced (nan, nan when empty)."""
    if not len(split):
        return math.nan, math.nan
    model.eval()
    running = _TokenRunning()
    for src, src_lengths, tgt_in, tgt_out in pair_batches(split, batch_size * 2, None):
        logits, _ = model(src, src_lengths, tgt_in)
        running.add_sum(token_loss(logits, tgt_out, model.config.pad_id, reduction="sum").item(),
                        logits, tgt_out, model.config.pad_id)
    return running.loss_sum / running.tokens, running.correct / running.tokens


class _TokenRunning:
    """Running loss and accuracy per real target token within an epoch."""

    def __init__(self) -> None:
        self.loss_sum = 0.0
        self.correct = 0
        self.tokens = 0

    def add(self, mean_loss: float, logits: torch.Tensor, tgt_out: torch.Tensor, pad_id: int) -> None:
        self.add_sum(mean_loss * int((tgt_out != pad_id).sum()), logits, tgt_out, pad_id)

    def add_sum(self, loss_sum: float, logits: torch.Tensor, tgt_out: torch.Tensor, pad_id: int) -> None:
        real = tgt_out != pad_id  # (B, T)
        self.loss_sum += loss_sum
        self.correct += int(((logits.argmax(-1) == tgt_out) & real).sum())
        self.tokens += int(real.sum())

    def event(self, kind: str, epoch: int, clock: _Clock, total_steps: int,
              val_loss: float | None = None, val_acc: float | None = None) -> Seq2SeqEvent:
        tokens = max(self.tokens, 1)
        return Seq2SeqEvent(kind, epoch, clock.steps, total_steps, self.loss_sum / tokens, self.correct / tokens,
                            val_loss, val_acc, clock.rate(), clock.elapsed())


def encode_pairs(tokenizer, sources: Sequence[str], targets: Sequence[str], config: Seq2SeqTrainConfig) -> PairSplit:
    """Token ids for the encoder, and [<s>] + ids + [</s>] for the decoder."""
    src = tokenizer.encode_batch(list(sources), config.max_source_len)
    tgt = tokenizer.encode_batch(list(targets), config.max_target_len)
    bos, eos = tokenizer.processor.bos_id(), tokenizer.processor.eos_id()
    return PairSplit(src, [[bos, *ids, eos] for ids in tgt])
