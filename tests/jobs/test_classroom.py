"""The teacher's view of the class: each queued or running job with its owner, its epoch of n, its share done and its
best validation accuracy so far, read from the queue and the job's own events (an in-thread runner: no processes)."""

from __future__ import annotations

import math
import threading

from core.classifier.curve import CurveEvent
from core.classifier.pipeline import BaselineEvent, RunEvent
from core.jobs.classroom import LABEL_CHARS, Progress, class_snapshot, owner_label, read_progress
from core.jobs.queue import Job, JobQueue, Owner
from core.training.loop import TrainEvent
from tests.jobs.test_jobs import wait_until


def step(epoch: int, step_no: int, total: int = 100, epochs: int = 5) -> TrainEvent:
    return TrainEvent("step", epoch, step_no, total, 1.0, 0.5, epochs=epochs)


def epoch_end(epoch: int, val_acc: float, total: int = 100, epochs: int = 5) -> TrainEvent:
    return TrainEvent("epoch", epoch, epoch * total // epochs, total, 0.9, 0.6, 0.8, val_acc, epochs=epochs)


class HeldRunner:
    """Runs each job in a thread: it begins, sends the events it is given, and ends when released."""

    def __init__(self):
        self.events: dict[str, list] = {}
        self.release: dict[str, threading.Event] = {}

    def new_stop(self):
        return threading.Event()

    def run(self, job: Job) -> None:
        job._begin()
        for event in self.events.get(job.name, []):
            job._add_event(event)
        self.release.setdefault(job.name, threading.Event()).wait(30)
        job._end("done", None, None)


def noop(callback, stop):
    return None


def test_a_sweep_reads_as_its_current_epoch_its_share_of_all_runs_and_the_best_accuracy_so_far():
    events = [BaselineEvent(0.7, 0.6),  # the baseline tells nothing of progress
              RunEvent(0, 2, "attention", 5, step(1, 10)), RunEvent(0, 2, "attention", 5, epoch_end(1, 0.81)),
              RunEvent(0, 2, "attention", 5, epoch_end(2, 0.86)),
              RunEvent(0, 2, "attention", 5, TrainEvent("end", 2, 100, 100, 0.0, 0.0, epochs=5)),
              RunEvent(1, 2, "mean", 5, epoch_end(1, 0.84)), RunEvent(1, 2, "mean", 5, step(2, 30))]
    progress = read_progress(events)
    assert (progress.epoch, progress.epochs, progress.best_val_acc) == (2, 5, 0.86)  # the best over both runs
    assert math.isclose(progress.share, (1 + 0.3) / 2)


def test_shares_reports_without_epochs_and_wrapped_runs_all_read():
    assert read_progress([]) == Progress()
    assert read_progress([0.25, 0.5]) == Progress(share=0.5)  # a tokenizer, an evaluation: the share done
    assert read_progress(["started"]) == Progress()  # an event that says nothing
    no_validation = read_progress([TrainEvent("epoch", 1, 10, 40, 1.0, 0.5, math.nan, math.nan, epochs=4)])
    assert (no_validation.epoch, no_validation.epochs, no_validation.best_val_acc) == (1, 4, None)
    # a learning curve's point wraps a training event; the run's epochs come from a wrapper when the event lacks them
    curve = read_progress([CurveEvent(2, 4, 0.5, 300, RunEvent(0, 1, "attention", 8, TrainEvent("step", 3, 5, 10,
                                                                                                   1.0, 0.5)))])
    assert (curve.epoch, curve.epochs) == (3, 8) and math.isclose(curve.share, (2 + 0.5) / 4)


def test_the_snapshot_lists_running_then_queued_jobs_with_their_owners_and_drops_ended_ones():
    runner = HeldRunner()
    runner.events["classifier"] = [RunEvent(0, 1, "attention", 5, step(1, 10)), RunEvent(0, 1, "attention", 5,
                                                                                         epoch_end(1, 0.9))]
    queue = JobQueue(1, runner)
    first = queue.submit(noop, "classifier", owner=Owner("a1b2c3", "민지"))
    wait_until(lambda: first.snapshot().state == "running" and len(first.snapshot().events) == 2)
    second = queue.submit(noop, "seq2seq", owner=Owner("d4e5f6"))
    third = queue.submit(noop, "tokenizer")
    snapshot = class_snapshot(queue)
    assert (snapshot.running, snapshot.queued) == (1, 2)
    assert [(j.name, j.state, j.ahead) for j in snapshot.jobs] == [
        ("classifier", "running", 0), ("seq2seq", "queued", 0), ("tokenizer", "queued", 1)]
    running = snapshot.jobs[0]
    assert running.owner == Owner("a1b2c3", "민지") and running.elapsed_s >= 0
    assert (running.progress.epoch, running.progress.epochs, running.progress.best_val_acc) == (1, 5, 0.9)
    assert snapshot.jobs[1].owner.nickname == "" and snapshot.jobs[2].owner is None
    assert snapshot.jobs[1].elapsed_s is None and snapshot.jobs[1].progress == Progress()

    runner.release.setdefault("classifier", threading.Event()).set()
    first.join(10)
    wait_until(lambda: second.snapshot().state == "running")
    after = class_snapshot(queue)
    assert [(j.name, j.state) for j in after.jobs] == [("seq2seq", "running"), ("tokenizer", "queued")]
    third.request_stop()  # a cancelled job leaves the view at once
    assert [j.name for j in class_snapshot(queue).jobs] == ["seq2seq"]
    runner.release.setdefault("seq2seq", threading.Event()).set()
    second.join(10)
    assert class_snapshot(queue).jobs == [] and (class_snapshot(queue).running, class_snapshot(queue).queued) == (0, 0)


def test_an_owner_label_is_short_stable_and_hides_its_secret():
    token = "x" * 32
    label = owner_label(token)
    assert len(label) == LABEL_CHARS and label == owner_label(token) and label != owner_label("y" * 32)
    assert label not in token
