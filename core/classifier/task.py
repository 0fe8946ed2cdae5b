"""The classifier task: its training step for the shared loop, a trained classifier's predictions, its bundle."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from core.classifier.baseline import Baseline, baseline_from_members, baseline_members
from core.classifier.model import BiLSTMWithAttention
from core.config import DataConfig, ModelConfig, TrainConfig, from_dict, to_dict
from core.corpus.tokenizer import Tokenizer
from core.errors import BundleError
from core.training.batching import iterate_batches, pad_batch
from core.training.bundle import BundledModel, load_parts
from core.training.loop import BatchResult, to_device

PREDICT_BATCH = 64


@dataclass
class Split:
    """Encoded sentences and their integer labels; `resample` draws new segmentations (BPE-dropout)."""

    sequences: list[list[int]]
    labels: list[int]
    resample: Callable[[], list[list[int]]] | None = None

    def __len__(self) -> int:
        return len(self.labels)


class ClassifierTask:
    """Cross-entropy over sentence labels; epochs ranked by validation accuracy, then loss."""

    def batches(self, split: Split, batch_size: int, rng: random.Random | None):
        """Training (rng given) draws a fresh segmentation each epoch when the split can; evaluation never does."""
        sequences = split.resample() if rng is not None and split.resample is not None else split.sequences
        for _, ids, lengths, labels in iterate_batches(sequences, split.labels, batch_size, rng):
            yield ids, lengths, labels

    def step(self, model: BiLSTMWithAttention, batch, training: bool) -> BatchResult:
        ids, lengths, labels = to_device(batch, model)
        logits, _ = model(ids, lengths)  # (B, C)
        loss = F.cross_entropy(logits, labels)
        correct = int((logits.argmax(-1) == labels).sum())
        return BatchResult(loss, loss.item() * len(labels), correct, len(labels), len(labels))

    def rank(self, val_loss: float, val_acc: float) -> tuple:
        return (val_acc, -val_loss)


@dataclass
class Prediction:
    text: str
    label: str
    probabilities: dict[str, float]
    tokens: list[str]  # BPE pieces, one per attention weight
    attention: list[float]

    def to_json(self) -> dict:
        return {"text": self.text, "label": self.label, "probabilities": self.probabilities,
                "tokens": self.tokens, "attention": self.attention}


@dataclass
class Classifier(BundledModel):
    tokenizer: Tokenizer
    model: BiLSTMWithAttention
    label_names: list[str]
    data_config: DataConfig
    train_config: TrainConfig
    metrics: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)  # epoch curves, for the app's run history
    baseline: Baseline | None = field(default=None, repr=False)  # the linear reference, fitted on the same split

    KIND = "classifier"

    @property
    def model_config(self) -> ModelConfig:
        return self.model.config

    @torch.no_grad()
    def predict(self, sentences: Sequence[str]) -> list[Prediction]:
        """Label, probabilities, pieces and attention for each sentence (in input order)."""
        self.model.eval()
        max_len = self.train_config.max_len
        results = []
        for start in range(0, len(sentences), PREDICT_BATCH):
            chunk = list(sentences[start:start + PREDICT_BATCH])
            sequences = self.tokenizer.encode_batch(chunk, max_len)
            ids, lengths = pad_batch(sequences)
            logits, weights = self.model(ids, lengths)
            probabilities = torch.softmax(logits, dim=-1)
            for row, text in enumerate(chunk):
                results.append(self._prediction(text, ids[row], int(lengths[row]), probabilities[row], weights[row]))
        return results

    @torch.no_grad()
    def predict_ids(self, sequences: Sequence[Sequence[int]]) -> list[int]:
        """Predicted label index for each encoded sentence (in input order)."""
        self.model.eval()
        predicted = []
        for start in range(0, len(sequences), PREDICT_BATCH):
            ids, lengths = pad_batch(sequences[start:start + PREDICT_BATCH])
            logits, _ = self.model(ids, lengths)  # (B, C)
            predicted += logits.argmax(-1).tolist()
        return predicted

    def _prediction(self, text: str, ids: torch.Tensor, length: int, probs: torch.Tensor, weights: torch.Tensor) -> Prediction:
        tokens = [self.tokenizer.id_to_piece(i) for i in ids[:length].tolist()]
        return Prediction(
            text=text,
            label=self.label_names[int(probs.argmax())],
            probabilities={name: round(float(p), 6) for name, p in zip(self.label_names, probs)},
            tokens=tokens,
            attention=[round(float(w), 6) for w in weights[:length]],
        )

    def extra_meta(self) -> dict:
        return {"label_names": self.label_names, "data_config": to_dict(self.data_config)}

    def bundle_extras(self) -> dict[str, bytes]:
        return baseline_members(self.baseline) if self.baseline is not None else {}


def load_classifier(source, name: str = "bundle") -> Classifier:
    """Rebuild a classifier from a bundle; incompatible contents raise BundleError."""
    parts = load_parts(source, Classifier.KIND, name, BiLSTMWithAttention, ModelConfig, TrainConfig)
    meta = parts.meta
    try:
        label_names = [str(x) for x in meta["label_names"]]
        data_config = from_dict(DataConfig, meta["data_config"])
    except Exception as error:
        raise BundleError(f"{name}: the bundle's labels or data settings are unreadable ({type(error).__name__}).") from None
    if len(label_names) != parts.model.config.num_classes:
        raise BundleError(f"{name}: labels or vocabulary disagree with the model's shape.")
    try:
        baseline = baseline_from_members(parts.extras)
    except Exception as error:
        raise BundleError(f"{name}: the bundle's baseline is unreadable ({type(error).__name__}).") from None
    return Classifier(parts.tokenizer, parts.model, label_names, data_config, parts.train_config,
                      meta.get("metrics", {}), meta.get("history", {}), baseline)
