"""Classroom load benchmark: N browser sessions train the Train page defaults on the sample at once.

    python scripts/load_bench.py --sessions 12 [--workers N] [--port P] [--epochs E] [--after-close 180] [--browser-nice N]
    python scripts/load_bench.py --sessions 4 --ray      # the same class, jobs on a local Ray head (127.0.0.1)

Starts `streamlit run app.py` on a free loopback port with a fresh temporary ATTENTION_LAB_HOME (never your
workspaces) and ATTENTION_LAB_WORKERS; trains one session alone first (the baseline), then opens N sessions
(Playwright driving Debian's chromium), waits until they have finished loading, presses Start in each about 1 s
apart and prints: time from Start to the first chart point and to the finish, `/_stcore/health` latency sampled
every 0.5 s, server and worker RSS, the class time against 1.5 x (N x solo / workers), the best validation accuracy
of every session (one seed: all equal), each session's run history (its own runs only), Stop under load (a queued
job, a running one), the CPU of the server, the workers and the browsers during the class, and the solo speed
against `python -m core train` on the same defaults. With --after-close: the server's memory until then, and its
heap by kind of mapping. Every request goes to 127.0.0.1; every loop is bounded by --timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
BROWSER = {"path": CHROMIUM}  # main() may point it at a wrapper that runs chromium under `nice`
SERVER = {"pid": 0}
CLUSTER: dict = {"head": None}  # with --ray: the local Ray head (tests/jobs/ray_head.py) whose workers run the jobs
CLASS_CPU: dict[str, float] = {}  # CPU seconds of each party during run_class's last run, from its first Start
HEALTH_EVERY_S = 0.5
SETTLED_CORES = 0.3  # the browsers count as settled below this (twelve idle tabs on the Train page: about 0.1)
SETTLE_MAX_S = 60.0
HEALTH_TIMEOUT_S = 10.0
# How often the page-side waits look (setTimeout polling, not rAF). They read textContent, not innerText: innerText
# lays the page out, and twelve tabs doing that five times a second were part of the browsers' CPU this bench measures.
POLL_MS = 200

# Korean UI texts (ui/i18n.py) the benchmark waits on
DATA_TITLE, TRAIN_TITLE, EPOCHS, START, STOP = "데이터", "학습", "에폭", "학습 시작", "중지"
DONE_LINE, STOPPED_LINE, QUEUED, CANCELLED = "끝남 ·", "중지됨 ·", "다른 학습이 끝나기를", "대기 중이던 학습을 취소"
RATE = re.compile(r"([\d,]+)문장/초")
CHART_POINTS_JS = ("() => { const c = document.querySelector('.js-plotly-plot');"
                   " return c && c.data && c.data[0] && c.data[0].x ? c.data[0].x.length : 0; }")


@dataclass
class Session:
    index: int
    role: str = "train"  # train | stop-queued | stop-running
    clicked: float = 0.0  # perf_counter at the first Start
    first_point_s: float | None = None
    finish_s: float | None = None
    finished_at: float | None = None
    rate: float | None = None  # sentences/s from the finished line
    stop_handled_s: float | None = None  # click → the page shows the job stopped (or gone from the queue)
    stop_clicked_at: float | None = None  # perf_counter at the Stop click
    history: list[dict] = field(default_factory=list)
    outside: set[str] = field(default_factory=set)  # hosts other than loopback the page asked for
    error: str | None = None
    stage: str = "opening"  # the last step reached, shown for a session that did not finish


# --- the server -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, home: Path, log: Path, extra_env: dict | None = None) -> subprocess.Popen:
    env = {"MALLOC_ARENA_MAX": "2", **os.environ, "ATTENTION_LAB_HOME": str(home),  # MALLOC_ARENA_MAX: as ./run
           "ATTENTION_LAB_WORKERS": str(workers), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(extra_env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def cli_rate(home: Path) -> float | None:
    """Sentences/s of `python -m core train` on the same defaults (the app's reference), from its last progress line."""
    done = subprocess.run([sys.executable, "-m", "core", "train", "--out", str(home / "cli.zip")], cwd=ROOT,
                          env={**os.environ, "ATTENTION_LAB_HOME": str(home)}, capture_output=True, text=True)
    rates = re.findall(r"(\d+) sent/s", done.stderr)
    return float(rates[-1]) if done.returncode == 0 and rates else None


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)


