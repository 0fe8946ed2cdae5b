"""The job interface both runners share: a job handle the pages poll, and a bounded FIFO queue in front of a runner.

A job function is a picklable callable (a module-level function or a functools.partial of one) taking
(callback, stop) and returning its result. The runner decides where it runs (core/jobs/local.py: a process on this
machine; core/jobs/cluster.py: a task on a Ray cluster); the pages only submit, poll snapshots and stop.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.errors import AttentionLabError

JobFunction = Callable[[Callable[[Any], None], Any], Any]  # (callback, stop event) → result


@dataclass(frozen=True)
class Finishing:
    """A job in two parts: `compute` (callback, stop) → value may run anywhere, a worker process or a cluster node;
    `finish` turns that value into the job's result where the web server's disk is (it saves into a workspace).
    A local worker runs both; a cluster runs `compute` and the web server `finish`."""

    compute: JobFunction
    finish: Callable[[Any], Any]

    def __call__(self, callback: Callable[[Any], None], stop: Any) -> Any:
        return self.finish(self.compute(callback, stop))


@dataclass(frozen=True)
class Owner:
    """Who submitted a job, for the teacher's view: a short label of the session that can't be traced back to its
    workspace, and the nickname the session chose ("" when none)."""

    label: str
    nickname: str = ""


class Runner(Protocol):
    def new_stop(self) -> Any:
        """A stop flag (`set`, `is_set`, `wait`) that reaches the job wherever it runs."""

    def run(self, job: Job) -> None:
        """Run `job` to its end: `job._begin()`, each event to `job._add_event`, then `job._end(...)` once."""


@dataclass
class JobSnapshot:
    state: str  # queued | running | done | stopped | failed
    events: list = field(default_factory=list)
    result: Any = None
    error: str | AttentionLabError | None = None  # an AttentionLabError the job raised, else one line
    queue_position: int = 0  # jobs waiting ahead of this one (queued only)
    wait_s: float | None = None  # estimated wait before it starts (queued only; None: no estimate yet)


class Job:
    """One job: queued, then run by the queue's runner (a local process or a cluster task). Events are appended
    under a lock; the page reads them through `snapshot`."""

    def __init__(self, function: JobFunction, name: str, pool: JobQueue, gpu: bool = False,
                 owner: Owner | None = None):
        self.name = name
        self.owner = owner  # replaced whole (never changed in place) when the session renames itself
        self.stop = pool.runner.new_stop()  # set by request_stop; the job function checks it between batches
        self.gpu = gpu  # the job would use a GPU if the runner has one
        self.function = function
        self._pool = pool
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._events: list = []
        self._state = "queued"
        self._result: Any = None
        self._error: str | AttentionLabError | None = None
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

    def _end(self, state: str, result: Any, error: str | AttentionLabError | None) -> None:
        with self._lock:
            if self._state in ("done", "stopped", "failed"):
                return
            if state == "done" and self.stop.is_set():
                state = "stopped"
            self._state, self._result, self._error = state, result, error
        self._finished.set()


class JobQueue:
    """At most `workers` jobs run at once, each by the runner; the rest wait here in arrival order, so the queue
    place and the wait estimate are the same whichever runner runs the jobs."""

    def __init__(self, workers: int, runner: Runner):
        self.workers = max(1, workers)
        self.runner = runner
        self._lock = threading.Condition()
        self._pending: deque[Job] = deque()
        self._running: set[Job] = set()
        self._durations: deque[float] = deque(maxlen=20)
        threading.Thread(target=self._dispatch, name="attention-lab-dispatch", daemon=True).start()

    def submit(self, function: JobFunction, name: str = "training", gpu: bool = False,
               owner: Owner | None = None) -> Job:
        job = Job(function, name, self, gpu, owner)
        with self._lock:
            self._pending.append(job)
            self._lock.notify()
        return job

    def cancel(self, job: Job) -> bool:
        """Take a job out of the queue; False when it has already started."""
        with self._lock:
            if job in self._pending:
                self._pending.remove(job)
                return True
            return False

    def position(self, job: Job) -> tuple[int, float | None]:
        """Jobs ahead of `job`, and an estimated wait from the mean duration of recent jobs."""
        with self._lock:
            ahead = list(self._pending).index(job) if job in self._pending else 0
            if not self._durations:
                return ahead, None
            mean = sum(self._durations) / len(self._durations)
            now = time.perf_counter()
            soonest = min((max(0.0, mean - (now - (j.started_at or now))) for j in self._running), default=0.0)
            return ahead, soonest + mean * (ahead // self.workers)

    def waiting(self, job: Job) -> bool:
        """`job` is in the queue and every worker has a job."""
        with self._lock:
            return job in self._pending and len(self._running) >= self.workers

    def jobs(self) -> tuple[list[Job], list[Job]]:
        """(handed to the runner, waiting): the first in the order they started, the second in arrival order."""
        with self._lock:
            started, waiting = list(self._running), list(self._pending)
        return sorted(started, key=lambda job: job.started_at or float("inf")), waiting

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

    def _supervise(self, job: Job) -> None:
        started = time.perf_counter()
        try:
            self.runner.run(job)
        finally:
            with self._lock:
                self._running.discard(job)
                self._durations.append(time.perf_counter() - started)
                self._lock.notify()
