"""A training job that keeps its own results: each run it trains is saved to the workspace from the job's thread,
so a run that ends after its browser tab closed is still there when the workspace is opened again."""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

from core.config import to_dict
from core.errors import AttentionLabError
from core.storage.workspace import RunData, Workspace

_log = logging.getLogger(__name__)


def run_data(outcome: Any, number: int) -> RunData:
    """A pipeline TrainOutcome as the Train page's history keeps it."""
    classifier, dataset = outcome.classifier, outcome.prepared.dataset
    history, train_config = classifier.history, classifier.train_config
    return RunData(
        number=number, pooling=classifier.model_config.pooling,
        settings={"model": to_dict(classifier.model_config), "train": to_dict(train_config),
                  "data": to_dict(dataset.config), "vocab_size": classifier.tokenizer.vocab_size},
        epochs=history.get("epochs", []), steps=history.get("steps", []),
        steps_per_epoch=math.ceil(len(outcome.train_index) / train_config.batch_size),
        metrics=dict(classifier.metrics), stopped=bool(history.get("stopped")),
        elapsed_s=float(history.get("elapsed_s", 0.0)),
    )


def save_outcomes(workspace: Workspace, outcomes: list) -> list[int]:
    """Save every run with a finished epoch; the attention run (or the last) of the finished ones becomes active,
    as the Train page does. Returns the saved runs' numbers."""
    saved, finished = [], []
    for outcome in outcomes:
        next_number = max([r.number for r in workspace.runs()], default=0) + 1
        run = run_data(outcome, next_number)
        if not run.epochs:
            continue
        number = workspace.save_run(run, outcome.classifier.to_bytes(), outcome.val_texts(), outcome.val_label_names())
        saved.append(number)
        if not run.stopped:
            finished.append((run.pooling, number))
    if finished:
        workspace.set_active_run(next((n for p, n in finished if p == "attention"), finished[-1][1]))
    return saved


def saving_job(function: Callable, workspace: Workspace) -> Callable:
    """Wrap a job function (callback, stop) -> outcomes so that its outcomes are saved before it returns.

    Picklable when `function` is (a worker process may run it)."""
    return partial(run_and_save, workspace, function)


def run_and_save(workspace: Workspace, function: Callable, callback, stop):
    """Run the job; a save that fails (disk quota) is logged and leaves the result to the page, which reports it."""
    outcomes = function(callback, stop)
    if isinstance(outcomes, list) and workspace.exists():
        try:
            save_outcomes(workspace, outcomes)
        except (AttentionLabError, OSError, sqlite3.Error) as error:
            _log.warning("workspace %s: runs not saved: %s", workspace.id, error)
    return outcomes
