"""Background jobs in worker processes: events while running, done/stopped/failed, a fair queue, one job a session."""

import functools
import os
import signal
import time
from pathlib import Path

import pytest

from core.classifier.pipeline import train_classifier
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.errors import AttentionLabError, CorpusError, TrainingBusyError
from core.jobs import start_job
from core.jobs.local import LocalRunner
from core.jobs.queue import JobQueue

SMALL = ModelConfig(emb_dim=16, hidden_dim=16, attention_dim=8, fc_dim=16, dropout=0.0)


# Job functions run in another process, so they live at module level (picklable), never as closures.

def train_tiny(callback, stop, dataset, epochs=200, seed=3):
    return train_classifier(dataset, SMALL, TrainConfig(epochs=epochs, batch_size=16, report_every=1, seed=seed),
                            tokenizer_config=TokenizerConfig(vocab_size=150), callback=callback, stop=stop)


def until_file(callback, stop, path: str):
    callback("first")
    deadline = time.time() + 20
    while not Path(path).exists() and time.time() < deadline:
        time.sleep(0.02)
    callback("second")
    return 42


def wait_for_stop(callback, stop, seconds=60):
    callback("started")
    stop.wait(seconds)
    return "stopped"


def fail_with(callback, stop, problem):
    raise problem


def die(callback, stop):
    os.kill(os.getpid(), signal.SIGKILL)


def wait_until(condition, seconds=30):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


def test_background_job_reports_and_refuses_a_second_start(tiny_dataset):
    work = functools.partial(train_tiny, dataset=tiny_dataset)
    job = start_job(None, work)
    with pytest.raises(TrainingBusyError):
        start_job(job, work)
    wait_until(lambda: any(getattr(e, "kind", "") == "epoch" for e in job.snapshot().events), 60)
    job.request_stop()
    assert job.join(timeout=60)
    snapshot = job.snapshot()
    assert snapshot.state == "stopped" and snapshot.result.fit.stopped and snapshot.result.fit.epochs


def test_events_are_visible_while_running_and_the_result_when_done(tmp_path):
    release = tmp_path / "release"
    job = start_job(None, functools.partial(until_file, path=str(release)))
    wait_until(lambda: job.snapshot().events)
    running = job.snapshot()
    assert running.state == "running" and running.events == ["first"] and running.result is None
    running.events.append("not the job's")  # a snapshot is a copy
    release.touch()
    assert job.join(30)
    done = job.snapshot()
    assert done.state == "done" and done.events == ["first", "second"] and done.result == 42
    assert start_job(job, functools.partial(fail_with, problem=ValueError("x"))).join(30)  # a finished job is no obstacle


@pytest.mark.parametrize("problem, message", [
    (CorpusError("no_usable_rows", name="c.xlsx"), "c.xlsx: no usable rows (every row lacks text or a label)."),
    (ValueError("bad shape"), "ValueError: bad shape")])
def test_a_failure_becomes_one_line(problem, message):
    """A user's error comes back as itself (code and values: the page shows it in its language), a bug as a line."""
    job = start_job(None, functools.partial(fail_with, problem=problem))
    assert job.join(30)
    snapshot = job.snapshot()
    assert snapshot.state == "failed" and str(snapshot.error) == message and snapshot.result is None
    if isinstance(problem, AttentionLabError):
        assert type(snapshot.error) is CorpusError and snapshot.error.values == {"name": "c.xlsx"}


def test_a_killed_worker_fails_its_job_and_the_pool_goes_on():
    pool = JobQueue(1, LocalRunner())
    dead = pool.submit(die)
    after = pool.submit(functools.partial(wait_for_stop, seconds=0))
    assert dead.join(30) and after.join(30)
    assert dead.snapshot().state == "failed" and "ended unexpectedly" in dead.snapshot().error
    assert after.snapshot().state == "done" and after.snapshot().result == "stopped"


def test_queue_is_first_in_first_out_and_stop_cancels_a_queued_job_at_once():
    pool = JobQueue(1, LocalRunner())
    first = pool.submit(wait_for_stop)
    assert not first.waiting  # a free worker takes it at once, even while it is still marked queued
    second, third = pool.submit(wait_for_stop), pool.submit(wait_for_stop)
    wait_until(lambda: first.snapshot().events == ["started"])
    assert (second.snapshot().state, second.snapshot().queue_position) == ("queued", 0)
    assert (third.snapshot().state, third.snapshot().queue_position) == ("queued", 1)
    assert second.waiting and third.waiting and not first.waiting  # behind the busy worker: the page polls slowly
    started = time.perf_counter()
    second.request_stop()
    assert second.join(1) and time.perf_counter() - started < 1.0  # never ran
    assert second.snapshot().state == "stopped" and second.snapshot().events == []
    assert third.snapshot().queue_position == 0
    first.request_stop()
    wait_until(lambda: third.snapshot().state == "running")
    third.request_stop()
    assert first.join(30) and third.join(30)
    assert first.snapshot().state == third.snapshot().state == "stopped"


def test_the_same_seed_gives_the_same_metrics_alone_or_side_by_side(tiny_dataset):
    work = functools.partial(train_tiny, dataset=tiny_dataset, epochs=3)
    alone = start_job(None, work)
    assert alone.join(120)
    pool = JobQueue(2, LocalRunner())
    together = [pool.submit(work), pool.submit(work)]
    assert all(job.join(120) for job in together)
    expected = alone.snapshot().result.classifier.metrics
    assert all(job.snapshot().result.classifier.metrics == expected for job in together)


def test_a_worker_never_reruns_the_web_servers_page_script(tmp_path, monkeypatch):
    """Streamlit makes the page being run `__main__`; a worker process must not import (and so run) it."""
    import sys
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    job = JobQueue(1, LocalRunner()).submit(functools.partial(wait_for_stop, seconds=0))
    assert job.join(60) and job.snapshot().state == "done"
    assert not marker.exists()


def torch_threads(callback, stop):
    import torch

    return torch.get_num_threads()


def test_a_job_computes_on_one_torch_thread():
    job = start_job(None, torch_threads, name="threads")
    job.join(60)
    assert job.snapshot().state == "done" and job.snapshot().result == 1  # one job per core: no contention
