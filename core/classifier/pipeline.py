"""The classifier's whole recipe: split once → tokenizer on the training split → one run per pooling → metrics.

The CLI, the app and the tests all call this; the app passes settings and draws what comes back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from core.classifier.baseline import Baseline, train_baseline
from core.classifier.model import BiLSTMWithAttention
from core.classifier.pretrain import Pretrained, PretrainEvent, PretrainSkipped, pretrain_encoder
from core.classifier.task import Classifier, ClassifierTask, Split
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import Dataset
from core.corpus.split import group_split
from core.corpus.tokenizer import Tokenizer, TokenizerReport, describe, train_tokenizer
from core.training.loop import Callback, FitResult, TrainEvent, train_new


@dataclass
class RunEvent:
    """A training event tagged with the run it belongs to (a sweep trains several poolings in turn)."""

    index: int
    count: int
    pooling: str
    epochs: int  # planned epochs of this run
    event: TrainEvent


@dataclass
class BaselineEvent:
    """The linear baseline's validation scores, sent before the first run so a chart can draw them at once."""

    accuracy: float
    macro_f1: float


@dataclass
class Prepared:
    """A dataset split once, and the tokenizer trained on its training rows: shared by a sweep's runs."""

    dataset: Dataset
    train_index: list[int]
    val_index: list[int]
    tokenizer: Tokenizer
    # In-corpus pretraining (TrainConfig.pretrain_epochs): every turn and reply of the file by dialogue (from
    # corpus.data.dialogue_texts; None: the dataset's own, else the labelled texts), and the encoder it gave,
    # shared by a sweep's runs.
    unlabelled: list[tuple[int, str]] | None = None
    pretrained: Pretrained | None = None

    def pretrain_texts(self) -> list[str]:
        """The language model's text: the training dialogues' turns and replies, never the validation ones'."""
        unlabelled = self.unlabelled if self.unlabelled is not None else self.dataset.dialogues
        if not unlabelled:
            return [self.dataset.texts[i] for i in self.train_index]
        groups = {self.dataset.groups[i] for i in self.train_index}
        return [text for group, text in unlabelled if group in groups]

    def training_dialogues(self) -> int:
        return len({self.dataset.groups[i] for i in self.train_index})

    def pretrain_skipped(self, train_config: TrainConfig) -> bool:
        """The settings ask for pretraining but the training split has too few dialogues for it to help."""
        return train_config.pretrain_epochs > 0 and self.training_dialogues() < train_config.pretrain_min_dialogues

    def pretrain(self, model_config: ModelConfig, train_config: TrainConfig,
                 callback: Callable[[PretrainEvent], None] | None = None,
                 stop: threading.Event | None = None) -> Pretrained | None:
        """Pretrain the encoder once (when the settings ask for it and the split is large enough); later runs
        reuse it."""
        wanted = train_config.pretrain_epochs > 0 and not self.pretrain_skipped(train_config)
        if wanted and self.pretrained is None:
            self.pretrained = pretrain_encoder(self.tokenizer, self.pretrain_texts(), model_config, train_config,
                                               callback, stop)
        return self.pretrained

    def split(self, index: list[int], max_len: int, training: bool = False, aux: bool = False,
              turns: bool = False) -> Split:
        """Encoded rows; a training split re-segments every epoch when the tokenizer samples (BPE-dropout), carries
        the 감정_소분류 labels when `aux` asks for them, and with `turns` adds each human turn of its dialogues
        alone, labelled as its dialogue (the dataset's `turns`; a text already there is not added again)."""
        dataset = self.dataset
        rows = [(dataset.texts[i], i) for i in index]
        if turns and dataset.turns:
            by_group: dict[int, list[str]] = {}
            for group, text in dataset.turns:
                by_group.setdefault(group, []).append(text)
            seen = {text for text, _ in rows}  # a text is an example once, as the dataset drops duplicates
            for i in index:
                for text in by_group.get(dataset.groups[i], ()):
                    if text not in seen:
                        seen.add(text)
                        rows.append((text, i))
        texts = [text for text, _ in rows]
        labels = [dataset.labels[i] for _, i in rows]
        resample = None
        if training and self.tokenizer.config.sampling > 0:
            resample = lambda: self.tokenizer.encode_batch(texts, max_len, sample=True)  # noqa: E731
        aux_labels = [dataset.sublabels[i] for _, i in rows] if aux else None
        return Split(self.tokenizer.encode_batch(texts, max_len), labels, resample, aux_labels)

    @cached_property
    def baseline(self) -> Baseline | None:
        """The linear baseline, fitted on the training rows only (None without two classes there)."""
        dataset = self.dataset
        if len({dataset.labels[i] for i in self.train_index}) < 2:
            return None
        return train_baseline([dataset.texts[i] for i in self.train_index],
                              [dataset.labels[i] for i in self.train_index], dataset.label_names)

    @cached_property
    def baseline_metrics(self) -> dict:
        """The baseline's accuracy and macro-F1 on the validation rows."""
        if self.baseline is None or not self.val_index:
            return {}
        dataset = self.dataset
        scores = self.baseline.scores([dataset.texts[i] for i in self.val_index],
                                      [dataset.labels[i] for i in self.val_index])
        return {"baseline_accuracy": scores["accuracy"], "baseline_macro_f1": scores["macro_f1"]}


