"""The classifier task: its training step for the shared loop, a trained classifier's predictions, its bundle."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from core.classifier.baseline import META as BASELINE_META
from core.classifier.baseline import WEIGHTS as BASELINE_WEIGHTS
from core.classifier.baseline import Baseline, baseline_from_members, baseline_members
from core.classifier.model import BiLSTMWithAttention
from core.config import DataConfig, ModelConfig, TrainConfig, to_dict
from core.corpus.data import SUBLABEL_MISSING
from core.corpus.tokenizer import Tokenizer
from core.errors import BundleError
from core.training.batching import iterate_batches, pad_batch
from core.training.bundle import (
    HEADER_ALLOWANCE,
    MAX_TEXT,
    BundledModel,
    checked_config,
    load_parts,
    parse_member_json,
    refusing_damage,
    rnn_shapes,
    tensor_layout,
)
from core.training.loop import BatchResult, to_device

PREDICT_BATCH = 64
MAX_BASELINE_NGRAMS = 1_000_000  # n-grams the baseline may index: each is a string and a dict entry once loaded


@dataclass
class Split:
    """Encoded sentences and their integer labels; `resample` draws new segmentations (BPE-dropout)."""

    sequences: list[list[int]]
    labels: list[int]
    resample: Callable[[], list[list[int]]] | None = None
    aux_labels: list[int] | None = None  # 감정_소분류 indices for the auxiliary head (SUBLABEL_MISSING: none)

    def __len__(self) -> int:
        return len(self.labels)


class ClassifierTask:
    """Cross-entropy over sentence labels; epochs ranked by validation accuracy, then loss.

    While training, `aux_weight` adds the auxiliary 감정_소분류 head's cross-entropy (when the model has the head
    and the split its labels), `mixup` mixes pairs of sentence vectors and their targets, and `label_smoothing`
    softens both heads' targets. The reported loss is the main head's plain cross-entropy, so curves and epoch
    ranking compare with and without them."""

    def __init__(self, aux_weight: float = 0.0, mixup: float = 0.0, label_smoothing: float = 0.0):
        self.aux_weight = aux_weight
        self.mixup = mixup
        self.label_smoothing = label_smoothing

    def batches(self, split: Split, batch_size: int, rng: random.Random | None):
        """Training (rng given) draws a fresh segmentation each epoch when the split can; evaluation never does."""
        sequences = split.resample() if rng is not None and split.resample is not None else split.sequences
        for index, ids, lengths, labels in iterate_batches(sequences, split.labels, batch_size, rng):
            aux = None if split.aux_labels is None else torch.as_tensor([split.aux_labels[i] for i in index])
            yield ids, lengths, labels, aux

    def step(self, model: BiLSTMWithAttention, batch, training: bool) -> BatchResult:
        ids, lengths, labels, aux_labels = to_device(batch, model)
        states, mask = model.encode(ids, lengths)
        context, _ = model.pool(states, mask)  # (B, 2H)
        if not training:
            logits = model.classify(context)  # (B, C)
            loss = F.cross_entropy(logits, labels)
            return BatchResult(loss, loss.item() * len(labels), _correct(logits, labels), len(labels), len(labels))
        share, partner = self._mixing(len(labels), context.device)
        if partner is not None:
            context = share * context + (1 - share) * context[partner]  # (B, 2H)
        logits = model.classify(context)  # (B, C)
        loss = _mixed_loss(logits, labels, share, partner)
        smoothing = self.label_smoothing
        objective = _mixed_loss(logits, labels, share, partner, smoothing) if smoothing else loss
        if (self.aux_weight > 0 and aux_labels is not None and model.aux_head is not None
                and bool((aux_labels != SUBLABEL_MISSING).any())):  # a batch of blanks would give nan
            objective = objective + self.aux_weight * _mixed_loss(model.classify_aux(context), aux_labels, share,
                                                                  partner, smoothing)
        return BatchResult(objective, loss.item() * len(labels), _correct(logits, labels), len(labels), len(labels))

    def _mixing(self, rows: int, device: torch.device) -> tuple[float, torch.Tensor | None]:
        """Mixup's share of each row and the row it is mixed with (None: no mixing)."""
        if self.mixup <= 0 or rows < 2:
            return 1.0, None
        share = float(torch.distributions.Beta(self.mixup, self.mixup).sample())
        return share, torch.randperm(rows).to(device)

    def rank(self, val_loss: float, val_acc: float) -> tuple:
        return (val_acc, -val_loss)


