"""In-corpus pretraining: the classifier's embedding and BiLSTM first learn the file's language, then its labels.

A bidirectional language model on the classifier's own modules (ULMFiT / ELMo style): the forward state at
position t predicts piece t+1, the backward state at t predicts piece t-1, each through its own linear head over
dropout; padding gets no loss. It reads every human turn and every counsellor reply of the TRAINING dialogues
(about twice the labelled text) and never the validation dialogues, so validation stays honest. It trains through
the shared loop (core/training/loop.py), so it has its own curve, and Stop works as for any run. The heads are
thrown away; the embedding and BiLSTM weights are where the classifier starts.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.classifier.model import BiLSTMWithAttention
from core.config import ModelConfig, TrainConfig
from core.corpus.tokenizer import Tokenizer
from core.training.batching import bucketed_batches, pad_batch
from core.training.loop import BatchResult, FitResult, TrainEvent, fit, resolve_device, to_device

HEAD_DROPOUT = 0.3
ENCODER_PREFIXES = ("embedding.", "lstm.")  # the classifier's weights that pretraining trains and hands over


@dataclass
class PretrainEvent:
    """A pretraining report (kind 'step', 'epoch' or 'end'); accuracy is next-piece accuracy, loss per piece."""

    epochs: int  # planned pretraining epochs
    event: TrainEvent
    scores_classes: ClassVar[bool] = False  # its accuracy is no class accuracy (core/jobs/classroom.py)


@dataclass
class PretrainSkipped:
    """Pretraining was asked for, but the training split has fewer dialogues than it needs to help."""

    dialogues: int
    minimum: int  # TrainConfig.pretrain_min_dialogues


@dataclass
class Pretrained:
    """What pretraining hands the classifier: the embedding and BiLSTM weights, and its own curve."""

    state: dict[str, torch.Tensor]
    fit: FitResult
    texts: int  # sequences it read (each at least two pieces)

    def load_into(self, model: nn.Module) -> None:
        model.load_state_dict(self.state, strict=False)


@dataclass
class TextSplit:
    """Encoded unlabelled sequences, for the loop (its len() is its number of examples)."""

    sequences: list[list[int]]

    def __len__(self) -> int:
        return len(self.sequences)


class BidirectionalLM(nn.Module):
    """The classifier's encoder with one next-piece head per direction."""

    def __init__(self, encoder: BiLSTMWithAttention, dropout: float = HEAD_DROPOUT):
        super().__init__()
        config = encoder.config
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.forward_head = nn.Linear(config.hidden_dim, config.vocab_size)
        self.backward_head = nn.Linear(config.hidden_dim, config.vocab_size)

    def logits_and_targets(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """ids (B, T) → logits (N, V) and targets (N,) over the N predictions with a real target: the forward
        state at t predicting piece t+1, then the backward state at t+1 predicting piece t.

        Only real positions reach the heads: the heads and their softmax are most of pretraining's cost."""
        states, mask = self.encoder.encode(ids, lengths)  # (B, T, 2H), (B, T)
        hidden = self.encoder.config.hidden_dim
        states = self.dropout(states)
        valid = mask[:, 1:]  # (B, T-1): both targets of a pair exist iff position t+1 is real
        forward_logits = self.forward_head(states[:, :-1, :hidden][valid])  # (N/2, V)
        backward_logits = self.backward_head(states[:, 1:, hidden:][valid])  # (N/2, V)
        targets = torch.cat([ids[:, 1:][valid], ids[:, :-1][valid]])  # (N,)
        return torch.cat([forward_logits, backward_logits]), targets


class LanguageModelTask:
    """The loop's task for pretraining: loss and accuracy per predicted piece, both directions together."""

    def batches(self, split: TextSplit, batch_size: int, rng: random.Random | None) -> Iterable:
        for batch in bucketed_batches([len(s) for s in split.sequences], batch_size, rng):
            yield pad_batch([split.sequences[i] for i in batch])

    def step(self, model: BidirectionalLM, batch, training: bool) -> BatchResult:
        ids, lengths = to_device(batch, model)
        logits, targets = model.logits_and_targets(ids, lengths)  # (N, V), (N,)
        loss_sum = F.cross_entropy(logits, targets, reduction="sum")
        count = int(targets.numel())
        correct = int((logits.argmax(-1) == targets).sum())
        return BatchResult(loss_sum / max(count, 1), loss_sum.item(), correct, count, int(ids.size(0)))

    def rank(self, val_loss: float, val_acc: float) -> tuple:
        return (-val_loss,)


def pretrain_encoder(tokenizer: Tokenizer, texts: Sequence[str], model_config: ModelConfig, config: TrainConfig,
                     callback: Callable[[PretrainEvent], None] | None = None,
                     stop: threading.Event | None = None) -> Pretrained:
    """Train the language model for `config.pretrain_epochs` epochs on `texts`; returns the encoder's weights.

    The encoder is built exactly as the classifier would be under the run's seed, so with no epochs the
    weights are the classifier's own initial ones."""
    model_config = replace(model_config, vocab_size=tokenizer.vocab_size)
    sequences = [s for s in tokenizer.encode_batch(list(texts), config.max_len) if len(s) >= 2]
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    encoder = BiLSTMWithAttention(model_config)
    model = BidirectionalLM(encoder).to(resolve_device(config.device))
    loop_config = replace(config, epochs=config.pretrain_epochs, lr=config.pretrain_lr, patience=0,
                          schedule="constant", average_epochs=0)  # averaging was measured on the classifier only
    tag = None if callback is None else (lambda event: callback(PretrainEvent(config.pretrain_epochs, event)))
    result = fit(model, LanguageModelTask(), TextSplit(sequences), TextSplit([]), loop_config, tag, stop)
    encoder = encoder.cpu()
    state = {k: v.detach().clone() for k, v in encoder.state_dict().items() if k.startswith(ENCODER_PREFIXES)}
    return Pretrained(state, result, len(sequences))