# --- memory and processes (/proc, no psutil needed) --------------------------------------------------------

def rss_mb(pid: int, name: str = "VmRSS:", file: str = "status") -> float:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size: a forked worker's pages shared with the fork server count once overall."""
    return rss_mb(pid, "Pss:", "smaps_rollup")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def cpu_s(pid: int, reaped: bool = False) -> float:
    """User + system CPU seconds the process has used (`reaped`: those of its children that have exited and
    been waited for: the fork server's finished workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        first = 13 if reaped else 11
        return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def browser_cpu_s() -> float:
    """CPU seconds of the chromium processes alive now (the benchmark's browsers: nothing else runs chromium)."""
    pids = (int(folder.name) for folder in Path("/proc").glob("[0-9]*"))
    return sum(cpu_s(pid) for pid in pids if _name(pid).startswith(("chrom", "headless")))


def bench_cpu_s() -> float:
    """CPU seconds of this script and its Playwright driver (the benchmark's own share of the machine)."""
    own = os.getpid()
    return cpu_s(own) + sum(cpu_s(child) for child in children(own) if "node" in _name(child))


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def class_cpu() -> dict[str, float]:
    head = CLUSTER["head"]
    cluster = sum(cpu_s(pid) + cpu_s(pid, reaped=True) for pid in head.pids()) if head is not None else 0.0
    return {"server": cpu_s(SERVER["pid"]), "workers": workers_cpu_s(SERVER["pid"]), "browsers": browser_cpu_s(),
            "benchmark": bench_cpu_s(), "cluster": cluster}


def workers_cpu_s(server_pid: int) -> float:
    """CPU seconds of every training worker so far: the finished ones (reaped by the fork server) and the live ones."""
    helpers, workers = process_tree(server_pid)
    return sum(cpu_s(h, reaped=True) for h in helpers) + sum(map(cpu_s, workers))


def process_tree(server_pid: int) -> tuple[list[int], list[int]]:
    """(helpers, workers): the server's own children (fork server, resource tracker) and their children."""
    helpers = children(server_pid)
    workers = [w for h in helpers for w in children(h)]
    return helpers, workers


@dataclass
class Memory:
    server_mb: float
    server_anon_mb: float  # the server's own heap: RSS less the pages mapped from files (libraries' code and data)
    helpers_mb: float
    workers: int
    workers_mb: float  # RSS summed (counts the pages shared with the fork server once per worker)
    workers_pss_mb: float = 0.0


def memory(server_pid: int) -> Memory:
    helpers, workers = process_tree(server_pid)
    return Memory(rss_mb(server_pid), rss_mb(server_pid, "RssAnon:"), sum(map(rss_mb, helpers)), len(workers),
                  sum(map(rss_mb, workers)), sum(map(pss_mb, workers)))


# --- the monitor thread: health latency and peak memory ------------------------------------------------------

class Monitor(threading.Thread):
    """Every 0.5 s: GET /_stcore/health on 127.0.0.1 (latency; a timeout counts as its limit) and the RSS."""

    def __init__(self, url: str, server_pid: int, max_s: float):
        super().__init__(name="load-bench-monitor", daemon=True)
        self.url, self.server_pid = url, server_pid
        self.max_samples = int(max_s / HEALTH_EVERY_S) + 1
        self.done = threading.Event()
        self.latencies: list[float] = []
        self.times: list[float] = []  # perf_counter when each sample was sent
        self.failures = 0
        self.peak = Memory(0, 0, 0, 0, 0, 0)

    def run(self) -> None:
        while not self.done.is_set() and len(self.latencies) < self.max_samples:
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=HEALTH_TIMEOUT_S) as reply:
                    reply.read()
            except OSError:
                self.failures += 1
            self.latencies.append(time.perf_counter() - began)
            self.times.append(began)
            now = memory(self.server_pid)
            self.peak = Memory(max(self.peak.server_mb, now.server_mb), max(self.peak.server_anon_mb, now.server_anon_mb),
                               max(self.peak.helpers_mb, now.helpers_mb),
                               max(self.peak.workers, now.workers), max(self.peak.workers_mb, now.workers_mb),
                               max(self.peak.workers_pss_mb, now.workers_pss_mb))
            self.done.wait(max(0.0, HEALTH_EVERY_S - (time.perf_counter() - began)))

    def stop(self) -> None:
        self.done.set()
        self.join(HEALTH_TIMEOUT_S + 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


# --- one browser session ---------------------------------------------------------------------------------

async def open_train_page(browser, url: str, session: Session, epochs: int | None, timeout_ms: int):
    """A new context (its own Streamlit session and workspace) on the Train page, epochs set."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1400}, locale="ko-KR")
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    page.on("request", lambda request: _note_host(session, request.url))
    await page.goto(url)
    await page.get_by_role("heading", name=DATA_TITLE, exact=True).wait_for()
    await page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=TRAIN_TITLE).first.click()
    await page.get_by_role("heading", name=TRAIN_TITLE, exact=True).first.wait_for()
    if epochs:
        field_ = page.get_by_role("spinbutton", name=EPOCHS, exact=True)
        await field_.fill(str(epochs))
        await field_.press("Tab")
        await page.wait_for_timeout(500)  # the widget change reaches the server before Start
    return context, page


def _note_host(session: Session, address: str) -> None:
    host = urlsplit(address).hostname
    if address.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
        session.outside.add(host or address[:40])


async def click_start(page) -> None:
    await page.get_by_role("button", name=START).click()


async def wait_text(page, text: str, timeout_ms: int) -> None:
    await page.wait_for_function("t => document.body.textContent.includes(t)", arg=text, polling=POLL_MS,
                                 timeout=timeout_ms)


async def train_session(page, session: Session, timeout_ms: int) -> None:
    """Start, then the first chart point and the finished line; Stop tests for their roles."""
    await click_start(page)
    session.clicked, session.stage = time.perf_counter(), "started"
    if session.role == "stop-queued":
        await stop_queued(page, session, timeout_ms)
    elif session.role == "stop-running":
        await stop_running(page, session, timeout_ms)
    await page.wait_for_function(f"() => ({CHART_POINTS_JS})() >= 1", polling=POLL_MS, timeout=timeout_ms)
    session.first_point_s, session.stage = time.perf_counter() - session.clicked, "first point"
    await wait_text(page, DONE_LINE, timeout_ms)
    session.finished_at = time.perf_counter()
    session.finish_s = session.finished_at - session.clicked
    line = await page.get_by_text(DONE_LINE).first.inner_text()
    match = RATE.search(line)
    session.rate = float(match.group(1).replace(",", "")) if match else None


async def stop_queued(page, session: Session, timeout_ms: int) -> None:
    """Stop while queued: time until the page says it was cancelled (or the notice and Stop are gone); Start again."""
    await wait_text(page, QUEUED, timeout_ms)
    await page.get_by_role("button", name=STOP).click()
    clicked = session.stop_clicked_at = time.perf_counter()
    await page.wait_for_function(
        "([q, c, stop]) => { const text = document.body.textContent;"
        " const button = [...document.querySelectorAll('button')].some(b => b.textContent.trim().endsWith(stop));"
        " return text.includes(c) || (!text.includes(q) && !button); }",
        arg=[QUEUED, CANCELLED, STOP], polling=50, timeout=timeout_ms)
    session.stop_handled_s = time.perf_counter() - clicked
    await _restart(page, session)


async def stop_running(page, session: Session, timeout_ms: int) -> None:
    """Stop at the first chart point of a running job: time until the stopped line shows; Start again."""
    await page.wait_for_function(f"() => ({CHART_POINTS_JS})() >= 1", polling=50, timeout=timeout_ms)
    await page.get_by_role("button", name=STOP).click()
    clicked = session.stop_clicked_at = time.perf_counter()
    await wait_text(page, STOPPED_LINE, timeout_ms)
    session.stop_handled_s = time.perf_counter() - clicked
    line = await page.get_by_text(STOPPED_LINE).first.inner_text()
    match = RATE.search(line)
    session.rate = float(match.group(1).replace(",", "")) if match else None  # for the batch time
    await _restart(page, session)


async def _restart(page, session: Session) -> None:
    await page.wait_for_timeout(300)
    await click_start(page)
    session.clicked = time.perf_counter()  # first point / finish count from the second Start


async def read_history(page, timeout_ms: int) -> list[dict]:
    """The run history table's rows (glide's accessible table under st.dataframe), as column → text."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    await grid.wait_for(timeout=timeout_ms)
    await page.wait_for_timeout(500)
    return await grid.evaluate(
        "el => { const rows = [...el.querySelectorAll('table tr')];"
        " const cells = r => [...r.querySelectorAll('th,td')].map(c => c.innerText.trim());"
        " if (!rows.length) return [];"
        " const head = cells(rows[0]);"
        " return rows.slice(1).map(r => Object.fromEntries(cells(r).map((v, i) => [head[i] || i, v]))); }")