def _mixed_loss(logits: torch.Tensor, targets: torch.Tensor, share: float, partner: torch.Tensor | None,
                smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy against the targets, mixed with the partner rows' targets as the inputs were."""
    loss = F.cross_entropy(logits, targets, ignore_index=SUBLABEL_MISSING, label_smoothing=smoothing)
    if partner is None:
        return loss
    return share * loss + (1 - share) * F.cross_entropy(logits, targets[partner], ignore_index=SUBLABEL_MISSING,
                                                        label_smoothing=smoothing)


def _correct(logits: torch.Tensor, labels: torch.Tensor) -> int:
    return int((logits.argmax(-1) == labels).sum())


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
    """Rebuild a classifier from a bundle; contents that are incompatible, or of the wrong type anywhere, raise
    BundleError before anything is kept."""
    parts = load_parts(source, Classifier.KIND, name, BiLSTMWithAttention, ModelConfig, TrainConfig, tensor_shapes)
    meta, config = parts.meta, parts.model.config
    label_names = _label_names(meta.get("label_names"), config.num_classes, name)
    data_config = checked_config(DataConfig, meta.get("data_config"), "data_config", name)
    with refusing_damage(name):
        baseline = _baseline(parts.extras, label_names, name)
    return Classifier(parts.tokenizer, parts.model, label_names, data_config, parts.train_config,
                      parts.metrics, parts.history, baseline)


def tensor_shapes(config: ModelConfig) -> tuple[dict, dict]:
    """Every tensor of BiLSTMWithAttention's state dict by name and shape, from its settings alone (nothing is
    allocated): what a bundle's weights must hold. None is optional."""
    state, a, f = 2 * config.hidden_dim, config.attention_dim, config.fc_dim
    shapes = {"embedding.weight": (config.vocab_size, config.emb_dim),
              **rnn_shapes("lstm", 4, config.emb_dim, config.hidden_dim, config.num_layers),
              "attention.W_att.weight": (a, state), "attention.W_att.bias": (a,), "attention.W_c.weight": (1, a),
              "norm.weight": (state,), "norm.bias": (state,), "fc1.weight": (f, state), "fc1.bias": (f,),
              "fc2.weight": (config.num_classes, f), "fc2.bias": (config.num_classes,)}
    if config.aux_classes:
        shapes |= {"aux_head.weight": (config.aux_classes, state), "aux_head.bias": (config.aux_classes,)}
    return shapes, {}


def _label_names(value, num_classes: int, name: str) -> list[str]:
    if (not isinstance(value, list) or len(value) != num_classes or len(set(map(str, value))) != len(value)
            or not all(isinstance(x, str) and 0 < len(x) <= MAX_TEXT for x in value)):
        raise BundleError("bundle_label_names", name=name, count=num_classes)
    return list(value)


def _baseline(extras: dict[str, bytes], label_names: list[str], name: str) -> Baseline | None:
    """The linear reference, its JSON and tensor shapes checked against each other before it is rebuilt, then
    tried once: a bundle whose baseline cannot predict is refused now, not when a page first asks it."""
    if BASELINE_WEIGHTS not in extras or BASELINE_META not in extras:
        return None
    meta = parse_member_json(extras[BASELINE_META], BASELINE_META, name)
    unreadable = BundleError("bundle_baseline", name=name)
    if not isinstance(meta, dict):
        raise unreadable
    ngrams, classes, names = meta.get("ngrams"), meta.get("classes"), meta.get("label_names")
    if not (_distinct(ngrams, str, MAX_BASELINE_NGRAMS) and _distinct(classes, int, len(label_names))
            and len(classes) >= 2 and all(0 <= c < len(label_names) for c in classes)
            and isinstance(names, list) and len(names) == len(label_names) and all(isinstance(x, str) for x in names)):
        raise unreadable
    data = extras[BASELINE_WEIGHTS]
    rows = 1 if len(classes) == 2 else len(classes)  # LinearSVC keeps one row for two classes
    if _baseline_shapes(data, name) != {"idf": (len(ngrams),), "coef": (rows, len(ngrams)), "intercept": (rows,)}:
        raise unreadable
    baseline = baseline_from_members(extras)
    baseline.predict(["가"])
    return baseline


def _distinct(values, kind: type, most: int) -> bool:
    return (isinstance(values, list) and 0 < len(values) <= most
            and all(isinstance(v, kind) and not isinstance(v, bool) for v in values) and len(set(values)) == len(values))


def _baseline_shapes(data: bytes, name: str) -> dict[str, tuple[int, ...]]:
    """The tensor shapes baseline.safetensors' header declares, checked as the model's weights are."""
    end = 8 + int.from_bytes(data[:8], "little")
    try:
        if len(data) < 8 or end > min(8 + HEADER_ALLOWANCE, len(data)):
            raise BundleError("bundle_header_long", name=name, member=BASELINE_WEIGHTS)
        layout = tensor_layout(parse_member_json(data[8:end], BASELINE_WEIGHTS, name), len(data) - end, name,
                               BASELINE_WEIGHTS)
    except BundleError:
        raise BundleError("bundle_baseline", name=name) from None
    return {key: shape for key, (shape, _) in layout.items()}
