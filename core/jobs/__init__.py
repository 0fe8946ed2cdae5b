"""Long operations as jobs: a page submits a function, polls its snapshots and may stop it; the job runs in a worker
process on this machine (the default) or on a Ray cluster when ATTENTION_LAB_RAY_ADDRESS names one (docs/cluster.md).

`configure` is called once by the app's start-up; a test or the CLI that never calls it gets the local default.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

from core.errors import TrainingBusyError
from core.jobs.queue import Job, JobFunction, JobQueue, JobSnapshot, Owner

__all__ = ["Job", "JobSnapshot", "Owner", "configure", "default_workers", "executor", "notice", "runner_name", "start_job"]

WORKERS_ENV = "ATTENTION_LAB_WORKERS"
RAY_ADDRESS_ENV = "ATTENTION_LAB_RAY_ADDRESS"
_QUEUE: JobQueue | None = None
_NOTICE: str | None = None
_LOCK = threading.Lock()
_log = logging.getLogger(__name__)


def default_workers() -> int:
    """`ATTENTION_LAB_WORKERS`, else one per core (at least one)."""
    return _env_workers() or max(1, os.cpu_count() or 1)


def _env_workers() -> int | None:
    value = os.environ.get(WORKERS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def configure(preload: Sequence[str] = (), workers: int | None = None) -> JobQueue:
    """Make this process's job queue (once). With ATTENTION_LAB_RAY_ADDRESS set, jobs run on that Ray cluster
    (`ATTENTION_LAB_WORKERS`, else the cluster's CPUs over the CPUs per job, at a time); when it cannot be reached,
    `notice()` says so in one line and jobs run in the local pool, whose worker processes import `preload` once."""
    from core.jobs.local import LocalRunner

    global _QUEUE, _NOTICE
    with _LOCK:
        if _QUEUE is not None:
            return _QUEUE
        address = os.environ.get(RAY_ADDRESS_ENV, "").strip()
        runner = None
        if address:
            from core.jobs.cluster import ClusterUnreachable, RayRunner

            try:
                runner = RayRunner(address, preload=preload)
            except ClusterUnreachable as problem:
                _NOTICE = str(problem)
                _log.warning(_NOTICE)
            except Exception as problem:  # noqa: BLE001  e.g. Ray not installed: the app still starts
                _NOTICE = f"The Ray cluster at {address} could not be used ({type(problem).__name__}); " \
                          "jobs run on this server."
                _log.exception(_NOTICE)
        if runner is None:
            local = LocalRunner(preload)
            local.name = "local"
            _QUEUE = JobQueue(workers or default_workers(), local)
        else:
            queue = JobQueue(workers or _env_workers() or runner.workers, runner)
            runner.on_fallback = lambda: setattr(queue, "workers", workers or default_workers())
            _QUEUE = queue
        return _QUEUE


def executor() -> JobQueue:
    """The process's job queue (the local default when `configure` was never called)."""
    return _QUEUE if _QUEUE is not None else configure()


def runner_name() -> str:
    """Where new jobs run: "ray" or "local"."""
    return getattr(executor().runner, "name", "local")


def notice() -> str | None:
    """One line for the page when jobs do not run where ATTENTION_LAB_RAY_ADDRESS asked (unreachable at start-up,
    or gone since), else None."""
    if _QUEUE is not None and getattr(_QUEUE.runner, "notice", None):
        return _QUEUE.runner.notice
    return _NOTICE


def start_job(current: Job | None, function: JobFunction, name: str = "training", gpu: bool = False,
              owner: Owner | None = None) -> Job:
    """Queue a job unless `current` is still queued or running (one job per session at a time); `owner` names the
    session on the teacher's view (core/jobs/classroom.py)."""
    if current is not None and current.running:
        raise TrainingBusyError("training_busy")
    return executor().submit(function, name, gpu, owner)
