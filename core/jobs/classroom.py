"""The teacher's view of the class: every job queued or running on this server, whose it is, how far it has got and
its best validation accuracy so far, read from the job queue and each job's own events.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

from core.jobs.queue import JobQueue, Owner

LABEL_CHARS = 6  # 16.7 million labels: two sessions of a class sharing one is a one-in-millions chance


@dataclass(frozen=True)
class Progress:
    """How far a job is, from its events. None: not known yet (no event, or a job that sends none)."""

    share: float | None = None  # of the whole job, 0..1 (a sweep or a learning curve counts all its runs)
    epoch: int | None = None  # the current run's epoch
    epochs: int | None = None  # the current run's planned epochs
    best_val_acc: float | None = None  # over every epoch of every run so far


@dataclass(frozen=True)
class SessionJob:
    """One session's job on the teacher's view (a session has at most one queued or running)."""

    owner: Owner | None
    name: str  # the job's kind: classifier, tokenizer, evaluate, explain, seq2seq, curve
    state: str  # queued | running
    ahead: int  # jobs waiting ahead of it (queued only)
    elapsed_s: float | None  # since it started (running only)
    progress: Progress


@dataclass(frozen=True)
class ClassSnapshot:
    queued: int
    running: int
    jobs: list[SessionJob] = field(default_factory=list)  # running first, in the order they started; then the queue


def owner_label(secret: str) -> str:
    """A short, stable name for a session without a nickname, made from a secret of its own (its workspace token):
    the same session keeps its label, and the label leads back to neither the token nor the workspace."""
    return hashlib.sha256(f"owner:{secret}".encode()).hexdigest()[:LABEL_CHARS]


def class_snapshot(queue: JobQueue) -> ClassSnapshot:
    """Every job of `queue` still queued or running; a job that has just ended is left out, and so not counted."""
    started, waiting = queue.jobs()
    now = time.perf_counter()
    rows = []
    for job in started + waiting:
        snapshot = job.snapshot()
        if snapshot.state not in ("queued", "running"):
            continue
        running = snapshot.state == "running" and job.started_at is not None
        rows.append(SessionJob(job.owner, job.name, snapshot.state, snapshot.queue_position,
                               now - job.started_at if running else None, read_progress(snapshot.events)))
    return ClassSnapshot(sum(r.state == "queued" for r in rows), sum(r.state == "running" for r in rows), rows)


def read_progress(events: list) -> Progress:
    """Progress from a job's events, whatever the job: a number is the share done (tokenizer, evaluation,
    explanation); a training event (core.training.loop.TrainEvent) has its epoch and validation accuracy; an event
    wrapping another in `.event` (a sweep's RunEvent, a learning curve's CurveEvent) places it with `index` of
    `count` and may know the run's `epochs`. Anything else (the baseline's scores) tells nothing of progress."""
    share, epoch, epochs, best = None, None, None, None
    for event in events:
        found = _unwrap(event)
        if found is None:
            continue
        share, training, planned = found
        if training is None or training.kind == "end":
            continue
        epoch, epochs = training.epoch, getattr(training, "epochs", 0) or planned
        accuracy = training.val_acc
        scored = getattr(event, "scores_classes", True)  # False: a language model's next-piece accuracy
        if scored and training.kind == "epoch" and accuracy is not None and not math.isnan(accuracy):
            best = accuracy if best is None else max(best, accuracy)
    return Progress(share, epoch, epochs, best)


def _unwrap(event: Any) -> tuple[float, Any, int | None] | None:
    """(share of the whole job, the training event or None, the run's planned epochs if a wrapper says); None when
    the event tells nothing of progress."""
    if isinstance(event, (int, float)) and not isinstance(event, bool):
        return min(1.0, max(0.0, float(event))), None, None
    wrappers = []
    while hasattr(event, "event"):
        wrappers.append(event)
        event = event.event
    if not all(hasattr(event, name) for name in ("kind", "epoch", "progress", "val_acc")):
        return None
    share, planned = event.progress, None
    for wrapper in reversed(wrappers):  # innermost first: a curve's point may itself be a sweep's run
        if hasattr(wrapper, "index") and hasattr(wrapper, "count"):
            share = (wrapper.index + share) / max(wrapper.count, 1)
        planned = planned or getattr(wrapper, "epochs", None)
    return min(1.0, share), event, planned
