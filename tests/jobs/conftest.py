"""The `ray` tests' head (tests/jobs/ray_head.py): started on loopback by this test session, stopped by process id."""

from __future__ import annotations

import importlib.util

import pytest

from tests.jobs.ray_head import LOOPBACK_ENV, RayHead


@pytest.fixture(scope="session")
def ray_loopback():
    """The environment for a Ray driver on the loopback head (set for the whole session: set before Ray is first
    imported in a process the runner spawns)."""
    if importlib.util.find_spec("ray") is None:
        pytest.skip("ray is not installed (requirements.txt)")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LOOPBACK_ENV.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def ray_head(ray_loopback):
    """The session's Ray head: 2 CPUs, on 127.0.0.1, no dashboard; stopped (only its processes) at the end. It
    declares one GPU (there is none: Ray only counts it), so a GPU job's request for one can be checked."""
    head = RayHead(num_cpus=2, num_gpus=1)
    try:
        yield head
    finally:
        head.stop()
