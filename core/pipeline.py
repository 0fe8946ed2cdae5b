"""Dataset → split → tokenizer → model → fit → metrics: the one path the CLI, the app and tests share."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Optional

import torch

from .classifier import Classifier, history_from_fit
from .config import ModelConfig, TokenizerConfig, TrainConfig
from .data import Dataset
from .model import BiLSTMWithAttention
from .tokenizer import Tokenizer, train_tokenizer
from .train import Callback, FitResult, Split, fit, stratified_split


@dataclass
class TrainOutcome:
    classifier: Classifier
    fit: FitResult
    train_index: list[int]
    val_index: list[int]  # rows of the dataset held out for validation

    def val_texts(self, dataset: Dataset) -> list[str]:
        return [dataset.texts[i] for i in self.val_index]

    def val_label_names(self, dataset: Dataset) -> list[str]:
        return [dataset.label_names[dataset.labels[i]] for i in self.val_index]


def train_classifier(
    dataset: Dataset,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    tokenizer: Tokenizer | None = None,
    tokenizer_config: TokenizerConfig | None = None,
    callback: Optional[Callback] = None,
    stop: Optional[threading.Event] = None,
) -> TrainOutcome:
    """Train a classifier on a dataset; a tokenizer is trained on the training split unless given."""
    train_config = train_config or TrainConfig()
    if train_config.num_threads:
        torch.set_num_threads(train_config.num_threads)
    train_index, val_index = stratified_split(dataset.labels, train_config.val_share, train_config.seed)
    if tokenizer is None:
        tokenizer = train_tokenizer([dataset.texts[i] for i in train_index], tokenizer_config)
    model_config = replace(model_config or ModelConfig(), vocab_size=tokenizer.vocab_size,
                           num_classes=len(dataset.label_names))
    torch.manual_seed(train_config.seed)
    model = BiLSTMWithAttention(model_config)
    train_split, val_split = (_encode(dataset, idx, tokenizer, train_config.max_len) for idx in (train_index, val_index))
    result = fit(model, train_split, val_split, train_config, callback, stop)
    best = next((e for e in result.epochs if e.epoch == result.best_epoch), None)
    metrics = {"val_accuracy": best.val_acc, "val_loss": best.val_loss, "best_epoch": result.best_epoch} if best else {}
    classifier = Classifier(tokenizer, model, list(dataset.label_names), dataset.config, train_config,
                            metrics, history_from_fit(result))
    return TrainOutcome(classifier, result, train_index, val_index)


def _encode(dataset: Dataset, index: list[int], tokenizer: Tokenizer, max_len: int) -> Split:
    sequences = tokenizer.encode_batch([dataset.texts[i] for i in index], max_len)
    return Split(sequences, [dataset.labels[i] for i in index])
