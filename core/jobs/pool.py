"""Background jobs in worker processes: a bounded pool with a fair FIFO queue; a page polls snapshots.

Training runs outside the web server's process, so it has its own interpreter (no shared GIL with the pages
and the other sessions), its own torch threads and random generator (a seed reproduces a run however many
train at once), and its memory is returned when it ends. The interface is small (submit, poll, stop,
result), so a cluster executor could replace the local pool without touching the pages.

A job function is a picklable callable (a module-level function or a functools.partial of one) taking
(callback, stop) and returning its result; events and the result come back pickled over a pipe from our own
child process — never from a user's file.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import queue
import sys
import threading
import time
import traceback
import types
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.errors import AttentionLabError, TrainingBusyError

JobFunction = Callable[[Callable[[Any], None], Any], Any]  # (callback, stop event) → result
WORKERS_ENV = "ATTENTION_LAB_WORKERS"
POLL_S = 0.2
_MAIN_LOCK = threading.Lock()

# forkserver: workers fork from one clean process that has already imported the heavy modules, so a job starts
# in milliseconds and never inherits the web server's threads.
_CONTEXT = mp.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["core.classifier.pipeline", "core.seq2seq.pipeline"])


@dataclass
class JobSnapshot:
    state: str  # queued | running | done | stopped | failed
    events: list = field(default_factory=list)
    result: Any = None
    error: str | None = None
    queue_position: int = 0  # jobs waiting ahead of this one (queued only)
    wait_s: float | None = None  # estimated wait before it starts (queued only; None: no estimate yet)


class TrainingJob:
    """One job: queued in a pool, then run in a worker process. Events are appended under a lock."""

    def __init__(self, function: JobFunction, name: str, pool: WorkerPool):
        self.name = name
        self.stop = _CONTEXT.Event()
        self.function = function
        self._pool = pool
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._events: list = []
        self._state = "queued"
        self._result: Any = None
        self._error: str | None = None
        self.started_at: float | None = None

    @property
    def waiting(self) -> bool:
        """Queued behind busy workers (a job just submitted to a pool with a free worker starts at once)."""
        return self._pool.waiting(self)

    @property
    def running(self) -> bool:
        """Queued or running: the session's one job slot is taken."""
        with self._lock:
            return self._state in ("queued", "running")

    def request_stop(self) -> None:
        """A queued job ends at once; a running one stops before its next batch."""
        self.stop.set()
        if self._pool.cancel(self):
            self._end("stopped", None, None)

    def join(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            snapshot = JobSnapshot(self._state, list(self._events), self._result, self._error)
        if snapshot.state == "queued":
            snapshot.queue_position, snapshot.wait_s = self._pool.position(self)
        return snapshot

    def _add_event(self, event: Any) -> None:
        with self._lock:
            self._events.append(event)

    def _begin(self) -> None:
        with self._lock:
            self._state, self.started_at = "running", time.perf_counter()

    def _end(self, state: str, result: Any, error: str | None) -> None:
        with self._lock:
            if self._state in ("done", "stopped", "failed"):
                return
            if state == "done" and self.stop.is_set():
                state = "stopped"
            self._state, self._result, self._error = state, result, error
        self._finished.set()


class WorkerPool:
    """At most `workers` jobs run at once, each in its own process; the rest wait in arrival order."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._lock = threading.Condition()
        self._pending: deque[TrainingJob] = deque()
        self._running: set[TrainingJob] = set()
        self._durations: deque[float] = deque(maxlen=20)
        threading.Thread(target=self._dispatch, name="attention-lab-dispatch", daemon=True).start()

    def submit(self, function: JobFunction, name: str = "training") -> TrainingJob:
        job = TrainingJob(function, name, self)
        with self._lock:
            self._pending.append(job)
            self._lock.notify()
        return job

    def cancel(self, job: TrainingJob) -> bool:
        """Take a job out of the queue; False when it has already started."""
        with self._lock:
            if job in self._pending:
                self._pending.remove(job)
                return True
            return False

    def position(self, job: TrainingJob) -> tuple[int, float | None]:
        """Jobs ahead of `job`, and an estimated wait from the mean duration of recent jobs."""
        with self._lock:
            ahead = list(self._pending).index(job) if job in self._pending else 0
            if not self._durations:
                return ahead, None
            mean = sum(self._durations) / len(self._durations)
            now = time.perf_counter()
            soonest = min((max(0.0, mean - (now - (j.started_at or now))) for j in self._running), default=0.0)
            return ahead, soonest + mean * (ahead // self.workers)

    def waiting(self, job: TrainingJob) -> bool:
        """`job` is in the queue and every worker has a job."""
        with self._lock:
            return job in self._pending and len(self._running) >= self.workers

    def active(self) -> int:
        with self._lock:
            return len(self._pending) + len(self._running)

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                while not self._pending or len(self._running) >= self.workers:
                    self._lock.wait()
                job = self._pending.popleft()
                self._running.add(job)
            threading.Thread(target=self._supervise, args=(job,), name=f"attention-lab-{job.name}", daemon=True).start()

    def _supervise(self, job: TrainingJob) -> None:
        started = time.perf_counter()
        try:
            _run_in_process(job)
        finally:
            with self._lock:
                self._running.discard(job)
                self._durations.append(time.perf_counter() - started)
                self._lock.notify()


def _run_in_process(job: TrainingJob) -> None:
    """Start the worker, relay its events, and record how it ended (a dead worker is a failed job)."""
    messages = _CONTEXT.Queue()
    try:
        process = _CONTEXT.Process(target=_worker_main, args=(job.function, messages, job.stop), daemon=True,
                                   name=f"attention-lab-{job.name}")
        with _bare_main():
            process.start()
    except Exception as problem:  # e.g. the function cannot be pickled
        job._end("failed", None, f"{type(problem).__name__}: {problem}")
        return
    job._begin()
    ending = None
    while ending is None:
        try:
            kind, payload = messages.get(timeout=POLL_S)
            payload = pickle.loads(payload)
        except queue.Empty:
            if not process.is_alive():
                ending = ("failed", None, f"The training process ended unexpectedly (exit code {process.exitcode}).")
            continue
        if kind == "event":
            job._add_event(payload)
        else:
            ending = ("done", payload, None) if kind == "result" else ("failed", None, payload)
    job._end(*ending)  # the page learns at once; a worker exiting under load took up to 10 s (the join below)
    process.join(10)  # the pool slot stays taken until the process has gone


def _worker_main(function: JobFunction, messages, stop) -> None:
    """In the worker process: run the job, sending each event and then the result (or one error line)."""
    def send(kind: str, payload: Any) -> None:
        # Plain pickle to bytes: torch's multiprocessing pickler would pass tensors as shared-memory handles
        # that die with this process.
        messages.put((kind, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)))

    try:
        send("result", function(lambda event: send("event", event), stop))
    except AttentionLabError as problem:
        send("failed", str(problem))
    except BaseException as problem:  # one line for the user; the trace goes to the server log
        traceback.print_exc()
        send("failed", f"{type(problem).__name__}: {problem}")
    messages.close()
    messages.join_thread()


def warm() -> None:
    """Start the fork server now (it imports torch once), so the first job of a server starts at once."""
    from multiprocessing import forkserver

    with _bare_main():
        forkserver.ensure_running()


@contextmanager
def _bare_main():
    """Streamlit makes the running page script `__main__`; multiprocessing would import (and so re-run) it in
    the fork server and in every worker. While a process starts, `__main__` is an empty module instead."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def default_workers() -> int:
    """`ATTENTION_LAB_WORKERS`, else one per core (at least one)."""
    value = os.environ.get(WORKERS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else max(1, os.cpu_count() or 1)


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def pool() -> WorkerPool:
    """The process's one pool, made on first use."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = WorkerPool(default_workers())
        return _POOL


def start_job(current: TrainingJob | None, function: JobFunction, name: str = "training") -> TrainingJob:
    """Queue a job unless `current` is still queued or running (one job per session at a time)."""
    if current is not None and current.running:
        raise TrainingBusyError("A training is already running in this session; stop it or wait for it to finish.")
    return pool().submit(function, name)
