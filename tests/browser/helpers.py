"""What the browser tests share: a real `streamlit run app.py` on loopback, Debian's chromium, screenshots."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BROWSER = [pytest.mark.browser,
           pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run does)")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`streamlit run app.py` on a free loopback port, which can be stopped and started again.

    Its output goes to a file, never to a pipe that nobody reads while the tests run: a full pipe (64 KB) would
    block the server and the job processes writing to the same stream. (A walk-through printed 168 bytes, so
    this was not what made the walk-through slow; the model-level explanation was.)"""

    def __init__(self, log: Path, home: Path | None = None):
        self.port, self.log, self.home, self.process = free_port(), log, home, None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        if self.home is not None:
            env["ATTENTION_LAB_HOME"] = str(self.home)
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
                 "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError("streamlit did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def new_page(browser, width: int = 1400, height: int = 1600):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def nav(page, title: str) -> None:
    """Move between pages through the sidebar, as a person does (a new URL would start a new session)."""
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first.click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()


def plotly_points(page, nth: int = 0) -> int:
    """Points in the first trace of the nth plotly chart on the page."""
    return page.evaluate(
        "n => { const c = document.querySelectorAll('.js-plotly-plot')[n];"
        " return c && c.data && c.data[0] ? c.data[0].x.length : 0; }", nth)


def ko(key: str, **values) -> str:
    """A string's Korean text, as the page shows it."""
    from ui.i18n import STRINGS

    text = STRINGS[key][0]
    return text.format(**values) if values else text
