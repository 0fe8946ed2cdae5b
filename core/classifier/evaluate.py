"""Accuracy, macro-F1, per-class scores, confusion matrix and the misclassified rows."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from core.classifier.batch import predict_all, top_pieces
from core.classifier.task import Classifier, Prediction
from core.corpus.data import Dataset, check_upload_name, load_dataset
from core.errors import AttentionLabError

PREDICTION_COLUMNS = ("text", "true", "predicted", "confidence", "top_pieces")  # prediction_rows


@dataclass
class EvalReport:
    label_names: list[str]
    n: int
    accuracy: float
    macro_f1: float
    per_class: list[dict]  # label, precision, recall, f1, support
    confusion: list[list[int]]  # rows = true, columns = predicted, in label_names order
    misclassified: pd.DataFrame  # text, true, predicted, confidence, index
    predictions: list[Prediction] = field(repr=False, default_factory=list)
    skipped_unknown_labels: dict[str, int] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)  # accuracy, macro_f1 of the bundle's baseline, if any

    def to_json(self) -> dict:
        report = {"n": self.n, "accuracy": self.accuracy, "macro_f1": self.macro_f1, "per_class": self.per_class,
                  "confusion": self.confusion, "label_names": self.label_names,
                  "skipped_unknown_labels": self.skipped_unknown_labels, "misclassified": len(self.misclassified)}
        return {**report, **{f"baseline_{k}": v for k, v in self.baseline.items()}}


def evaluate_texts(classifier: Classifier, texts: Sequence[str], labels: Sequence[str], callback=None,
                   stop: threading.Event | None = None) -> EvalReport | None:
    """The Evaluate page's job on the validation rows: `callback` gets the share done; None when stopped."""
    return evaluate(classifier, texts, labels, callback, stop)


def evaluate_file(classifier: Classifier, data: bytes, name: str, callback=None,
                  stop: threading.Event | None = None) -> EvalReport | None:
    """The Evaluate page's job on an uploaded file: read and scored in the worker, not in the web server."""
    check_upload_name(name)
    return evaluate_dataset(classifier, load_dataset(data, name, classifier.data_config), callback, stop)


def evaluate(classifier: Classifier, texts: Sequence[str], labels: Sequence[str], progress=None,
             stop: threading.Event | None = None) -> EvalReport | None:
    """Score the classifier on texts with label *names*; names the model doesn't know are skipped. None when `stop`
    is set before the last batch."""
    known = set(classifier.label_names)
    skipped: dict[str, int] = {}
    for label in labels:
        if label not in known:
            skipped[label] = skipped.get(label, 0) + 1
    pairs = [(t, y) for t, y in zip(texts, labels) if y in known]
    if not pairs:
        found = ", ".join(sorted(skipped)[:10])
        raise AttentionLabError("labels_unknown", found=found, known=", ".join(classifier.label_names))
    texts, labels = [p[0] for p in pairs], [p[1] for p in pairs]
    predictions = predict_all(classifier, texts, progress, stop)
    if predictions is None:
        return None
    predicted = [p.label for p in predictions]
    names = classifier.label_names
    return EvalReport(
        label_names=names, n=len(labels),
        accuracy=float(accuracy_score(labels, predicted)),
        macro_f1=float(f1_score(labels, predicted, labels=names, average="macro", zero_division=0)),
        per_class=_per_class(labels, predicted, names),
        confusion=confusion_matrix(labels, predicted, labels=names).tolist(),
        misclassified=_misclassified(texts, labels, predictions),
        predictions=predictions, skipped_unknown_labels=skipped,
        baseline=_baseline_scores(classifier, texts, labels),
    )


def _baseline_scores(classifier: Classifier, texts: list[str], labels: list[str]) -> dict[str, float]:
    """The linear baseline on exactly the same rows, so the two numbers compare."""
    if classifier.baseline is None:
        return {}
    index = {name: i for i, name in enumerate(classifier.label_names)}
    return classifier.baseline.scores(texts, [index[label] for label in labels])


def evaluate_dataset(classifier: Classifier, dataset: Dataset, progress=None,
                     stop: threading.Event | None = None) -> EvalReport | None:
    names = [dataset.label_names[i] for i in dataset.labels]
    return evaluate(classifier, dataset.texts, names, progress, stop)


def prediction_rows(report: EvalReport) -> pd.DataFrame:
    """Every scored sentence (text, true, predicted, confidence, top_pieces) in scoring order: the rows a download
    gives. A correct row's true label is its prediction; the wrong ones are all in `misclassified`."""
    true = dict(zip(report.misclassified["index"], report.misclassified["true"]))
    rows = [(p.text, true.get(i, p.label), p.label, p.probabilities[p.label], top_pieces(p))
            for i, p in enumerate(report.predictions)]
    return pd.DataFrame(rows, columns=list(PREDICTION_COLUMNS))


def _per_class(labels: list[str], predicted: list[str], names: list[str]) -> list[dict]:
    precision, recall, f1, support = precision_recall_fscore_support(labels, predicted, labels=names, zero_division=0)
    return [{"label": name, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support)]


def _misclassified(texts: list[str], labels: list[str], predictions: list[Prediction]) -> pd.DataFrame:
    rows = [{"index": i, "text": t, "true": y, "predicted": p.label, "confidence": p.probabilities[p.label]}
            for i, (t, y, p) in enumerate(zip(texts, labels, predictions)) if p.label != y]
    return pd.DataFrame(rows, columns=["index", "text", "true", "predicted", "confidence"])
