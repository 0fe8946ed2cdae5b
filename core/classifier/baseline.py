"""A linear reference model: character n-gram TF-IDF + a linear SVM (scikit-learn), trained in seconds.

It is trained on the same training split as the neural model; only its scores are kept (never pickled).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

# Measured on the real old-release Validation workbook (5,130 dialogues, 80/20 by dialogue, seeds 0-2):
# char_wb (1,4) with C=0.3 matched or beat (2,5), plain char n-grams, min_df=2, C=1 or 0.1, and
# LogisticRegression (which also took 10-20x longer).
# min_df=2 halves the features (and the bundle's share) for the same accuracy (0.647 vs 0.648 on "all").
NGRAM_RANGE = (1, 4)
MIN_DF = 2
SVM_C = 0.3
WEIGHTS, META = "baseline.safetensors", "baseline.json"  # its members in a model bundle


@dataclass
class Baseline:
    vectorizer: TfidfVectorizer
    classifier: LinearSVC
    label_names: list[str]

    def predict(self, texts: Sequence[str]) -> list[int]:
        features = self.vectorizer.transform(list(texts))  # (N, V) sparse
        return [int(label) for label in self.classifier.predict(features)]

    def scores(self, texts: Sequence[str], labels: Sequence[int]) -> dict[str, float]:
        """Accuracy and macro-F1 over every label name (an absent class counts as F1 0, as in evaluate.py)."""
        predicted = self.predict(texts)
        every_label = list(range(len(self.label_names)))
        return {"accuracy": float(accuracy_score(labels, predicted)),
                "macro_f1": float(f1_score(labels, predicted, labels=every_label, average="macro", zero_division=0))}


def train_baseline(texts: Sequence[str], labels: Sequence[int], label_names: Sequence[str], seed: int = 0) -> Baseline:
    """Fit on exactly the texts given: pass the training split only, so validation scores stay honest."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels.")
    if len(set(labels)) < 2:
        raise ValueError("The baseline needs at least two classes among the training labels.")
    vectorizer = _vectorizer(min_df=MIN_DF if len(texts) >= 1000 else 1)  # tiny corpora keep every n-gram
    features = vectorizer.fit_transform(list(texts))  # (N, V) sparse
    classifier = LinearSVC(C=SVM_C, random_state=seed).fit(features, list(labels))
    return Baseline(vectorizer, classifier, list(label_names))


def _vectorizer(**options) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, sublinear_tf=True, **options)


def baseline_members(baseline: Baseline) -> dict[str, bytes]:
    """The fitted baseline as bundle members: arrays in safetensors, n-grams and labels in JSON (no pickle)."""
    vectorizer, classifier = baseline.vectorizer, baseline.classifier
    ngrams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    tensors = {"idf": torch.tensor(vectorizer.idf_, dtype=torch.float32).contiguous(),
               "coef": torch.tensor(classifier.coef_, dtype=torch.float32).contiguous(),  # (C or 1, V)
               "intercept": torch.tensor(classifier.intercept_, dtype=torch.float32)}
    meta = {"ngrams": ngrams, "classes": [int(c) for c in classifier.classes_], "label_names": baseline.label_names}
    return {WEIGHTS: save_tensors(tensors), META: json.dumps(meta, ensure_ascii=False).encode("utf-8")}


def baseline_from_members(members: dict[str, bytes]) -> Baseline | None:
    """Rebuild a baseline saved by baseline_members; None when the bundle has none (older bundles)."""
    if WEIGHTS not in members or META not in members:
        return None
    tensors, meta = load_tensors(members[WEIGHTS]), json.loads(members[META].decode("utf-8"))
    vectorizer = _vectorizer(vocabulary={ngram: i for i, ngram in enumerate(meta["ngrams"])})
    vectorizer.idf_ = tensors["idf"].double().numpy()
    classifier = LinearSVC(C=SVM_C)
    classifier.coef_ = tensors["coef"].double().numpy()
    classifier.intercept_ = tensors["intercept"].double().numpy()
    classifier.classes_ = np.asarray(meta["classes"])
    return Baseline(vectorizer, classifier, [str(x) for x in meta["label_names"]])
