"""Does attention explain this model? The per-sentence tests of core/explain/attribution.py averaged over many sentences,
plus accuracy with uniform attention injected (Wiegreffe & Pinter's baseline)."""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from core.classifier.task import Classifier
from core.errors import AttentionLabError, reported
from core.explain.attribution import METHODS, explain_batch, pair_key, plain
from core.jobs.queue import Finishing
from core.storage.workspace import Workspace, explain_key
from core.training.batching import pad_batch
from core.training.layers import lengths_to_mask, uniform_weights

SUMMARY_LIMIT = 500
# A summary averages hundreds of sentences, so each sentence's curves and paths can be coarser than the one-sentence
# panel's without moving the means (docs/performance.md): deletion curves at 5 evenly spaced steps (ERASER's AOPC
# uses 5 bins), one random order, integrated gradients over 8 steps.
DELETION_STEPS = 5
RANDOM_ORDERS = 1
IG_STEPS = 8
_log = logging.getLogger(__name__)
SUMMARY_BATCH = 16  # sentences per explain_batch call, in order of length: one IG pass of 16 × IG_STEPS rows


@dataclass
class ModelSummary:
    n: int
    pooling: str
    mean_tau: dict[str, float]  # method → mean Kendall τ between attention and that method
    comprehensiveness: dict[str, float]  # method (and "random") → mean AOPC
    sufficiency: dict[str, float]
    permutation_median_delta: float  # mean over sentences of the median |Δp| under shuffled α
    top_zeroed_flip_rate: float
    accuracy: float | None  # None when the sentences carry no labels the model knows
    uniform_accuracy: float | None
    seconds: float

    def to_json(self) -> dict:
        return plain(vars(self))

    @classmethod
    def from_json(cls, data: dict) -> ModelSummary:
        """A summary as `to_json` wrote it (null numbers: NaN, or None where None means "no labels")."""
        def number(value) -> float:
            return math.nan if value is None else float(value)

        return cls(n=int(data["n"]), pooling=str(data["pooling"]),
                   mean_tau={k: number(v) for k, v in data["mean_tau"].items()},
                   comprehensiveness={k: number(v) for k, v in data["comprehensiveness"].items()},
                   sufficiency={k: number(v) for k, v in data["sufficiency"].items()},
                   permutation_median_delta=number(data["permutation_median_delta"]),
                   top_zeroed_flip_rate=number(data["top_zeroed_flip_rate"]),
                   accuracy=None if data["accuracy"] is None else float(data["accuracy"]),
                   uniform_accuracy=None if data["uniform_accuracy"] is None else float(data["uniform_accuracy"]),
                   seconds=number(data["seconds"]))


Summaries = list[tuple[str, ModelSummary]]


@dataclass
class KeptSummary:
    """A finished summary job's result: the summaries, kept in the workspace under the explained model's name."""

    summaries: Summaries
    save_error: str | AttentionLabError | None = None


def keep_summary(summaries: Summaries | None, workspace: Workspace | None, model_source: str) -> KeptSummary | None:
    """Save a model-level summary as the explanation of `model_source` (the active model's run or file name);
    None when it was stopped. A failed save is reported, not raised."""
    if summaries is None:
        return None
    kept = KeptSummary(summaries)
    if workspace is not None and workspace.exists():
        try:
            workspace.save_result(explain_key(model_source), [[name, s.to_json()] for name, s in summaries])
        except (AttentionLabError, OSError, sqlite3.Error) as error:
            _log.warning("workspace %s: explanation summary not saved: %s", workspace.id, error)
            kept.save_error = reported(error)
    return kept


def keeping_summary_job(models: Sequence[tuple[str, Classifier]], texts: Sequence[str], labels: Sequence[str] | None,
                        limit: int, workspace: Workspace | None, model_source: str) -> Finishing:
    """The Explain page's job: summarize the models, then keep the result where the workspace is (see
    core/jobs/queue.Finishing), so a summary that ends after its tab closed is still there on return."""
    return Finishing(partial(summarize_models, models, texts, labels, limit),
                     partial(keep_summary, workspace=workspace, model_source=model_source))


def stored_summary(workspace: Workspace, model_source: str) -> Summaries | None:
    """The kept summary of `model_source`, or None; a malformed one raises (KeyError, TypeError, ValueError)."""
    rows = workspace.result(explain_key(model_source))
    return None if rows is None else [(str(name), ModelSummary.from_json(data)) for name, data in rows]


