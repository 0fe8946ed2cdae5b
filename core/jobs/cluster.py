"""Jobs as tasks on a Ray cluster: the runner used when ATTENTION_LAB_RAY_ADDRESS names one (docs/cluster.md).

Three parts, each in its own process:

- the web server keeps `RayRunner`: the Runner protocol for core/jobs/queue.py's JobQueue (which keeps the queue
  place and the wait estimate, as for the local runner). It never imports Ray.
- a bridge process (spawned by the runner) is the Ray driver: it submits each job as a Ray task, forwards its events
  and result to the web server over a pipe, and passes Stop on. Ray's driver terminates its process when the cluster's
  control service (GCS) has been gone for a minute; in a process of its own that ends the bridge, not the web
  server, whose jobs then fail with one line while the app goes on with its local pool.
- on the cluster, one small actor per server (the channel) holds each job's queued events and its stop flag, and a
  task per job runs the job function. A thread beside the function swaps its events for the stop flag with the
  channel every SYNC_S, so neither progress nor Stop costs the training loop a round trip.

Results (the trained models, metrics, curves) come back to the web server; a classifier training's runs are saved in
the workspace there (see `split`), so cluster nodes need no access to the server's disk. Events and results cross as
plain pickles made by our own code on the cluster's nodes, which are as trusted as the server.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing as mp
import os
import pickle
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.errors import AttentionLabError
from core.jobs.local import LocalRunner, bare_main
from core.jobs.queue import Finishing, Job, JobFunction

ADDRESS_ENV = "ATTENTION_LAB_RAY_ADDRESS"  # "auto", or host:port of the cluster's head (its GCS port, 6379 by default)
CPUS_ENV = "ATTENTION_LAB_RAY_CPUS"  # CPUs each job takes on the cluster (default 1)
TIMEOUT_ENV = "ATTENTION_LAB_RAY_TIMEOUT"  # seconds the start-up waits for the cluster (default 30)
SHIP_ENV = "ATTENTION_LAB_RAY_SHIP_CODE"  # "0": the nodes already have this project's `core` on their Python path

POLL_S = 0.1  # the bridge's cycle: commands from the server, finished tasks, events from the channel
SYNC_S = 0.1  # a task's cycle: its events to the channel, the stop flag back
CALL_TIMEOUT_S = 30.0  # a channel call that takes longer means the cluster is not answering
PING_S = 5.0  # an idle bridge checks the cluster this often
PICKLE = pickle.HIGHEST_PROTOCOL

_log = logging.getLogger(__name__)


class ClusterUnreachable(Exception):
    """The cluster could not be reached at start-up; the message is one line for the page."""


def unreachable_line(address: str) -> str:
    return f"The Ray cluster at {address} could not be reached; jobs run on this server."


def gone_line(address: str) -> str:
    return f"The Ray cluster at {address} went away; jobs run on this server now."


JOB_GONE = AttentionLabError("cluster_job_gone")  # the outcome of every job still out when the cluster goes


def cpus_per_job() -> float:
    value = os.environ.get(CPUS_ENV, "").strip()
    try:
        return float(value) if value and float(value) > 0 else 1.0
    except ValueError:
        return 1.0


def connect_timeout() -> float:
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        return float(value) if value and float(value) > 0 else 30.0
    except ValueError:
        return 30.0


def ship_code() -> bool:
    return os.environ.get(SHIP_ENV, "1").strip().lower() not in ("0", "false", "no")


# The web server's side --------------------------------------------------------------------------------------------

class RayStop:
    """A job's stop flag on the web server: set() also tells the cluster, so a running task sees it before its next
    batch. It wraps a multiprocessing Event so a job run by the local pool (after a fall-back) can take it too."""

    def __init__(self, event, runner: RayRunner):
        self.key = uuid.uuid4().hex  # the job's name on the cluster
        self._event = event
        self._runner = runner

    def set(self) -> None:
        self._event.set()
        self._runner._stop(self.key)

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def __reduce__(self):  # into a local worker process (fall-back): the plain Event
        return _same, (self._event,)


def _same(value):
    return value


class _Pending:
    def __init__(self, job: Job):
        self.job = job
        self.done = threading.Event()
        self.outcome: tuple[str, Any, str | AttentionLabError | None] = ("failed", None, JOB_GONE)


class RayRunner:
    """Runs each job as a task on the Ray cluster at `address` (see the module's docstring). Raises
    ClusterUnreachable when the cluster does not answer within `timeout_s`. When the cluster goes away later, the
    running jobs fail with one line, `notice` says so, `on_fallback` is called (configure() lowers the queue's
    workers to the local pool's), and from then on jobs run in the local pool."""

    def __init__(self, address: str, cpus: float | None = None, preload: Sequence[str] = (),
                 timeout_s: float | None = None, ship: bool | None = None):
        self.address = address
        self.cpus_per_job = cpus or cpus_per_job()
        self.local = LocalRunner(preload)  # the fall-back; its fork server starts only if it is used
        self.notice: str | None = None
        self.on_fallback: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._gone = False
        timeout_s = timeout_s or connect_timeout()
        if importlib.util.find_spec("ray") is None:
            _log.warning("Ray cluster %s: ray is not installed on this server (requirements.txt)", address)
            raise ClusterUnreachable(unreachable_line(address))
        _probe(address, timeout_s)
        code = [str(Path(__file__).resolve().parents[1])] if (ship_code() if ship is None else ship) else []
        context = mp.get_context("spawn")  # a fresh interpreter: no web server threads, no torch
        self._conn, child = context.Pipe()
        self._bridge = context.Process(target=_bridge_main, args=(child, address, self.cpus_per_job, code),
                                       name="attention-lab-ray", daemon=True)
        with bare_main():
            self._bridge.start()
        child.close()
        try:
            ready = self._conn.poll(timeout_s)
            message = self._conn.recv() if ready else ("unreachable", f"no answer within {timeout_s:g} s")
        except (EOFError, OSError):
            message = ("unreachable", f"the Ray driver process ended (exit code {self._bridge.exitcode})")
        if message[0] != "ready":
            self._end_bridge(grace_s=0)
            _log.warning("Ray cluster %s: %s", address, message[1])
            raise ClusterUnreachable(unreachable_line(address))
        info = message[1]
        self.cluster_cpus, self.cluster_gpus = info["cpus"], info["gpus"]
        if self.cpus_per_job > info["node_cpus"] > 0:  # a job no node can hold would wait for ever
            _log.warning("Ray: %s CPUs per job, but the largest node has %s; using that", self.cpus_per_job,
                         info["node_cpus"])
            self.cpus_per_job = info["node_cpus"]
            self._send(("cpus", self.cpus_per_job))
        self.workers = max(1, int(self.cluster_cpus // self.cpus_per_job))
        threading.Thread(target=self._read, name="attention-lab-ray-reader", daemon=True).start()

    @property
    def name(self) -> str:
        """Where new jobs run: "ray", or "local" once the cluster has gone away."""
        return "local" if self._gone else "ray"

    def new_stop(self) -> RayStop:
        return RayStop(self.local.new_stop(), self)

    def warm(self) -> None:
        if self._gone:
            self.local.warm()

    def run(self, job: Job) -> None:
        if self._gone:
            self.local.run(job)
            return
        remote, finish = split(job.function)
        try:
            payload = pickle.dumps(remote, protocol=PICKLE)
        except Exception as problem:  # e.g. a closure: a job function must be picklable
            job._end("failed", None, one_line(problem))
            return
        key = job.stop.key
        pending = _Pending(job)
        with self._lock:
            gone = self._gone
            if not gone:
                self._pending[key] = pending
        if gone:
            self.local.run(job)
            return
        self._send(("submit", key, payload, bool(job.gpu and self.cluster_gpus > 0)))
        if job.stop.is_set():
            self._send(("stop", key))
        job._begin()
        pending.done.wait()
        state, result, error = pending.outcome
        if state == "done":
            try:
                result = pickle.loads(result)
                if finish is not None:
                    result = finish(result)
            except AttentionLabError as problem:
                state, result, error = "failed", None, problem
            except Exception as problem:
                _log.exception("Ray job %s: its result could not be kept", job.name)
                state, result, error = "failed", None, one_line(problem)
        job._end(state, result, error)

    def close(self) -> None:
        """End the bridge (the cluster ends this server's tasks and channel with it); jobs then run locally."""
        self._lose(None)

    # --- internals

    def _stop(self, key: str) -> None:
        with self._lock:
            known = key in self._pending
        if known:
            self._send(("stop", key))

    def _send(self, message: tuple) -> None:
        try:
            with self._send_lock:
                self._conn.send(message)
        except (OSError, ValueError):  # the bridge has gone: the reader thread reports it
            self._lose(gone_line(self.address))

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                self._lose(gone_line(self.address))
                return
            if message[0] == "events":
                for key, payload in message[1]:
                    pending = self._pending.get(key)
                    if pending is not None:
                        try:
                            pending.job._add_event(pickle.loads(payload))
                        except Exception:  # noqa: BLE001  one unreadable event is not the job's end
                            _log.exception("Ray job: an event could not be read")
            elif message[0] == "end":
                _, key, state, result, error = message
                with self._lock:
                    pending = self._pending.pop(key, None)
                if pending is not None:
                    pending.outcome = (state, result, error)
                    pending.done.set()
            elif message[0] == "gone":
                _log.warning("Ray cluster %s: %s", self.address, message[1])
                self._lose(gone_line(self.address))
                return

    def _lose(self, notice: str | None) -> None:
        """The cluster (or the bridge) has gone: fail the jobs on it with one line and fall back to the local pool."""
        with self._lock:
            if self._gone:
                return
            self._gone = True
            pending, self._pending = list(self._pending.values()), {}
        if notice is not None:
            self.notice = notice
            _log.warning(notice)
        for item in pending:
            item.done.set()  # its outcome is already JOB_GONE
        if self.on_fallback is not None:
            self.on_fallback()
        threading.Thread(target=self._end_bridge, name="attention-lab-ray-close", daemon=True).start()

    def _end_bridge(self, grace_s: float = 5.0) -> None:
        try:
            with self._send_lock:
                self._conn.send(("close",))
        except (OSError, ValueError):
            pass
        self._bridge.join(grace_s)
        if self._bridge.is_alive():
            self._bridge.kill()
            self._bridge.join(5)
        self._conn.close()


def _probe(address: str, timeout_s: float) -> None:
    """Fail at once when host:port refuses connections (Ray's own connect would retry for minutes)."""
    target = address.split("://", 1)[-1]
    if address == "auto" or ":" not in target:
        return
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=min(timeout_s, 5.0)):
            pass
    except (OSError, ValueError) as problem:
        _log.warning("Ray cluster %s: %s", address, problem)
        raise ClusterUnreachable(unreachable_line(address)) from None


def split(function: JobFunction) -> tuple[JobFunction, Callable[[Any], Any] | None]:
    """(what runs on the cluster, what runs on the web server with its result): a Finishing job's two parts (its
    `finish` needs the server's disk), or the whole job on the cluster."""
    if isinstance(function, Finishing):
        return function.compute, function.finish
    return function, None


def one_line(problem: BaseException) -> str:
    text = str(problem).strip().splitlines()
    line = f"{type(problem).__name__}: {text[0]}" if text else type(problem).__name__
    return line if len(line) <= 300 else line[:297] + "..."


# The bridge: the Ray driver, in a process of its own -----------------------------------------------------------------

def _bridge_main(conn, address: str, cpus: float, code: list[str]) -> None:
    try:
        import ray

        # A job without a GPU of its own must not see the node's GPUs (device "auto" would pick one): Ray 2.60 leaves
        # CUDA_VISIBLE_DEVICES alone for num_gpus=0 unless told otherwise.
        runtime_env: dict[str, Any] = {"env_vars": {"RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO": "1"}}
        if code:  # this project's `core`, zipped and unpacked on each node (once per content)
            runtime_env.update(py_modules=code, excludes=["__pycache__", "*.pyc"])
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False,
                 namespace="attention-lab", logging_level=logging.WARNING, runtime_env=runtime_env)
        # The channel lives on this (the web server's) node: a worker node that goes away takes only its own jobs.
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = NodeAffinitySchedulingStrategy(node_id=ray.get_runtime_context().get_node_id(), soft=False)
        channel = ray.remote(_Channel).options(num_cpus=0, max_restarts=0, scheduling_strategy=here).remote()
        ray.get(channel.ping.remote(), timeout=CALL_TIMEOUT_S)  # the cluster can start our code
        resources = ray.cluster_resources()
        node_cpus = max((n.get("Resources", {}).get("CPU", 0.0) for n in ray.nodes() if n.get("Alive")), default=0.0)
        info = {"cpus": resources.get("CPU", 0.0), "gpus": resources.get("GPU", 0.0), "node_cpus": node_cpus}
    except BaseException as problem:  # noqa: BLE001  one line for the server's log
        _send_quietly(conn, ("unreachable", one_line(problem)))
        os._exit(0)
    conn.send(("ready", info))
    try:
        _bridge_loop(conn, ray, channel, cpus)
    except (EOFError, OSError):  # the web server has gone
        pass
    except BaseException as problem:  # noqa: BLE001  the cluster (or its channel) has gone
        _send_quietly(conn, ("gone", _explain(problem)))
    os._exit(0)  # ray.shutdown() can wait a minute for a cluster that has gone


def _bridge_loop(conn, ray, channel, cpus: float) -> None:
    # A task whose worker died is a failed job, never a re-run. A GPU job's worker exits after it (as Ray does for a
    # function declared with GPUs), so its CUDA context never lingers into a CPU job or holds the GPU's memory.
    cpu_task = ray.remote(max_retries=0)(_task)
    gpu_task = ray.remote(max_retries=0, num_gpus=1, max_calls=1)(_task_on_gpu)
    active: dict[Any, str] = {}  # ObjectRef → job key
    last_call = time.monotonic()
    while True:
        if conn.poll(POLL_S):
            while conn.poll(0):
                message = conn.recv()
                if message[0] == "close":
                    return
                if message[0] == "cpus":
                    cpus = message[1]
                elif message[0] == "stop":
                    channel.stop.remote(message[1])
                elif message[0] == "submit":
                    _, key, payload, gpu = message
                    try:
                        task = gpu_task if gpu else cpu_task
                        ref = task.options(num_cpus=cpus).remote(payload, key, channel)
                    except Exception as problem:  # noqa: BLE001
                        conn.send(("end", key, "failed", None, _explain(problem)))
                        continue
                    active[ref] = key
        if active:
            ready, _ = ray.wait(list(active), num_returns=len(active), timeout=0)
            events = ray.get(channel.take.remote(), timeout=CALL_TIMEOUT_S)  # after `ready`: their events are all in
            last_call = time.monotonic()
            if events:
                conn.send(("events", [(key, payload) for key, batch in events.items() for payload in batch]))
            for ref in ready:
                key = active.pop(ref)
                conn.send(("end", key, *_outcome(ray, ref)))
                channel.forget.remote(key)
        elif time.monotonic() - last_call > PING_S:
            ray.get(channel.ping.remote(), timeout=CALL_TIMEOUT_S)
            last_call = time.monotonic()


def _outcome(ray, ref) -> tuple[str, Any, str | AttentionLabError | None]:
    try:
        kind, payload = ray.get(ref, timeout=CALL_TIMEOUT_S)
    except Exception as problem:  # noqa: BLE001
        return "failed", None, _explain(problem)
    return ("done", payload, None) if kind == "result" else ("failed", None, payload)


# What Ray raised → the page's line (core/errors.py), first match first: a job's own error comes back inside a
# RayTaskError and is handled after these.
RAY_PROBLEMS = (("OutOfMemoryError", AttentionLabError("cluster_oom")),
                ("NodeDiedError", AttentionLabError("cluster_node_died")),
                ("WorkerCrashedError", AttentionLabError("cluster_worker_crashed")),
                ("RuntimeEnvSetupError", AttentionLabError("cluster_environment")),
                ("TaskCancelledError", AttentionLabError("cluster_cancelled")),
                ("TaskUnschedulableError", AttentionLabError("cluster_unschedulable")),
                ("RayActorError", AttentionLabError("cluster_channel_lost")),
                ("GetTimeoutError", AttentionLabError("cluster_timeout")))


def _explain(problem: BaseException) -> str | AttentionLabError:
    """One line for the page from what Ray raised (a job's own AttentionLabError as it is)."""
    import ray.exceptions as rx

    for name, line in RAY_PROBLEMS:
        if isinstance(problem, getattr(rx, name)):
            return line
    if isinstance(problem, rx.RayTaskError) and getattr(problem, "cause", None) is not None:
        cause = problem.cause
        return cause if isinstance(cause, AttentionLabError) else one_line(cause)
    return one_line(problem)


def _send_quietly(conn, message: tuple) -> None:
    try:
        conn.send(message)
    except (OSError, ValueError):
        pass


# On the cluster ---------------------------------------------------------------------------------------------------

class _Channel:
    """The server's actor on the cluster: each job's events until the bridge takes them, and its stop flag."""

    def __init__(self):
        self._events: dict[str, list[bytes]] = {}
        self._stopped: set[str] = set()

    def exchange(self, key: str, batch: list[bytes]) -> bool:
        if batch:
            self._events.setdefault(key, []).extend(batch)
        return key in self._stopped

    def take(self) -> dict[str, list[bytes]]:
        events, self._events = self._events, {}
        return events

    def stop(self, key: str) -> None:
        self._stopped.add(key)

    def forget(self, key: str) -> None:
        self._stopped.discard(key)
        self._events.pop(key, None)

    def ping(self) -> bool:
        return True


class _TaskStop:
    """The stop flag a job function gets on the cluster: set by the link's thread when the channel says so."""

    def __init__(self):
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


class _Link:
    """A task's line to the channel: events are pickled into a buffer; every SYNC_S a thread hands the buffer to the
    channel and gets the stop flag back. `close` sends what is left and waits for it, so a task's events are all in
    the channel before its result is."""

    def __init__(self, channel, key: str):
        self.stop = _TaskStop()
        self._channel, self._key = channel, key
        self._buffer: list[bytes] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="attention-lab-link", daemon=True)
        self._thread.start()

    def send(self, event: Any) -> None:
        payload = pickle.dumps(event, protocol=PICKLE)
        with self._lock:
            self._buffer.append(payload)

    def close(self) -> None:
        self._closing.set()
        self._thread.join()
        try:
            self._exchange()
        except Exception:  # noqa: BLE001  the result still goes back through Ray
            traceback.print_exc()

    def _exchange(self) -> None:
        import ray

        with self._lock:
            batch, self._buffer = self._buffer, []
        if ray.get(self._channel.exchange.remote(self._key, batch), timeout=CALL_TIMEOUT_S):
            self.stop.set()

    def _loop(self) -> None:
        while not self._closing.wait(SYNC_S):
            try:
                self._exchange()
            except Exception:  # noqa: BLE001  the job goes on (those events are lost; Stop comes at the next try)
                traceback.print_exc()


def _task(payload: bytes, key: str, channel) -> tuple[str, Any]:
    """A job on the cluster: ("result", pickled result) or ("failed", the AttentionLabError or one line), as a local
    worker sends them."""
    link = _Link(channel, key)
    try:
        function = pickle.loads(payload)
        outcome = ("result", pickle.dumps(function(link.send, link.stop), protocol=PICKLE))
    except AttentionLabError as problem:
        outcome = ("failed", problem)
    except BaseException as problem:  # one line for the user; the trace goes to the node's worker log
        traceback.print_exc()
        outcome = ("failed", one_line(problem))
    link.close()
    return outcome


def _task_on_gpu(payload: bytes, key: str, channel) -> tuple[str, Any]:
    return _task(payload, key, channel)
