"""A real Ray head on loopback only, started by a test session or the load benchmark and stopped by process id.

`ray stop` would stop every Ray process of the user (other checkouts' included), so the head runs in a session of its
own (`start_new_session`) and `stop()` kills exactly the processes of that session and their descendants.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Without this Ray turns 127.0.0.1 into the machine's outside address and listens on every interface; with it
# the GCS, the raylet, the agents and the workers listen on 127.0.0.1 only. The test process sets it too, for the
# Ray driver the runner spawns (it must see itself on the same node address).
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, session id) of a live process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[3])


def _processes_of(root: int) -> set[int]:
    """`root`'s session (it leads one) and every descendant of `root`, should one have left the session."""
    table = {int(d): _stat(int(d)) for d in os.listdir("/proc") if d.isdigit()}
    table = {pid: info for pid, info in table.items() if info is not None}
    found = {pid for pid, (_, sid) in table.items() if sid == root}
    grew = True
    while grew:
        more = {pid for pid, (ppid, _) in table.items() if ppid in found} - found
        found |= more
        grew = bool(more)
    return {pid for pid in found if pid in table}


class RayHead:
    """`ray start --head --block` on 127.0.0.1 with its own temp dir; `stop()` kills what it started, by pid."""

    def __init__(self, num_cpus: int = 2, num_gpus: int = 0):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # A short private dir: Ray's unix socket paths live under it and must stay under 108 bytes.
        self.temp_dir = tempfile.mkdtemp(prefix="alray")
        ray = str(Path(sys.executable).with_name("ray"))
        command = [ray, "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port", str(self.port),
                   "--num-cpus", str(num_cpus), "--num-gpus", str(num_gpus), "--include-dashboard=false",
                   "--dashboard-host", "127.0.0.1", "--disable-usage-stats", "--temp-dir", self.temp_dir]
        self.log = Path(self.temp_dir) / "head.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, env={**os.environ, **LOOPBACK_ENV})
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Ray runtime started" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.log.read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"the Ray head did not start:\n{output}")
            time.sleep(0.2)

    def pids(self) -> set[int]:
        """The live (not zombie) processes of the head's session, and their descendants."""
        return {pid for pid in _processes_of(self.process.pid) if _alive(pid)}

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):  # looked up again each round: only ours, only live ones
            pids = self.pids()
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + (2.0 if sig == signal.SIGTERM else 5.0)
            while time.monotonic() < deadline and self.pids():
                self.process.poll()  # reaps `ray start` (our child) once it has ended
                time.sleep(0.1)
            if not self.pids():
                break
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; its parent (or init) reaps it