async def run_session(browser, url: str, session: Session, epochs, go: asyncio.Event, delay: float,
                      timeout_ms: int, keep: list) -> None:
    try:
        context, page = await open_train_page(browser, url, session, epochs, timeout_ms)
        keep.append(context)
        await go.wait()
        await asyncio.sleep(delay)
        await train_session(page, session, timeout_ms)
        session.stage = "finished"
        print(f"  session {session.index} finished in {session.finish_s:.1f} s", flush=True)
        session.history = await read_history(page, timeout_ms)
        session.stage = "history read"
    except Exception as problem:  # noqa: BLE001  one session's failure is reported, the others go on
        session.error = f"{type(problem).__name__}: {str(problem).splitlines()[0][:160]}"


async def run_class(url: str, sessions: list[Session], epochs, stagger: float, timeout_s: float):
    """Open every session on the Train page, then press Start in each `stagger` seconds apart."""
    from playwright.async_api import async_playwright

    timeout_ms = int(timeout_s * 1000)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=BROWSER["path"], headless=True, args=CHROMIUM_ARGS)
        go, contexts = asyncio.Event(), []
        tasks = [asyncio.create_task(run_session(browser, url, s, epochs, go, i * stagger, timeout_ms, contexts))
                 for i, s in enumerate(sessions)]
        ready_by = time.monotonic() + timeout_s
        while len(contexts) + sum(s.error is not None for s in sessions) < len(sessions) and time.monotonic() < ready_by:
            await asyncio.sleep(0.2)  # every page is open on Train before the first Start
        settled_s = await settle(min(ready_by, time.monotonic() + SETTLE_MAX_S))
        if len(sessions) > 1:
            print(f"  {len(sessions)} tabs open; the browsers settled {settled_s:.1f} s after the last one", flush=True)
        began, cpu_began = time.perf_counter(), class_cpu()
        go.set()
        await asyncio.wait(tasks, timeout=timeout_s)
        cpu_ended = class_cpu()  # before the contexts close: their renderers' CPU goes with them
        CLASS_CPU.update({name: cpu_ended[name] - cpu_began[name] for name in cpu_began},
                         wall=time.perf_counter() - began)
        for context in contexts:
            await context.close()
        await browser.close()
    return began


