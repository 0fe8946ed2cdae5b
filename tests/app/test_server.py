"""ui/server.py: the start-up applies the process-wide settings; the warm-up imports and freezes what it made."""

from __future__ import annotations

import gc
import sys

import pyarrow

from core import jobs
from ui import server


class NoRunner:
    def warm(self) -> None:  # the fork server has its own tests
        pass


class NoQueue:
    runner = NoRunner()


def test_the_warm_up_imports_and_freezes_what_it_made(monkeypatch):
    monkeypatch.setattr(jobs, "executor", lambda: NoQueue())
    gc.unfreeze()
    try:
        server.warm_up(delay_s=0)
        assert gc.get_freeze_count() > 100_000  # torch, sklearn, captum, plotly: permanent, never collected
        assert all(name in sys.modules for name in server.HEAVY_MODULES)
        import torch

        assert torch.get_num_threads() == 1
    finally:
        gc.unfreeze()


def test_start_puts_tables_where_malloc_trim_can_return_them_and_makes_the_job_queue(monkeypatch):
    monkeypatch.setattr(server, "warm_up", lambda: None)
    monkeypatch.setattr(jobs, "_QUEUE", None)
    before = pyarrow.default_memory_pool()
    try:
        server.start.clear()
        server.start().join()
        assert pyarrow.default_memory_pool().backend_name == "system"  # not mimalloc's per-thread heaps
        assert jobs.executor().runner.context.get_start_method() == "forkserver"
    finally:
        pyarrow.set_memory_pool(before)
        server.start.clear()
