"""The Ray runner against a real Ray head on 127.0.0.1 (tests/jobs/conftest.py): events while running, Stop queued and
running, a killed worker, an unreachable or vanished cluster, two sessions side by side, and a real training whose
result comes back to the server. Deselect with `-m "not ray"`."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import time
from pathlib import Path

import pytest

from core import jobs
from core.classifier.pipeline import train_runs
from core.classifier.runs import KeptRuns, keeping_job
from core.config import TokenizerConfig, TrainConfig
from core.errors import AttentionLabError
from core.jobs.local import LocalRunner
from core.jobs.queue import JobQueue
from tests.jobs.test_jobs import SMALL, die, fail_with, train_tiny, until_file, wait_for_stop, wait_until

pytestmark = pytest.mark.ray
ROOT = Path(__file__).resolve().parents[2]


# Job functions run on the cluster, so they live at module level (importable there), never as closures.

def steps(callback, stop, n=1200, step_s=0.05):
    """A job of short steps: the number of steps done when Stop arrived."""
    for i in range(n):
        if stop.is_set():
            return i
        callback(i)
        time.sleep(step_s)
    return n


def where(callback, stop, folder: str, together: int = 2):
    """Where the job ran; it waits (up to 30 s) until `together` jobs have started, to show they ran side by side."""
    import ray

    context = ray.get_runtime_context()
    here = {"pid": os.getpid(), "task": context.get_task_id(), "node": context.get_node_id()}
    callback(dict(here))
    Path(folder, str(os.getpid())).touch()
    deadline = time.time() + 30
    while len(os.listdir(folder)) < together and time.time() < deadline:
        time.sleep(0.05)
    here["together"] = len(os.listdir(folder))
    return here


def accelerators(callback, stop):
    """The GPUs Ray gave this job, and what CUDA (torch) would see."""
    import ray

    gpus = ray.get_runtime_context().get_accelerator_ids().get("GPU", [])
    return gpus, os.environ.get("CUDA_VISIBLE_DEVICES"), os.getpid()


@contextlib.contextmanager
def in_root():
    """Ray puts its driver's working directory on its workers' path: from the repository's root, the job functions
    of these tests (tests.jobs...) are found there, wherever pytest was started."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        yield


