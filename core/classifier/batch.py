"""Many sentences at once: predictions in chunks with progress and Stop, and a file of sentences labelled as a table
with each sentence's top attention pieces."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from core.classifier.task import Classifier, Prediction
from core.corpus.sentences import read_sentences
from core.corpus.tokenizer import display_piece

MAX_BATCH_ROWS = 20_000  # a file's sentences predicted at most: 20,000 real turns take one job worker about 25 s
CHUNK = 512  # sentences between two progress reports and stop checks
TOP_PIECES = 3
TABLE_COLUMNS = ("text", "label", "probability", "top_pieces")


@dataclass
class BatchResult:
    name: str  # the file's name
    table: pd.DataFrame  # TABLE_COLUMNS, one row per sentence in file order; label is the class name as the model has it
    column: str  # the column the sentences came from; "" for a text file
    rows_capped: int  # sentences after the first MAX_BATCH_ROWS, not predicted


def predict_file(classifier: Classifier, data: bytes, name: str, callback: Callable[[float], None] | None = None,
                 stop: threading.Event | None = None) -> BatchResult | None:
    """The Predict page's job on an uploaded file of sentences: read and predicted in the worker, not the web server.
    `callback` gets the share done; None when stopped."""
    sentences = read_sentences(data, name, MAX_BATCH_ROWS, classifier.data_config.max_chars)
    predictions = predict_all(classifier, sentences.texts, callback, stop)
    if predictions is None:
        return None
    return BatchResult(name, prediction_table(predictions), sentences.column, sentences.rows_capped)


def predict_all(classifier: Classifier, texts: Sequence[str], progress: Callable[[float], None] | None = None,
                stop: threading.Event | None = None) -> list[Prediction] | None:
    """Every text's prediction, CHUNK at a time (the classifier batches inside a chunk); None when `stop` is set
    before the last chunk."""
    predictions: list[Prediction] = []
    for start in range(0, len(texts), CHUNK):
        if stop is not None and stop.is_set():
            return None
        predictions.extend(classifier.predict(list(texts[start:start + CHUNK])))
        if progress is not None:
            progress(min(1.0, (start + CHUNK) / len(texts)))
    return predictions


def prediction_table(predictions: Sequence[Prediction]) -> pd.DataFrame:
    rows = [(p.text, p.label, p.probabilities[p.label], top_pieces(p)) for p in predictions]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def top_pieces(prediction: Prediction, k: int = TOP_PIECES) -> str:
    """The k pieces with the largest weights, heaviest first: '화가 0.31 · 나 0.20 · 너무 0.12'."""
    ranked = sorted(zip(prediction.tokens, prediction.attention), key=lambda pair: -pair[1])[:k]
    return " · ".join(f"{display_piece(piece)} {weight:.2f}" for piece, weight in ranked)
