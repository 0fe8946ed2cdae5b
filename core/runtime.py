"""Process-wide settings for a process that computes: a job's worker process (core/jobs/local.py), and the command
line's model-level explanation; the web server never calls them."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

_M_TOP_PAD, _M_MMAP_MAX = -2, -4  # glibc's mallopt parameters (malloc.h)
_TOP_PAD_BYTES = 256 * 1024 * 1024
_log = logging.getLogger(__name__)


def configure_job_process() -> None:
    """A job's worker process: one torch thread (the queue runs one job per core; more threads per job contend
    with the other jobs and the web server and run many times slower, docs/performance.md), and the heap below.
    A job that asks for more threads (TrainConfig.num_threads) sets them itself."""
    import torch

    torch.set_num_threads(1)
    configure_compute_process()


def configure_compute_process() -> None:
    """Keep freed tensor memory in the heap for the next batch instead of handing it back to the kernel.

    By default glibc serves each large tensor from a fresh mmap and unmaps it when freed, so every batch of the
    model-level explanation (large integrated-gradients batches) faulted its pages in again: half its time was
    the kernel's (docs/performance.md). Without mmap and with a generous top pad the heap is reused. A job's
    process ends with its job, so the memory it keeps goes back then. Not glibc (macOS, musl): nothing to do."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is None or not hasattr(libc, "mallopt"):
            return
        libc.mallopt(_M_MMAP_MAX, 0)
        libc.mallopt(_M_TOP_PAD, _TOP_PAD_BYTES)
    except OSError as error:  # a C library without mallopt: the defaults are only slower
        _log.info("mallopt unavailable: %s", error)