@dataclass
class TrainOutcome:
    classifier: Classifier
    fit: FitResult
    prepared: Prepared

    @property
    def train_index(self) -> list[int]:
        return self.prepared.train_index

    @property
    def val_index(self) -> list[int]:  # rows of the dataset held out for validation
        return self.prepared.val_index

    def val_texts(self) -> list[str]:
        return [self.prepared.dataset.texts[i] for i in self.val_index]

    def val_label_names(self) -> list[str]:
        dataset = self.prepared.dataset
        return [dataset.label_names[dataset.labels[i]] for i in self.val_index]


def prepare(dataset: Dataset, train_config: TrainConfig, tokenizer: Tokenizer | None = None,
            tokenizer_config: TokenizerConfig | None = None,
            unlabelled: list[tuple[int, str]] | None = None) -> Prepared:
    """Split the dataset by dialogue; train a tokenizer on the training rows unless one is given. Pretraining reads
    `unlabelled`, else the file's turns and replies the dataset carries, else the labelled texts."""
    train_index, val_index = group_split(dataset.labels, dataset.groups, train_config.val_share, train_config.seed)
    if tokenizer is None:
        tokenizer = train_tokenizer([dataset.texts[i] for i in train_index], tokenizer_config)
    return Prepared(dataset, train_index, val_index, tokenizer, unlabelled)


def train_tokenizer_for(dataset: Dataset, train_config: TrainConfig, tokenizer_config: TokenizerConfig | None = None,
                        callback=None, stop=None) -> TokenizerReport:
    """The Tokenizer page's job: the tokenizer a training with these settings would use (trained on the same
    training split), described on every text of the dataset. `callback` and `stop` make it a job function."""
    started = time.perf_counter()
    tokenizer = prepare(dataset, train_config, None, tokenizer_config).tokenizer
    return describe(tokenizer, dataset.texts, time.perf_counter() - started)


def train_classifier(dataset: Dataset, model_config: ModelConfig | None = None, train_config: TrainConfig | None = None,
                     tokenizer: Tokenizer | None = None, tokenizer_config: TokenizerConfig | None = None,
                     callback: Callback | None = None, stop: threading.Event | None = None,
                     unlabelled: list[tuple[int, str]] | None = None,
                     pretrain_callback: Callable[[PretrainEvent], None] | None = None) -> TrainOutcome:
    """Train one classifier; a tokenizer is trained on the training split unless given. With
    `train_config.pretrain_epochs`, the encoder is first pretrained on `unlabelled` (see Prepared)."""
    train_config = train_config or TrainConfig()
    model_config = model_config or ModelConfig()
    prepared = prepare(dataset, train_config, tokenizer, tokenizer_config, unlabelled)
    prepared.pretrain(model_config, train_config, pretrain_callback, stop)
    return train_run(prepared, model_config, train_config, callback, stop)


