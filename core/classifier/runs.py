"""A training's outcomes become runs: the one place that numbers them, builds their records, saves them and picks
the run that becomes active. The training job calls it in the worker; the Train page only adopts what it returns."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from core.classifier.pipeline import TrainOutcome
from core.config import to_dict
from core.errors import AttentionLabError, reported
from core.jobs.queue import Finishing
from core.storage.workspace import Run, Workspace
from core.training.batching import steps_per_epoch

_log = logging.getLogger(__name__)


@dataclass
class KeptRuns:
    """What a classifier training leaves: its runs with a finished epoch (each with its model), and which is active."""

    runs: list[Run] = field(default_factory=list)
    active: int | None = None  # the number of the run that becomes the active model; None: keep the current one
    saved: bool = False  # the runs (and the active choice) are already in the workspace
    save_error: str | AttentionLabError | None = None  # why they could not be saved (disk quota, disk error)


def run_of(outcome: TrainOutcome, number: int) -> Run:
    """A pipeline outcome as the run history keeps it, with its model and validation rows."""
    classifier = outcome.classifier
    history, train_config = classifier.history, classifier.train_config
    return Run(
        number=number, pooling=classifier.model_config.pooling,
        settings={"model": to_dict(classifier.model_config), "train": to_dict(train_config),
                  "data": to_dict(classifier.data_config), "vocab_size": classifier.tokenizer.vocab_size},
        epochs=history.get("epochs", []), steps=history.get("steps", []),
        steps_per_epoch=steps_per_epoch(len(outcome.train_index), train_config.batch_size),
        metrics=dict(classifier.metrics), stopped=bool(history.get("stopped")),
        elapsed_s=float(history.get("elapsed_s", 0.0)),
        classifier=classifier, val_texts=outcome.val_texts(), val_labels=outcome.val_label_names(),
    )


def active_choice(runs: list[Run]) -> int | None:
    """The attention run (or the last) among the finished ones. A stopped run is kept but never made active:
    Stop must not replace a good model with a worse one."""
    finished = [run for run in runs if not run.stopped]
    if not finished:
        return None
    return next((r for r in finished if r.pooling == "attention"), finished[-1]).number


def keep(outcomes: list[TrainOutcome], first_number: int, workspace: Workspace | None = None) -> KeptRuns:
    """Number the runs with a finished epoch from `first_number` (or after the workspace's last run), choose the
    active one, and save them all in the workspace when there is one. A failed save is reported, not raised."""
    if workspace is not None and workspace.exists():
        first_number = max([first_number] + [r.number + 1 for r in workspace.runs()])
    else:
        workspace = None
    runs = [run_of(o, 0) for o in outcomes if o.classifier.history.get("epochs")]
    for offset, run in enumerate(runs):
        run.number = first_number + offset
    kept = KeptRuns(runs, active_choice(runs))
    if workspace is not None and runs:
        try:
            for run in runs:
                workspace.save_run(run, run.classifier.to_bytes(), run.val_texts, run.val_labels)
            if kept.active is not None:
                workspace.set_active_run(kept.active)
            kept.saved = True
        except (AttentionLabError, OSError, sqlite3.Error) as error:
            _log.warning("workspace %s: runs not saved: %s", workspace.id, error)
            kept.save_error = reported(error)
    return kept


def keeping_job(train: Callable, first_number: int, workspace: Workspace | None) -> Finishing:
    """A job that trains, then keeps the runs where the workspace is: in the local worker, so a run that ends after
    its browser tab closed is still saved; on the web server when the training ran on a cluster. Picklable when
    `train` is."""
    return Finishing(partial(_train, train), partial(keep, first_number=first_number, workspace=workspace))


def _train(train: Callable, callback, stop) -> list[TrainOutcome]:
    return train(callback=callback, stop=stop)
