"""Import the heavy libraries (torch, scikit-learn, captum) once per server, in the background.

The first page view needs none of them; importing them at page load made it wait ~2 s. A thread started
by the first page imports them a little later, so the first Start or Predict doesn't wait either.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time

import streamlit as st

# After the browser has drawn the first page: on 2 cores, importing torch at once slowed the first chart
# (first view 4.9-6.2 s with the import right away, 4.0-4.5 s with it 5 s later).
START_AFTER_S = 5.0
HEAVY_MODULES = ("ui.training", "core.classifier.task", "core.classifier.evaluate", "core.classifier.walkthrough", "core.explain.attribution")


def _import_all() -> None:
    time.sleep(START_AFTER_S)
    for name in HEAVY_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  a page that needs the module reports its own import error
            pass
    from core.jobs.pool import warm

    warm()  # the training processes' fork server imports torch once, now, not at the first Start
    # The ~360,000 objects the imports made live as long as the server: keep them out of every later full
    # collection (each took 0.12-0.18 s with them on a quiet machine, and held up every thread while it ran).
    gc.freeze()


@st.cache_resource(show_spinner=False)
def warm_up_once() -> threading.Thread:
    """Start the import thread the first time any session calls this (a resource, so once per server)."""
    thread = threading.Thread(target=_import_all, name="attention-lab-warmup", daemon=True)
    thread.start()
    return thread
