"""Long operations as jobs: a page submits a function, polls its snapshots and may stop it; the job runs in a worker
process on this machine (the default) or on a Ray cluster when ATTENTION_LAB_RAY_ADDRESS names one.

`configure` is called once by the app's start-up; a test or the CLI that never calls it gets the local default.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from core.errors import TrainingBusyError
from core.jobs.queue import Job, JobFunction, JobQueue, JobSnapshot

__all__ = ["Job", "JobSnapshot", "configure", "default_workers", "executor", "start_job"]

WORKERS_ENV = "ATTENTION_LAB_WORKERS"
_QUEUE: JobQueue | None = None
_LOCK = threading.Lock()


def default_workers() -> int:
    """`ATTENTION_LAB_WORKERS`, else one per core (at least one)."""
    value = os.environ.get(WORKERS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else max(1, os.cpu_count() or 1)


def configure(preload: Sequence[str] = (), workers: int | None = None) -> JobQueue:
    """Make this process's job queue (once): the local runner, whose worker processes import `preload` once."""
    from core.jobs.local import LocalRunner

    global _QUEUE
    with _LOCK:
        if _QUEUE is None:
            _QUEUE = JobQueue(workers or default_workers(), LocalRunner(preload))
        return _QUEUE


def executor() -> JobQueue:
    """The process's job queue (the local default when `configure` was never called)."""
    return _QUEUE if _QUEUE is not None else configure()


def start_job(current: Job | None, function: JobFunction, name: str = "training", gpu: bool = False) -> Job:
    """Queue a job unless `current` is still queued or running (one job per session at a time)."""
    if current is not None and current.running:
        raise TrainingBusyError("A training is already running in this session; stop it or wait for it to finish.")
    return executor().submit(function, name, gpu)
