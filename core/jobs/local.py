"""Jobs in worker processes on this machine: the default runner.

A job runs outside the web server's process, so it has its own interpreter (no shared GIL with the pages and the
other sessions), its own torch threads and random generator (a seed reproduces a run however many train at once),
and its memory is returned when it ends. Events and the result come back pickled over a pipe from our own child
process, never from a user's file.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import queue
import sys
import threading
import traceback
import types
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

from core.errors import AttentionLabError
from core.jobs.queue import Job, JobFunction
from core.runtime import configure_job_process

POLL_S = 0.2
_MAIN_LOCK = threading.Lock()


class LocalRunner:
    """Each job in a process forked from one fork server, which has already imported the heavy modules (`preload`),
    so a job starts in milliseconds and never inherits the web server's threads."""

    def __init__(self, preload: Sequence[str] = ()):
        self.context = mp.get_context("forkserver")
        self.context.set_forkserver_preload(list(preload))

    def new_stop(self):
        return self.context.Event()

    def warm(self) -> None:
        """Start the fork server now (it imports torch once), so the first job of a server starts at once."""
        from multiprocessing import forkserver

        with bare_main():
            forkserver.ensure_running()

    def run(self, job: Job) -> None:
        """Start the worker, relay its events, and record how it ended (a dead worker is a failed job)."""
        messages = self.context.Queue()
        try:
            process = self.context.Process(target=_worker_main, args=(job.function, messages, job.stop), daemon=True,
                                           name=f"attention-lab-{job.name}")
            with bare_main():
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
        job._end(*ending)  # the page learns at once; a worker exiting under load can take seconds (the join below)
        process.join(10)  # the queue slot stays taken until the process has gone


def _worker_main(function: JobFunction, messages, stop) -> None:
    """In the worker process: run the job, sending each event and then the result (or one error line)."""
    configure_job_process()

    def send(kind: str, payload: Any) -> None:
        # Plain pickle to bytes: torch's multiprocessing pickler would pass tensors as shared-memory handles
        # that die with this process.
        messages.put((kind, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)))

    try:
        send("result", function(lambda event: send("event", event), stop))
    except AttentionLabError as problem:  # the error itself (code and values): the page shows it in its language
        send("failed", problem)
    except BaseException as problem:  # one line for the user; the trace goes to the server log
        traceback.print_exc()
        send("failed", f"{type(problem).__name__}: {problem}")
    messages.close()
    messages.join_thread()


@contextmanager
def bare_main():
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
