"""The web server's process-wide settings, applied once by `start()` from app.py, each with its reason.

Nothing here runs at import: a test or a script that imports ui/ gets none of it unless it calls `start()`.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time

import pyarrow
import streamlit as st

from core import jobs

# Modules each job's worker process needs, imported once in the fork server rather than in every job. torch._dynamo:
# the optimiser's first step imports it (with sympy, ~800 modules): 1.2 s at the start of every job otherwise.
JOB_MODULES = ("core.classifier.runs", "core.seq2seq.pipeline", "core.explain.summary", "torch._dynamo")
# Imported in the background after the first page is drawn, so the first Start or Predict doesn't wait for them.
HEAVY_MODULES = ("ui.training", "core.classifier.task", "core.classifier.evaluate", "core.classifier.walkthrough",
                 "core.explain.attribution")
START_AFTER_S = 5.0  # after the browser has drawn the first page: importing torch at once slowed its first chart


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread:
    """Once per server process (a cached resource), at the first script run, before the first table or job."""
    # Arrow's own allocator (mimalloc) keeps a heap per thread and Streamlit runs each script run in a new thread:
    # closed sessions' memory stayed with the server. glibc's pool gives it back through malloc_trim
    # (ui/session_end.py). Figures: docs/classroom.md.
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    # Jobs run in worker processes forked from a fork server that has already imported the job modules.
    jobs.configure(JOB_MODULES)
    thread = threading.Thread(target=warm_up, name="attention-lab-warmup", daemon=True)
    thread.start()
    return thread


def warm_up(delay_s: float = START_AFTER_S) -> None:
    """Import the heavy modules and start the fork server; then keep what the imports made out of every later full
    collection (gc.freeze): hundreds of thousands of permanent objects that a full collection would walk each time,
    holding up every thread while it ran."""
    time.sleep(delay_s)
    for name in HEAVY_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  a page that needs the module reports its own import error
            pass
    # The pages' own torch work (a prediction, a reply) is small: one thread, so that it never contends with the
    # job processes for the cores (two threads on a busy machine ran many times slower: docs/performance.md).
    import torch

    torch.set_num_threads(1)
    jobs.executor().runner.warm()
    gc.freeze()
