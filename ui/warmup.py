"""Import the heavy libraries (torch, scikit-learn, captum) once per server, in the background.

The first page view needs none of them; importing them at page load made it wait ~2 s. A thread started
after the first page is drawn imports them, so the first Start or Predict doesn't wait either.
"""

from __future__ import annotations

import importlib
import threading

import streamlit as st

HEAVY_MODULES = ("ui.training", "core.classifier", "core.evaluate", "core.walkthrough", "core.explain")


def _import_all() -> None:
    for name in HEAVY_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  a page that needs the module reports its own import error
            pass


@st.cache_resource(show_spinner=False)
def warm_up_once() -> threading.Thread:
    """Start the import thread the first time any session calls this (a resource, so once per server)."""
    thread = threading.Thread(target=_import_all, name="attention-lab-warmup", daemon=True)
    thread.start()
    return thread