async def settle(deadline: float, quiet_cores: float = SETTLED_CORES) -> float:
    """Wait until the browsers use under `quiet_cores` over one second (or the deadline); seconds waited.

    A tab still loading when the Starts come is not a class: students open the page well before the teacher says
    Start. Without this wait the Starts overlapped the tabs' loading, when the browsers took 1.5-1.9 cores."""
    began = time.monotonic()
    while time.monotonic() < deadline:
        before = browser_cpu_s()
        await asyncio.sleep(1.0)
        if browser_cpu_s() - before < quiet_cores:
            break
    return time.monotonic() - began


async def first_view(url: str, timeout_s: float) -> float:
    """Seconds from navigation until the Data page's title is drawn (the server's first page view)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=BROWSER["path"], headless=True, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        began = time.perf_counter()
        await page.goto(url)
        await page.get_by_role("heading", name=DATA_TITLE, exact=True).wait_for(timeout=timeout_s * 1000)
        seconds = time.perf_counter() - began
        await browser.close()
    return seconds


# --- the report ---------------------------------------------------------------------------------------------

def best_accuracy(row: dict) -> str | None:
    value = next((v for k, v in row.items() if "정확도" in str(k)), None)
    return f"{float(value):.4f}" if value else None


def status_of(row: dict) -> str:
    return next((v for k, v in row.items() if "상태" in str(k)), "")


def check_history(session: Session) -> str | None:
    """None when the table holds exactly this session's runs: one finished (plus, for stop-running, the stopped one
    when it had finished an epoch: a run stopped inside its first epoch has no model and no row)."""
    done = [r for r in session.history if status_of(r) == "끝남"]
    stopped = [r for r in session.history if status_of(r) == "중지됨"]
    allowed = (0, 1) if session.role == "stop-running" else (0,)
    if len(done) != 1 or len(stopped) not in allowed or len(session.history) != 1 + len(stopped):
        return f"{len(session.history)} rows ({len(done)} finished, {len(stopped)} stopped)"
    return None


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_sessions(sessions: list[Session]) -> None:
    print(f"{'session':>7} {'role':>12} {'first pt s':>10} {'finish s':>9} {'sent/s':>7} {'best acc':>8} "
          f"{'stop s':>7}  history")
    for s in sessions:
        accuracy = best_accuracy(next((r for r in s.history if status_of(r) == "끝남"), {})) or "-"
        problem = (f"{s.error} (at: {s.stage})" if s.error else None) or check_history(s) or "own run only"
        print(f"{s.index:>7} {s.role:>12} {_fmt(s.first_point_s):>10} {_fmt(s.finish_s):>9} "
              f"{_fmt(s.rate, 0):>7} {accuracy:>8} {_fmt(s.stop_handled_s, 2):>7}  {problem}")


def _fmt(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def summarise(args, solo: Session, sessions: list[Session], began: float, monitor: Monitor, before: Memory) -> None:
    finished = [s for s in sessions if s.finished_at is not None]
    class_s = max(s.finished_at for s in finished) - began if finished else float("nan")
    limit_s = 1.5 * len(sessions) * solo.finish_s / args.workers
    p95 = percentile(monitor.latencies, 0.95)
    print_sessions(sessions)
    print(f"\nclass: {len(finished)}/{len(sessions)} finished in {class_s:.1f} s; target <= 1.5 x "
          f"({len(sessions)} x {solo.finish_s:.1f} s / {args.workers}) = {limit_s:.1f} s: {verdict(class_s <= limit_s)}")
    print(f"health: {len(monitor.latencies)} samples, p50 {percentile(monitor.latencies, 0.5):.3f} s, p95 {p95:.3f} s, "
          f"max {max(monitor.latencies, default=float('nan')):.3f} s, {monitor.failures} failed: {verdict(p95 < 1)}")
    slow = [f"{latency:.1f} s at +{at - began:.0f} s" for at, latency in zip(monitor.times, monitor.latencies) if latency > 1]
    if slow:
        print(f"  answers slower than 1 s (from the first Start): {', '.join(slow)}")
    rates = [s.rate for s in finished if s.role == "train" and s.rate]
    if rates and solo.rate and len(sessions) <= args.workers:
        worst = min(rates) / solo.rate
        print(f"speed: slowest session {min(rates):,.0f} sent/s = {worst:.2f} x solo {solo.rate:,.0f}: {verdict(worst >= 0.8)}")
    accuracies = {best_accuracy(r) for s in sessions for r in s.history if status_of(r) == "끝남"}
    solo_accuracy = best_accuracy(next((r for r in solo.history if status_of(r) == "끝남"), {}))
    print(f"seed: best val accuracy {sorted(accuracies)} in the class, {solo_accuracy} alone: "
          f"{verdict(accuracies == {solo_accuracy})}")
    isolated = all(s.error is None and check_history(s) is None for s in sessions)
    print(f"isolation: each session's history holds only its own runs: {verdict(isolated)}")
    for s in sessions:
        if s.stop_clicked_at is not None:
            print(f"  {s.role} clicked Stop at +{s.stop_clicked_at - began:.0f} s")
        if s.role == "stop-queued":
            print(f"stop (queued): page shows it gone in {s.stop_handled_s} s: {verdict((s.stop_handled_s or 99) <= 1)}")
        if s.role == "stop-running":
            batch_s = 64 / s.rate if s.rate else float("nan")
            print(f"stop (running): stopped line in {s.stop_handled_s} s (one batch ~{batch_s:.2f} s)")
    peak = monitor.peak
    wall = CLASS_CPU["wall"]
    shares = ", ".join(f"{name} {CLASS_CPU[name] / wall:.2f}"
                       for name in ("server", "workers", "browsers", "benchmark", "cluster"))
    print(f"CPU from the first Start to the last finish ({wall:.1f} s), in cores of {os.cpu_count()}: {shares}")
    if CLUSTER["head"] is not None:  # the trainings ran in the Ray head's worker processes, not in local ones
        ran_there = CLASS_CPU["cluster"] > 10 * CLASS_CPU["workers"]
        print(f"training ran in the cluster's workers ({CLASS_CPU['cluster']:.0f} CPU s there, "
              f"{CLASS_CPU['workers']:.0f} s in the server's own children): {verdict(ran_there)}")
    print(f"memory: before the class server {before.server_mb:.0f} MB ({before.server_anon_mb:.0f} MB heap; + fork "
          f"server/tracker {before.helpers_mb:.0f} MB); peak server {peak.server_mb:.0f} MB ({peak.server_anon_mb:.0f} MB heap), "
          f"{peak.workers} workers {peak.workers_mb:.0f} MB RSS "
          f"({peak.workers_pss_mb:.0f} MB PSS)")
    outside = set().union(solo.outside, *(s.outside for s in sessions))
    print(f"requests leaving the machine: {sorted(outside) or 'none'}")


def anonymous_by_mapping(pid: int) -> str:
    """The process's anonymous resident memory by kind of mapping (/proc/PID/smaps): where a heap that stays is."""
    kinds: dict[str, float] = {}
    kind = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and len(head) >= 5 and ":" in head[3]:  # a mapping's first line
            start, end = (int(x, 16) for x in head[0].split("-"))
            size_kb, name = (end - start) >> 10, " ".join(head[5:])
            kind = name if name.startswith("[") else "file" if name else (
                "8 MiB (thread stacks)" if size_kb == 8192 else "1 MiB (Python arenas)" if size_kb == 1024 else
                "< 1 MiB" if size_kb < 1024 else "1-8 MiB" if size_kb < 8192 else "> 8 MiB (malloc heaps, runs of arenas)")
        elif head[0] == "Anonymous:":
            kinds[kind] = kinds.get(kind, 0.0) + int(head[1]) / 1024
    return ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(kinds.items(), key=lambda kv: -kv[1]) if mb >= 1)


