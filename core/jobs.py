"""Background training: a thread that runs a training function and keeps its events for a UI to poll.

The thread never touches a UI; a page reads `snapshot()` on a timer and sets `stop` on a button.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .errors import AttentionLabError, TrainingBusyError

# A job function takes (callback, stop_event) and returns its result.
JobFunction = Callable[[Callable[[Any], None], threading.Event], Any]


@dataclass
class JobSnapshot:
    state: str  # running | done | stopped | failed
    events: list = field(default_factory=list)
    result: Any = None
    error: Optional[str] = None


class TrainingJob:
    """One background run. Events are appended under a lock; readers get copies."""

    def __init__(self, function: JobFunction, name: str = "training"):
        self.name = name
        self.stop = threading.Event()
        self._function = function
        self._lock = threading.Lock()
        self._events: list = []
        self._state = "running"
        self._result: Any = None
        self._error: Optional[str] = None
        self._thread = threading.Thread(target=self._run, name=f"attention-lab-{name}", daemon=True)

    def start(self) -> "TrainingJob":
        self._thread.start()
        return self

    def _report(self, event: Any) -> None:
        with self._lock:
            self._events.append(event)

    def _run(self) -> None:
        try:
            result = self._function(self._report, self.stop)
            state, error = ("stopped" if self.stop.is_set() else "done"), None
        except AttentionLabError as problem:
            result, state, error = None, "failed", str(problem)
        except Exception as problem:  # shown to the user as one line; the trace goes to the server log
            traceback.print_exc()
            result, state, error = None, "failed", f"{type(problem).__name__}: {problem}"
        with self._lock:
            self._result, self._state, self._error = result, state, error

    @property
    def running(self) -> bool:
        with self._lock:
            return self._state == "running"

    def request_stop(self) -> None:
        self.stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self._state, list(self._events), self._result, self._error)


def start_job(current: Optional[TrainingJob], function: JobFunction, name: str = "training") -> TrainingJob:
    """Start a job unless `current` is still running (one training per session at a time)."""
    if current is not None and current.running:
        raise TrainingBusyError("A training is already running in this session; stop it or wait for it to finish.")
    return TrainingJob(function, name).start()