@pytest.fixture(scope="module")
def cluster(ray_head):
    """This process's job queue, configured by `jobs.configure` with ATTENTION_LAB_RAY_ADDRESS at the test head."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(jobs.RAY_ADDRESS_ENV, ray_head.address)
        patch.delenv(jobs.WORKERS_ENV, raising=False)
        patch.setattr(jobs, "_QUEUE", None)
        patch.setattr(jobs, "_NOTICE", None)
        with in_root():
            queue = jobs.configure()
        try:
            yield queue
        finally:
            queue.runner.close()


def test_configure_connects_and_sizes_the_queue_from_the_cluster(cluster):
    assert jobs.executor() is cluster and jobs.runner_name() == "ray" == cluster.runner.name
    assert cluster.workers == 2 and jobs.notice() is None  # the head's 2 CPUs, 1 per job


def test_a_gpu_job_asks_the_cluster_for_a_gpu_and_other_jobs_see_none(cluster):
    gpu, cpu = jobs.start_job(None, accelerators, gpu=True), jobs.start_job(None, accelerators)
    assert gpu.join(30) and cpu.join(30)
    assert gpu.snapshot().result[:2] == (["0"], "0")  # the test head's one (declared) GPU
    assert cpu.snapshot().result[:2] == ([], "")  # num_gpus=0: torch finds no GPU, so device "auto" trains on the CPU
    wait_until(lambda: not Path(f"/proc/{gpu.snapshot().result[2]}").exists(), 30)  # a GPU job's worker exits after it


def test_events_stream_while_running_and_the_result_comes_back(cluster, tmp_path):
    release = tmp_path / "release"
    job = jobs.start_job(None, functools.partial(until_file, path=str(release)))
    wait_until(lambda: job.snapshot().events, 30)
    running = job.snapshot()
    assert running.state == "running" and running.events == ["first"] and running.result is None
    release.touch()
    assert job.join(30)
    done = job.snapshot()
    assert done.state == "done" and done.events == ["first", "second"] and done.result == 42


@pytest.mark.parametrize("problem, message", [
    (AttentionLabError("nothing_to_explain"), "There are no sentences to explain."),
    (ValueError("bad shape"), "ValueError: bad shape")])
def test_a_failure_on_the_cluster_is_one_line(cluster, problem, message):
    job = jobs.start_job(None, functools.partial(fail_with, problem=problem))
    assert job.join(30)
    assert (job.snapshot().state, str(job.snapshot().error)) == ("failed", message)
    assert getattr(job.snapshot().error, "code", None) == getattr(problem, "code", None)  # the error itself came back


def test_two_sessions_run_side_by_side_in_ray_workers(cluster, tmp_path):
    work = functools.partial(where, folder=str(tmp_path))
    first = jobs.start_job(None, work)  # one session's first job
    earlier = jobs.start_job(None, functools.partial(wait_for_stop, seconds=0))
    assert earlier.join(30)
    second = jobs.start_job(earlier, work)  # another session, whose earlier job has finished
    assert first.join(60) and second.join(60)
    results = [first.snapshot(), second.snapshot()]
    assert [r.state for r in results] == ["done", "done"]
    pids = {r.result["pid"] for r in results}
    assert len(pids) == 2 and os.getpid() not in pids  # two Ray worker processes, not this one
    assert all(r.result["task"] and r.result["node"] and r.result["together"] == 2 for r in results)
    assert [r.events for r in results] == [[{k: r.result[k] for k in ("pid", "task", "node")}] for r in results]


def test_stop_cancels_a_queued_job_at_once_and_ends_running_ones(cluster):
    running = [jobs.executor().submit(wait_for_stop) for _ in range(cluster.workers)]
    queued = jobs.executor().submit(wait_for_stop)
    wait_until(lambda: all(job.snapshot().events == ["started"] for job in running), 30)
    assert queued.waiting and queued.snapshot().queue_position == 0
    started = time.perf_counter()
    queued.request_stop()
    assert queued.join(1) and time.perf_counter() - started < 1.0
    assert queued.snapshot().state == "stopped" and queued.snapshot().events == [] and queued.started_at is None
    started = time.perf_counter()
    for job in running:
        job.request_stop()
    assert all(job.join(10) for job in running) and time.perf_counter() - started < 3.0
    assert all(job.snapshot().state == "stopped" and job.snapshot().result == "stopped" for job in running)


def test_stop_ends_a_running_job_before_its_next_step(cluster):
    job = jobs.start_job(None, steps)
    wait_until(lambda: len(job.snapshot().events) >= 3, 30)
    seen = len(job.snapshot().events)
    started = time.perf_counter()
    job.request_stop()
    assert job.join(10)
    took = time.perf_counter() - started
    done = job.snapshot()
    assert done.state == "stopped" and took < 3.0  # about 0.5 s on the busy 2-core machine
    # Every step before Stop arrived was reported and none after; Stop takes a few 50 ms steps to arrive.
    assert done.events == list(range(done.result)) and seen <= done.result <= seen + 20


def test_a_killed_worker_fails_its_job_with_one_line_and_the_next_job_runs(cluster):
    dead = jobs.start_job(None, die)
    assert dead.join(60)
    after = jobs.start_job(dead, functools.partial(wait_for_stop, seconds=0))
    assert after.join(60)
    assert dead.snapshot().state == "failed" and "ended unexpectedly" in str(dead.snapshot().error)
    assert "\n" not in str(dead.snapshot().error)
    assert after.snapshot().state == "done" and after.snapshot().result == "stopped"


def test_a_tiny_classifier_trained_on_the_cluster_predicts_as_one_trained_here(cluster, tiny_dataset):
    work = functools.partial(train_tiny, dataset=tiny_dataset, epochs=2, seed=5)
    remote = jobs.start_job(None, work)
    here = JobQueue(1, LocalRunner()).submit(work)
    assert remote.join(180) and here.join(180)
    assert remote.snapshot().state == here.snapshot().state == "done"
    assert [e.kind for e in remote.snapshot().events] == [e.kind for e in here.snapshot().events]
    trained, expected = remote.snapshot().result.classifier, here.snapshot().result.classifier
    texts = tiny_dataset.texts[:40] + ["오늘 회사에서 친구가 그래서 너무 화가 나", "정말 기뻐"]
    assert [p.label for p in trained.predict(texts)] == [p.label for p in expected.predict(texts)]
    assert trained.metrics.keys() == expected.metrics.keys()
    assert trained.metrics["val_accuracy"] == pytest.approx(expected.metrics["val_accuracy"], abs=0.05)


def test_a_training_kept_by_the_server_is_saved_in_its_workspace(cluster, tiny_dataset, tmp_path):
    from core.jobs.cluster import split
    from core.storage.store import Store
    from core.storage.workspace import create_workspace, open_workspace

    workspace = create_workspace(Store(tmp_path / "home"))
    train = functools.partial(train_runs, tiny_dataset, SMALL, TrainConfig(epochs=1, batch_size=16), ["attention"],
                              None, TokenizerConfig(vocab_size=150))
    job_function = keeping_job(train, 1, workspace)
    remote, finish = split(job_function)
    assert finish is not None and remote.args == (train,)  # the workspace never goes to the cluster
    job = jobs.start_job(None, job_function)
    assert job.join(180)
    kept = job.snapshot().result
    assert job.snapshot().state == "done" and isinstance(kept, KeptRuns) and kept.saved and kept.active == 1
    assert [run.number for run in open_workspace(workspace.token, workspace.store).runs()] == [1]


def test_an_unreachable_address_falls_back_to_the_local_pool_at_once(ray_loopback, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv(jobs.RAY_ADDRESS_ENV, address)
    monkeypatch.setattr(jobs, "_QUEUE", None)
    monkeypatch.setattr(jobs, "_NOTICE", None)
    started = time.perf_counter()
    queue = jobs.configure()
    assert time.perf_counter() - started < 5.0
    assert jobs.runner_name() == "local" and isinstance(queue.runner, LocalRunner)
    assert jobs.notice() == f"The Ray cluster at {address} could not be reached; jobs run on this server."
    job = jobs.start_job(None, functools.partial(wait_for_stop, seconds=0))
    assert job.join(60) and job.snapshot().result == "stopped"


def test_an_address_that_is_not_a_ray_cluster_falls_back_within_the_timeout(ray_loopback, monkeypatch):
    from core.jobs.cluster import ClusterUnreachable, RayRunner

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        started = time.perf_counter()
        with pytest.raises(ClusterUnreachable, match="could not be reached"):
            RayRunner(address, timeout_s=4)
        assert time.perf_counter() - started < 10.0


def test_a_cluster_that_goes_away_fails_the_running_job_with_one_line_and_jobs_run_here(ray_loopback):
    from core.jobs.cluster import JOB_GONE, RayRunner, gone_line
    from tests.jobs.ray_head import RayHead

    head = RayHead(num_cpus=1)
    try:
        with in_root():
            runner = RayRunner(head.address, timeout_s=60)
        queue = JobQueue(runner.workers, runner)
        runner.on_fallback = lambda: setattr(queue, "workers", 1)
        job = queue.submit(wait_for_stop)
        wait_until(lambda: job.snapshot().events == ["started"], 60)
    finally:
        head.stop()
    assert job.join(60)
    failed = job.snapshot()
    assert failed.state == "failed" and str(failed.error) in (str(JOB_GONE), "The cluster node running this job went away.")
    wait_until(lambda: runner.name == "local", 90)
    assert runner.notice == gone_line(head.address) and queue.workers == 1
    after = queue.submit(functools.partial(wait_for_stop, seconds=0))
    assert after.join(60) and after.snapshot().state == "done"
