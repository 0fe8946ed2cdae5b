"""The error boundary: an unexpected exception becomes one line for the user with a short id, and the server log
carries the full traceback under that id. No traceback reaches a browser (also `client.showErrorDetails`).

Errors a user caused (core.errors.AttentionLabError) are shown by the pages with their own message; this is for
everything else: a bug, a full disk, a file the code did not expect.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st
from streamlit.errors import FragmentHandledException
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from ui.i18n import t

F = TypeVar("F", bound=Callable)
_log = logging.getLogger(__name__)
# "<id> <where>: <type>: <message>" of every error caught since the process started: the test suite fails a test
# that left one here (tests/conftest.py), as it would have failed on the traceback before.
CAUGHT: list[str] = []
# st.stop, st.rerun and st.switch_page raise ScriptControlException: Streamlit's own control flow, never an error.
# FragmentHandledException: a fragment's error that Streamlit has already shown.
PASS_THROUGH = (ScriptControlException, FragmentHandledException)


def new_error_id() -> str:
    return secrets.token_hex(4)


def report(error: BaseException, where: str) -> str:
    """Log `error` with its traceback under a new id and show the user one line naming that id; returns the id."""
    error_id = new_error_id()
    _log.error("error %s in %s", error_id, where, exc_info=error)
    CAUGHT.append(f"{error_id} {where}: {type(error).__name__}: {error}")
    st.error(t("unexpected", id=error_id), icon=":material/error:")
    return error_id


@contextmanager
def error_boundary(where: str) -> Iterator[None]:
    """Run a block; an unexpected exception in it is reported (one line) instead of ending the script run."""
    try:
        yield
    except PASS_THROUGH:
        raise
    except Exception as error:  # noqa: BLE001  the boundary: every other error becomes one line
        report(error, where)


def guarded(function: F) -> F:
    """A function (a fragment's body) run inside an error boundary: a fragment's own reruns don't pass app.py's."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        with error_boundary(function.__qualname__):
            return function(*args, **kwargs)

    return run  # type: ignore[return-value]