def after_close(server_pid: int, before: Memory, seconds: float) -> None:
    """Sample after every tab closed: workers still alive (jobs for closed sessions) and the server's RSS."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(30.0, max(0.0, deadline - time.monotonic())))
        now = memory(server_pid)
        print(f"  +{seconds - (deadline - time.monotonic()):5.0f} s: server {now.server_mb:.0f} MB "
              f"({now.server_anon_mb:.0f} MB heap), "
              f"{now.workers} workers running ({now.workers_mb:.0f} MB)", flush=True)
    ratio = now.server_mb / before.server_mb
    print(f"  server heap by mapping: {anonymous_by_mapping(server_pid)}")
    print(f"after close ({seconds:.0f} s): server {now.server_mb:.0f} MB = {ratio:.2f} x before the class "
          f"(heap {now.server_anon_mb:.0f} MB = {now.server_anon_mb / before.server_anon_mb:.2f} x); "
          f"{now.workers} workers running: {verdict(ratio <= 1.2 and now.workers == 0)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1))
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--epochs", type=int, default=None, help="default: the Train page's")
    parser.add_argument("--stagger", type=float, default=1.0, help="seconds between two Starts")
    parser.add_argument("--after-close", type=float, default=0, help="seconds to watch after every tab closed")
    parser.add_argument("--stop-test", choices=["auto", "on", "off"], default="auto",
                        help="auto: when sessions > workers (a job must be queued)")
    parser.add_argument("--timeout", type=float, default=1500, help="seconds any one phase may take")
    parser.add_argument("--ray", action="store_true",
                        help="start a local Ray head on 127.0.0.1 with --workers CPUs and run every job there")
    parser.add_argument("--browser-nice", type=int, default=0,
                        help="run the browsers at this niceness (0: as the server). In a classroom each student's "
                             "browser runs on the student's own machine; here they share the server's cores")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        parser.error(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    home = Path(tempfile.mkdtemp(prefix="attention-lab-bench-"))
    if args.browser_nice:
        wrapper = home / "chromium-niced"
        # Playwright starts the browser in a new session, and with autogroup scheduling (on in most kernels) a session is
        # its own scheduling group: a process's nice only ranks it within its group, so the group's nice is set too.
        wrapper.write_text(f'#!/bin/sh\necho {args.browser_nice} > /proc/self/autogroup 2>/dev/null\n'
                           f'exec nice -n {args.browser_nice} "{CHROMIUM}" "$@"\n')
        wrapper.chmod(0o755)
        BROWSER["path"] = str(wrapper)
    extra_env = {}
    if args.ray:
        sys.path.insert(0, str(ROOT))  # the head helper lives with the tests that start one
        from tests.jobs.ray_head import LOOPBACK_ENV, RayHead

        os.environ.update(LOOPBACK_ENV)
        CLUSTER["head"] = RayHead(num_cpus=args.workers)
        extra_env = {**LOOPBACK_ENV, "ATTENTION_LAB_RAY_ADDRESS": CLUSTER["head"].address}
        print(f"Ray head {CLUSTER['head'].address} ({args.workers} CPUs)", flush=True)
    server = start_server(port, args.workers, home, home / "server.log", extra_env)
    SERVER["pid"] = server.pid
    print(f"server {url} (pid {server.pid}), {args.workers} workers, browsers at nice {args.browser_nice}, home {home}, "
          f"load average {load_average()}",
          flush=True)
    try:
        wait_healthy(url, server)
        idle = memory(server.pid)
        view_s = asyncio.run(first_view(url, args.timeout))
        print(f"first page view after the start: {view_s:.2f} s: {verdict(view_s <= 3)}; idle server {idle.server_mb:.0f} MB",
              flush=True)
        asyncio.run(run_class(url, [Session(0)], 1, 0, args.timeout))  # warm: the fork server, plotly in the browser
        solo = Session(0)
        asyncio.run(run_class(url, [solo], args.epochs, 0, args.timeout))
        if solo.error or solo.finish_s is None:
            print(f"solo run failed: {solo.error}")
            return 1
        print(f"solo: first point {solo.first_point_s:.1f} s, finished {solo.finish_s:.1f} s, {solo.rate:,.0f} sent/s, "
              f"browser CPU {CLASS_CPU['browsers'] / CLASS_CPU['wall']:.2f} cores, load average {load_average()}",
              flush=True)
        reference = cli_rate(home)
        venv = "inside the repository" if (ROOT / ".venv").is_dir() else "outside the repository"
        print(f"app vs CLI (python -m core train, same defaults; virtualenv {venv}): {solo.rate:,.0f} vs "
              f"{_fmt(reference, 0)} sent/s = {_fmt(solo.rate / reference if reference else None, 2)} x: "
              f"{verdict(bool(reference) and solo.rate >= 0.9 * reference)}", flush=True)
        time.sleep(2)
        before = memory(server.pid)
        if args.after_close:
            print(f"  server heap by mapping before the class: {anonymous_by_mapping(server.pid)}", flush=True)
        sessions = [Session(i + 1) for i in range(args.sessions)]
        if args.stop_test == "on" or (args.stop_test == "auto" and args.sessions > args.workers):
            sessions[0].role = "stop-running"
            sessions[-1].role = "stop-queued"
        monitor = Monitor(url, server.pid, args.timeout + 60)
        monitor.start()
        began = asyncio.run(run_class(url, sessions, args.epochs, args.stagger, args.timeout))
        monitor.stop()
        print(f"\n{args.sessions} sessions, load average {load_average()} at the end")
        summarise(args, solo, sessions, began, monitor, before)
        if args.after_close:
            after_close(server.pid, before, args.after_close)
        return 0
    finally:
        stop_server(server)
        if CLUSTER["head"] is not None:
            CLUSTER["head"].stop()  # exactly the head's own processes, by pid
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