def summarize_models(models: Sequence[tuple[str, Classifier]], texts: Sequence[str], labels: Sequence[str] | None,
                     limit: int = SUMMARY_LIMIT, callback: Callable[[float], None] | None = None,
                     stop: threading.Event | None = None) -> list[tuple[str, ModelSummary]] | None:
    """The Explain page's job: each (name, model) summarised on the same sentences; `callback` gets the share done
    (0..1) after each batch. Stop ends it before its next batch, with None (no partial summary is shown)."""
    summaries = []
    for index, (name, model) in enumerate(models):
        def report(share: float, index: int = index) -> None:
            if callback is not None:
                callback((index + share) / len(models))

        summary = summarize(model, texts, labels, limit, progress=report, stop=stop)
        if summary is None:
            return None
        summaries.append((name, summary))
    return summaries


def summarize(classifier: Classifier, texts: Sequence[str], labels: Sequence[str] | None = None,
              limit: int = SUMMARY_LIMIT, progress: Callable[[float], None] | None = None, seed: int = 0,
              stop: threading.Event | None = None) -> ModelSummary | None:
    """The first `limit` sentences, explained SUMMARY_BATCH at a time; `progress` gets 0..1 after each batch.
    None when `stop` is set before the last batch."""
    start = time.perf_counter()
    pairs = _labelled(classifier, texts, labels, limit)
    lengths = [len(ids) for ids in classifier.tokenizer.encode_batch([text for text, _ in pairs])]
    pairs = [pairs[i] for i in np.argsort(lengths, kind="stable")]  # similar lengths share a batch: less padding
    texts = [text for text, _ in pairs]
    if not texts:
        raise AttentionLabError("nothing_to_explain")
    explanations = []
    for first in range(0, len(texts), SUMMARY_BATCH):
        if stop is not None and stop.is_set():
            return None
        explanations += explain_batch(classifier, texts[first:first + SUMMARY_BATCH], seed, IG_STEPS, DELETION_STEPS,
                                      RANDOM_ORDERS)
        if progress:
            progress(min(1.0, (first + SUMMARY_BATCH) / len(texts)))
    known = [label for _, label in pairs if label is not None]
    accuracy = uniform_accuracy = None
    if known and len(known) == len(pairs):
        accuracy = float(np.mean([e.label == y for e, y in zip(explanations, known)]))
        uniform_accuracy = _uniform_accuracy(classifier, texts, known)
    return ModelSummary(
        n=len(texts), pooling=classifier.model_config.pooling,
        mean_tau={m: _mean([e.kendall_tau[pair_key("attention", m)] for e in explanations]) for m in METHODS[1:]},
        comprehensiveness=_mean_dict([e.comprehensiveness for e in explanations]),
        sufficiency=_mean_dict([e.sufficiency for e in explanations]),
        permutation_median_delta=_mean([e.permutation_median_delta for e in explanations]),
        top_zeroed_flip_rate=_mean([float(e.top_zeroed_flips) for e in explanations]),
        accuracy=accuracy, uniform_accuracy=uniform_accuracy, seconds=time.perf_counter() - start)


def _labelled(classifier: Classifier, texts: list[str], labels: Sequence[str] | None, limit: int) -> list[tuple]:
    """(text, label name) pairs, at most `limit`; rows whose label the model does not know are dropped."""
    known = set(classifier.label_names)
    if labels is None:
        return [(text, None) for text in texts if text.strip()][:limit]
    return [(text, label) for text, label in zip(texts, labels) if text.strip() and label in known][:limit]


@torch.no_grad()
def _uniform_accuracy(classifier: Classifier, texts: list[str], labels: list[str], batch_size: int = 256) -> float:
    """Accuracy when every sentence is pooled with uniform weights instead of its own attention."""
    model = classifier.model.eval()
    device = next(model.parameters()).device
    correct = 0
    for first in range(0, len(texts), batch_size):
        chunk = texts[first:first + batch_size]
        ids, lengths = pad_batch(classifier.tokenizer.encode_batch(chunk, classifier.train_config.max_len))
        ids, lengths = ids.to(device), lengths.to(device)  # (B, T), (B,)
        weights = uniform_weights(lengths_to_mask(lengths, ids.size(1)))  # (B, T)
        logits, _ = model(ids, lengths, attention_weights=weights)  # (B, C)
        predicted = [classifier.label_names[i] for i in logits.argmax(dim=1).tolist()]
        correct += sum(p == y for p, y in zip(predicted, labels[first:first + batch_size]))
    return correct / len(texts)


def _mean(values: Sequence[float]) -> float:
    finite = [v for v in values if v == v]  # NaN (one-piece sentences, constant rows) is left out
    return float(np.mean(finite)) if finite else float("nan")


def _mean_dict(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {key: _mean([row[key] for row in rows]) for key in rows[0]}
