"""The Train page's view of in-corpus pretraining: its own progress and curve first, then one line above the runs."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.i18n import STRINGS


def view(events: list) -> AppTest:
    def script(events):
        from core.jobs.queue import JobSnapshot
        from ui.training import render_training

        render_training(JobSnapshot("running", events))

    return AppTest.from_function(script, kwargs={"events": events}).run()


def step(kind: str, epoch: int, step: int, accuracy: float):
    from core.training.loop import TrainEvent

    return TrainEvent(kind, epoch, step, 20, 3.2, accuracy, sentences_per_s=100.0, elapsed_s=4.0)


def test_pretraining_has_its_own_progress_and_curve_then_a_line_above_the_runs():
    from core.classifier.pipeline import RunEvent
    from core.classifier.pretrain import PretrainEvent

    pretraining = [PretrainEvent(1, step("step", 1, 5, 0.21)), PretrainEvent(1, step("step", 1, 10, 0.24))]
    at = view(pretraining)
    assert not at.exception
    assert STRINGS["train.pretraining"][0] in at.get("progress")[0].proto.text
    assert at.get("plotly_chart"), "the pretraining curve"
    run = RunEvent(0, 1, "attention", 8, step("step", 1, 3, 0.5))
    at = view([*pretraining, PretrainEvent(1, step("end", 1, 20, 0.24)), run])
    line = STRINGS["train.pretrained"][0].format(epochs=1, acc="24.0%", time="0:04")
    assert line in [c.value for c in at.caption] and not at.exception


def test_a_skipped_pretraining_says_why_above_the_runs():
    from core.classifier.pipeline import RunEvent
    from core.classifier.pretrain import PretrainSkipped

    at = view([PretrainSkipped(411, 2000), RunEvent(0, 1, "attention", 5, step("step", 1, 3, 0.5))])
    line = STRINGS["train.pretrain_skipped"][0].format(dialogues="411", minimum="2,000")
    assert line in [c.value for c in at.caption] and not at.exception


def test_a_skipped_pretraining_is_said_before_the_first_run_reports():
    from core.classifier.pretrain import PretrainSkipped

    at = view([PretrainSkipped(411, 2000)])
    line = STRINGS["train.pretrain_skipped"][0].format(dialogues="411", minimum="2,000")
    assert line in [c.value for c in at.caption] and not at.exception
