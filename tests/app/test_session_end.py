"""ui/session_end.py: a tab gone for good has its session closed; one that came back, or went again, is kept."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ui import session_end


class FakeMediaFiles:
    def __init__(self):
        self.cleanups = 0

    def remove_orphaned_files(self) -> None:
        self.cleanups += 1


class FakeRuntime:
    def __init__(self, active: set[str]):
        self.active, self.closed, self.media_file_mgr = active, [], FakeMediaFiles()

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.active

    def close_session(self, session_id: str) -> None:
        self.closed.append(session_id)


@pytest.fixture
def runtime(monkeypatch):
    fake = FakeRuntime(active={"back"})
    monkeypatch.setattr(session_end.Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(session_end.Runtime, "instance", staticmethod(lambda: fake))
    monkeypatch.setattr(session_end, "_disconnects", {})
    monkeypatch.setattr(session_end, "SETTLE_S", 0.05)
    released = []
    monkeypatch.setattr(session_end, "release_memory", lambda: released.append(threading.current_thread()))
    fake.released = released
    return fake


def run_on_loop(function):
    async def body():
        result = function()
        await asyncio.sleep(session_end.SETTLE_S + 0.2)  # the memory release comes a moment after the close
        return result
    return asyncio.run(body())


def test_a_session_whose_tab_is_gone_is_closed_and_its_memory_released(runtime):
    session_end._disconnects["gone"] = 1
    assert run_on_loop(lambda: session_end.close_if_gone("gone", 1)) is True
    assert runtime.closed == ["gone"] and runtime.media_file_mgr.cleanups == 1 and len(runtime.released) == 1
    assert runtime.released[0] is not threading.main_thread()  # not on the event loop: every page would wait for it


def test_a_session_that_reconnected_is_kept(runtime):
    session_end._disconnects["back"] = 1
    assert run_on_loop(lambda: session_end.close_if_gone("back", 1)) is False
    assert runtime.closed == [] and runtime.released == []


def test_only_the_latest_disconnect_may_close(runtime):
    session_end._disconnects["flaky"] = 2  # disconnected, came back, disconnected again
    assert run_on_loop(lambda: session_end.close_if_gone("flaky", 1)) is False
    assert run_on_loop(lambda: session_end.close_if_gone("flaky", 2)) is True
    assert runtime.closed == ["flaky"]


def test_a_disconnect_schedules_the_check_before_the_ttl_ends(runtime, monkeypatch):
    calls = []
    monkeypatch.setattr(session_end, "close_if_gone", lambda sid, count: calls.append((sid, count)))
    monkeypatch.setattr(session_end.st, "get_option", lambda name: 5.2)  # TTL 5.2 s → the check at 1 s (floor)

    async def body():
        session_end._released("tab")
        session_end._released("tab")
        await asyncio.sleep(1.3)
    asyncio.run(body())
    assert calls == [("tab", 1), ("tab", 2)]  # the first check then finds a newer disconnect and keeps it


def test_a_release_outside_the_event_loop_does_nothing(runtime):
    session_end._released("cache-clear")  # e.g. st.cache_resource.clear() in a script
    assert session_end._disconnects == {}


def test_release_memory_runs_here():
    session_end.release_memory()  # a full collection and glibc's malloc_trim where present; must not raise
