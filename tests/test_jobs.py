"""Background jobs: events polled while the thread runs, done/stopped/failed states, one job at a time."""

import threading

import pytest

from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.errors import AttentionLabError, TrainingBusyError
from core.jobs import start_job
from core.pipeline import train_classifier


def test_background_job_reports_and_refuses_a_second_start(tiny_dataset):
    def work(callback, stop):
        return train_classifier(tiny_dataset, ModelConfig(emb_dim=16, hidden_dim=16, attention_dim=8, fc_dim=16, dropout=0.0),
                                TrainConfig(epochs=200, batch_size=16, report_every=1, seed=3),
                                tokenizer_config=TokenizerConfig(vocab_size=150), callback=callback, stop=stop)

    job = start_job(None, work)
    with pytest.raises(TrainingBusyError):
        start_job(job, work)
    job.request_stop()
    job.join(timeout=60)
    snapshot = job.snapshot()
    assert snapshot.state == "stopped" and snapshot.result.fit.stopped


def test_events_are_visible_while_running_and_the_result_when_done():
    release = threading.Event()

    def work(callback, stop):
        callback("first")
        release.wait(10)
        callback("second")
        return 42

    job = start_job(None, work)
    while not job.snapshot().events:
        release.wait(0.01)
    running = job.snapshot()
    assert running.state == "running" and running.events == ["first"] and running.result is None
    running.events.append("not the job's")  # a snapshot is a copy
    release.set()
    job.join(10)
    done = job.snapshot()
    assert done.state == "done" and done.events == ["first", "second"] and done.result == 42
    assert start_job(job, lambda callback, stop: None).snapshot() is not None  # a finished job is no obstacle


@pytest.mark.parametrize("problem, message", [(AttentionLabError("The corpus has no labels."), "The corpus has no labels."),
                                              (ValueError("bad shape"), "ValueError: bad shape")])
def test_a_failure_becomes_one_line(problem, message):
    def work(callback, stop):
        raise problem

    job = start_job(None, work)
    job.join(10)
    snapshot = job.snapshot()
    assert snapshot.state == "failed" and snapshot.error == message and snapshot.result is None