def train_runs(dataset: Dataset, model_config: ModelConfig, train_config: TrainConfig, poolings: list[str],
               tokenizer: Tokenizer | None = None, tokenizer_config: TokenizerConfig | None = None,
               callback: Callable[[RunEvent | BaselineEvent | PretrainEvent | PretrainSkipped], None] | None = None,
               stop: threading.Event | None = None,
               unlabelled: list[tuple[int, str]] | None = None) -> list[TrainOutcome]:
    """One run per pooling on the same split and tokenizer, so their scores compare; events are a
    BaselineEvent, then PretrainEvents (when pretraining is on), then RunEvents. Stop ends the current run and
    skips the rest."""
    prepared = prepare(dataset, train_config, tokenizer, tokenizer_config, unlabelled)
    if callback is not None and prepared.baseline_metrics:
        metrics = prepared.baseline_metrics
        callback(BaselineEvent(metrics["baseline_accuracy"], metrics["baseline_macro_f1"]))
    if callback is not None and prepared.pretrain_skipped(train_config):
        callback(PretrainSkipped(prepared.training_dialogues(), train_config.pretrain_min_dialogues))
    prepared.pretrain(model_config, train_config, callback, stop)
    outcomes = []
    for index, pooling in enumerate(poolings):
        if stop is not None and stop.is_set():
            break
        tag = None if callback is None else _tagger(callback, index, len(poolings), pooling, train_config.epochs)
        outcomes.append(train_run(prepared, replace(model_config, pooling=pooling), train_config, tag, stop))
    return outcomes


def train_run(prepared: Prepared, model_config: ModelConfig, train_config: TrainConfig,
              callback: Callback | None = None, stop: threading.Event | None = None) -> TrainOutcome:
    aux = train_config.aux_weight > 0 and bool(prepared.dataset.sublabel_names)
    model_config = replace(model_config, vocab_size=prepared.tokenizer.vocab_size,
                           num_classes=len(prepared.dataset.label_names),
                           aux_classes=len(prepared.dataset.sublabel_names) if aux else 0)
    train_split = prepared.split(prepared.train_index, train_config.max_len, training=True, aux=aux,
                                 turns=train_config.turn_examples)
    val_split = prepared.split(prepared.val_index, train_config.max_len)
    pretrained = prepared.pretrained if train_config.pretrain_epochs > 0 else None
    task = ClassifierTask(train_config.aux_weight, train_config.mixup, train_config.label_smoothing)
    model, result = train_new(BiLSTMWithAttention, model_config, task, train_split, val_split,
                              train_config, callback, stop, None if pretrained is None else pretrained.load_into)
    dataset = prepared.dataset
    classifier = Classifier(prepared.tokenizer, model, list(dataset.label_names), dataset.config, train_config,
                            {}, result.history(), prepared.baseline)
    best = result.best
    if best is not None:
        val_loss, val_acc = result.averaged_val or (best.val_loss, best.val_acc)  # the weights kept
        classifier.metrics = {"val_accuracy": val_acc, "val_loss": val_loss, "best_epoch": result.best_epoch,
                              "averaged_epochs": result.averaged_epochs,
                              "val_macro_f1": _macro_f1(classifier, val_split), **prepared.baseline_metrics}
    return TrainOutcome(classifier, result, prepared)


def _macro_f1(classifier: Classifier, split: Split) -> float:
    """Macro-F1 of the restored best model on the validation split (accuracy alone flatters skewed tasks)."""
    from sklearn.metrics import f1_score

    if not split.labels:
        return float("nan")
    predicted = classifier.predict_ids(split.sequences)
    return float(f1_score(split.labels, predicted, labels=list(range(len(classifier.label_names))),
                          average="macro", zero_division=0))


def _tagger(callback: Callable[[RunEvent], None], index: int, count: int, pooling: str, epochs: int) -> Callback:
    return lambda event: callback(RunEvent(index, count, pooling, epochs, event))
