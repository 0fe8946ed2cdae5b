"""A retrieval reference beside every reply run: answer with the counsellor reply of the nearest training sentence.

Nearness is the cosine of character n-gram TF-IDF vectors (scikit-learn), the classifier baseline's features.
In a bundle it is kept as JSON (the training sentences and replies); the vectors are refitted at load, which is
deterministic and much smaller than the sparse matrix (never pickled).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from core.seq2seq.metrics import corpus_chrf

NGRAM_RANGE = (1, 4)  # char_wb, as core.classifier.baseline (measured there on the real file)
MEMBER = "retrieval.json"  # its member in a reply bundle
QUERY_BATCH = 512  # sentences scored at once: (QUERY_BATCH, N) dense similarities


@dataclass
class Retrieval:
    vectorizer: TfidfVectorizer
    matrix: object  # scipy CSR (N, F), rows L2-normalised, one per training sentence
    sources: list[str]
    replies: list[str]
    fallback: str  # the most common training reply: the answer when no n-gram is shared

    def nearest(self, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest training sentence (N,) and its cosine similarity (N,)."""
        index, similarity = [], []
        for start in range(0, len(sentences), QUERY_BATCH):
            queries = self.vectorizer.transform(list(sentences[start:start + QUERY_BATCH]))  # (Q, F)
            scores = (queries @ self.matrix.T).toarray()  # (Q, N) cosine: both sides are L2-normalised
            index.append(scores.argmax(axis=1))
            similarity.append(scores.max(axis=1))
        if not index:
            return np.zeros(0, dtype=int), np.zeros(0)
        return np.concatenate(index), np.concatenate(similarity)

    def reply(self, sentences: Sequence[str]) -> list[str]:
        """The nearest training sentence's reply for each sentence."""
        index, similarity = self.nearest(sentences)
        return [self.replies[i] if s > 0 else self.fallback for i, s in zip(index, similarity)]

    def chrf(self, sentences: Sequence[str], references: Sequence[str]) -> float:
        """Corpus chrF of the retrieved replies against the references (nan when there are none)."""
        if not sentences:
            return float("nan")
        return corpus_chrf(self.reply(sentences), list(references))


def fit_retrieval(sources: Sequence[str], replies: Sequence[str], ngram_range: tuple[int, int] = NGRAM_RANGE) -> Retrieval:
    """Index exactly the pairs given: pass the training split only, so validation scores stay honest."""
    if len(sources) != len(replies) or not sources:
        raise ValueError(f"retrieval needs as many replies as sentences, at least one; got {len(sources)}, {len(replies)}")
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(ngram_range), sublinear_tf=True)
    matrix = vectorizer.fit_transform(list(sources)).tocsr()  # (N, F)
    fallback = Counter(replies).most_common(1)[0][0]
    return Retrieval(vectorizer, matrix, list(sources), list(replies), fallback)


def retrieval_members(retrieval: Retrieval) -> dict[str, bytes]:
    """The index as one JSON bundle member: the training pairs (the zip deflates the text)."""
    meta = {"ngram_range": list(retrieval.vectorizer.ngram_range), "sources": retrieval.sources, "replies": retrieval.replies}
    return {MEMBER: json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")}


def retrieval_from_members(members: dict[str, bytes]) -> Retrieval | None:
    """Refit the index saved by retrieval_members; None when the bundle has none (older bundles)."""
    if MEMBER not in members:
        return None
    meta = json.loads(members[MEMBER].decode("utf-8"))
    return fit_retrieval([str(s) for s in meta["sources"]], [str(r) for r in meta["replies"]], tuple(meta["ngram_range"]))
