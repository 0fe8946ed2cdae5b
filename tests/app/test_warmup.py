"""ui/warmup.py: the heavy imports happen once, and what they made stays out of later full collections."""

from __future__ import annotations

import gc
import sys

import core.jobs.pool
from ui import warmup


def test_the_warm_up_imports_and_freezes_what_it_made(monkeypatch):
    monkeypatch.setattr(warmup, "START_AFTER_S", 0)
    monkeypatch.setattr(core.jobs.pool, "warm", lambda: None)  # the fork server has its own tests
    gc.unfreeze()
    try:
        warmup._import_all()
        assert gc.get_freeze_count() > 100_000  # torch, sklearn, captum, plotly: permanent, never collected
        assert all(name in sys.modules for name in warmup.HEAVY_MODULES)
    finally:
        gc.unfreeze()
