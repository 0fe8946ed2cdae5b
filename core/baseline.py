"""A linear reference model: character n-gram TF-IDF + a linear SVM (scikit-learn), trained in seconds.

It is trained on the same training split as the neural model; only its scores are kept (never pickled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

# Measured on the real old-release Validation workbook (5,130 dialogues, 80/20 by dialogue, seeds 0-2):
# char_wb (1,4) with C=0.3 matched or beat (2,5), plain char n-grams, min_df=2, C=1 or 0.1, and
# LogisticRegression (which also took 10-20x longer).
NGRAM_RANGE = (1, 4)
SVM_C = 0.3


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
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, sublinear_tf=True)
    features = vectorizer.fit_transform(list(texts))  # (N, V) sparse
    classifier = LinearSVC(C=SVM_C, random_state=seed).fit(features, list(labels))
    return Baseline(vectorizer, classifier, list(label_names))
