"""A trained classifier (tokenizer + model + label names), its predictions, and its bundle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import torch

from .batching import pad_batch
from .bundle import Bundle, Target, bundle_bytes, read_bundle, write_bundle
from .config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig, from_dict, to_dict
from .errors import BundleError
from .model import BiLSTMWithAttention
from .tokenizer import Tokenizer
from .train import FitResult

KIND = "classifier"
PREDICT_BATCH = 64


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
class Classifier:
    tokenizer: Tokenizer
    model: BiLSTMWithAttention
    label_names: list[str]
    data_config: DataConfig
    train_config: TrainConfig
    metrics: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)  # epoch curves, for the app's run history

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

    def _prediction(self, text: str, ids: torch.Tensor, length: int, probs: torch.Tensor, weights: torch.Tensor) -> Prediction:
        tokens = [self.tokenizer.id_to_piece(i) for i in ids[:length].tolist()]
        return Prediction(
            text=text,
            label=self.label_names[int(probs.argmax())],
            probabilities={name: round(float(p), 6) for name, p in zip(self.label_names, probs)},
            tokens=tokens,
            attention=[round(float(w), 6) for w in weights[:length]],
        )

    def to_bundle(self) -> Bundle:
        meta = {
            "label_names": self.label_names,
            "data_config": to_dict(self.data_config),
            "tokenizer_config": to_dict(self.tokenizer.config),
            "model_config": to_dict(self.model_config),
            "train_config": to_dict(self.train_config),
            "metrics": self.metrics,
            "history": self.history,
        }
        return Bundle(KIND, meta, self.model.state_dict(), self.tokenizer.model_proto)

    def save(self, target: Target) -> None:
        write_bundle(target, self.to_bundle())

    def to_bytes(self) -> bytes:
        return bundle_bytes(self.to_bundle())


def load_classifier(source, name: str = "bundle") -> Classifier:
    """Rebuild a classifier from a bundle; incompatible contents raise BundleError."""
    bundle = read_bundle(source, KIND, name)
    meta = bundle.meta
    try:
        model_config = from_dict(ModelConfig, meta["model_config"])
        tokenizer = Tokenizer(bundle.tokenizer_proto, from_dict(TokenizerConfig, meta["tokenizer_config"]))
        model = BiLSTMWithAttention(model_config)
        model.load_state_dict(bundle.tensors, strict=True)
        label_names = [str(x) for x in meta["label_names"]]
        data_config = from_dict(DataConfig, meta["data_config"])
        train_config = from_dict(TrainConfig, meta["train_config"])
    except BundleError:
        raise
    except Exception as error:
        raise BundleError(f"{name}: the bundle does not fit this version of the model ({type(error).__name__}: {str(error)[:200]}).") from None
    if len(label_names) != model_config.num_classes or tokenizer.vocab_size != model_config.vocab_size:
        raise BundleError(f"{name}: labels or vocabulary disagree with the model's shape.")
    model.eval()
    return Classifier(tokenizer, model, label_names, data_config, train_config,
                      meta.get("metrics", {}), meta.get("history", {}))


def history_from_fit(result: FitResult) -> dict:
    """Epoch and step curves as plain lists (JSON-ready)."""
    def rows(events):
        return [{k: getattr(e, k) for k in ("epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc",
                                             "sentences_per_s", "elapsed_s")} for e in events]
    return {"epochs": rows(result.epochs), "steps": rows(result.steps), "best_epoch": result.best_epoch,
            "stopped": result.stopped, "early_stopped": result.early_stopped, "elapsed_s": result.elapsed_s}
