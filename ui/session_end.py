"""When a browser tab has gone for good, shut its session down and give its memory back to the system.

Streamlit keeps a disconnected session for `server.disconnectedSessionTTL` seconds, so a network drop can
reconnect. After that the session is only dropped when something next looks in its session store, which an
idle server never does: 3 minutes after a class closed its tabs, every session (corpus, datasets, models)
was still in memory. With `runner.postScriptGC` off (see .streamlit/config.toml), their reference cycles also
wait for a full collection, and glibc keeps freed heap pages until asked.

A session-scoped resource's `on_release` runs when the tab disconnects. It schedules, on the server's event
loop, a check a few seconds before the TTL ends (after it, the store no longer hands the session out, so it
could not be closed): if the session has not reconnected, the runtime closes it (as Streamlit does at
shutdown) and drops its download files, then one full collection and `malloc_trim` return the memory. A tab
that comes back later gets a new session, which reopens its workspace from the URL.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import threading

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

GRACE_S = 5.0  # the check runs this long before the TTL ends
SETTLE_S = 20.0  # a closed session is torn down over the next seconds: collect after that, once for a whole class
_log = logging.getLogger(__name__)
_disconnects: dict[str, int] = {}  # session id → disconnects seen: only the latest one's check may close it
_pending_release: asyncio.TimerHandle | None = None


def watch_session() -> None:
    """Call once per script run (app.py): registers this session for clean-up when its tab goes."""
    if get_script_run_ctx() is not None:
        _session_id()


def _released(session_id: str) -> None:
    """The tab disconnected (Streamlit releases session-scoped resources then, on its event loop)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # released outside the event loop (a cache clear): nothing has disconnected
        return
    count = _disconnects[session_id] = _disconnects.get(session_id, 0) + 1
    delay = max(1.0, float(st.get_option("server.disconnectedSessionTTL")) - GRACE_S)
    loop.call_later(delay, close_if_gone, session_id, count)


def close_if_gone(session_id: str, count: int) -> bool:
    """On the event loop: close the session unless it reconnected (or disconnected again since); True if closed."""
    if _disconnects.get(session_id) != count:
        return False
    del _disconnects[session_id]
    if not Runtime.exists():
        return False
    runtime = Runtime.instance()
    if runtime.is_active_session(session_id):
        return False
    runtime.close_session(session_id)
    # Closing marks the session's download files (model bundles, a few MB each) for deletion; Streamlit deletes
    # them at the next clean-up, which on an idle server never comes: this is that clean-up.
    runtime.media_file_mgr.remove_orphaned_files()
    _log.info("closed session %s: its tab had gone", session_id)
    global _pending_release
    if _pending_release is not None:
        _pending_release.cancel()
    _pending_release = asyncio.get_running_loop().call_later(SETTLE_S, _release_off_the_loop)
    return True


def _release_off_the_loop() -> None:
    """On the event loop, the release stopped every page for its duration (a py-spy profile of a 12-session class
    found 3.9 s of it there); malloc_trim lets other threads run, and the collection is short after gc.freeze()."""
    threading.Thread(target=release_memory, name="attention-lab-release", daemon=True).start()


def release_memory() -> None:
    """Collect the closed session's reference cycles and hand freed heap pages back to the system."""
    gc.collect()
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is not None:  # glibc only; elsewhere the collection alone
        trim(0)


@st.cache_resource(scope="session", on_release=_released, show_spinner=False)
def _session_id() -> str:
    """This session's id, kept as a session-scoped resource so that its release tells us the tab went."""
    return get_script_run_ctx().session_id
