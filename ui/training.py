"""Live view of a background job, plus the classifier's training job (one pooling or a pooling sweep).

The job thread never calls Streamlit: a fragment polls `job.snapshot()` every few seconds, draws it, and hands a
finished job to `on_finish` once. `live_job` is generic, so the seq2seq page can reuse it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import plotly.graph_objects as go
import sklearn.model_selection  # noqa: F401  imported at app start, so the first Start doesn't wait for it
import streamlit as st

from core import plots
from core.classifier.pipeline import BaselineEvent, RunEvent, train_runs
from core.classifier.pretrain import PretrainEvent, PretrainSkipped
from core.classifier.runs import KeptRuns, keeping_job
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import Dataset
from core.corpus.tokenizer import Tokenizer
from core.jobs import JobSnapshot
from core.training.loop import TrainEvent, overfitting, perplexity
from ui import state
from ui.errors import guarded
from ui.i18n import error_text, plain, t
from ui.widgets import duration, progress_line, queue_wait

# Seconds between two polls of a running job, and of a queued one: each poll reruns the fragment in the browser,
# and a class of tabs polling fast starves the training workers on a small server. A click on Stop reruns the
# fragment at once, whatever the interval. Measurements: docs/classroom.md.
RUNNING_POLL_S = 2.0
QUEUED_POLL_S = 5.0
# While a job runs, the chart shows new points at most this often (the progress line follows every poll): a changed
# plotly figure is a new element that the browser rebuilds from scratch, the largest part of a polling tab's cost.
CHART_REFRESH_S = 4.0
STOP_WAIT_S = 3.0  # after Stop, the fragment waits this long at most for a running job to end (it ends within a batch)
JOB_KEY = "job"  # the session's one job slot, shared by every page that trains
JOB_NAME = "classifier"


def collect_finished(job_key: str, on_finish: Callable[[JobSnapshot], None], name: str | None = None) -> bool:
    """Hand a finished job (called `name`, if given) to `on_finish` exactly once; True when it did now."""
    job = st.session_state.get(job_key)
    if job is None or job.running or (name and job.name != name):
        return False
    if st.session_state.get(f"{job_key}_collected") is job:
        return False
    st.session_state[f"{job_key}_collected"] = job
    on_finish(job.snapshot())
    return True


def live_job(job_key: str, render: Callable[[JobSnapshot], None], on_finish: Callable[[JobSnapshot], None],
             name: str | None = None) -> None:
    """Draw the job in `job_key`: poll every RUNNING_POLL_S while it runs (QUEUED_POLL_S while it waits for a
    worker), rerun the app once when it ends.

    With `name`, a job of another kind sharing the slot is only mentioned, not drawn.
    """
    job = st.session_state.get(job_key)
    if job is None:
        return
    if name and job.name != name:
        if job.running:
            st.info(t("other_job", name=job.name))
        return

    waiting = job.waiting
    interval = (QUEUED_POLL_S if waiting else RUNNING_POLL_S) if job.running else None

    @st.fragment(run_every=interval)
    @guarded  # a fragment's own reruns don't pass through app.py's error boundary
    def poll() -> None:
        current = st.session_state.get(job_key)
        # Stop first, above the progress line and the chart so it stays in view; handled before the snapshot, so the
        # stopped or cancelled job says so in this same fragment run, without a slower whole-app rerun.
        if current.running and st.button(t("stop"), key=f"{job_key}_stop", icon=":material/stop_circle:"):
            current.request_stop()
            if not current.join(STOP_WAIT_S):
                st.toast(t("stopping"))
        snapshot = current.snapshot()
        if waiting and snapshot.state == "running":  # the interval is set by a whole-app run: switch to the faster one
            st.rerun(scope="app")
        if snapshot.state == "queued":
            st.info(t("queue.position", ahead=snapshot.queue_position) + queue_wait(snapshot.wait_s),
                    icon=":material/hourglass_top:")
        elif snapshot.state == "stopped" and current.started_at is None:  # Stop pressed while it waited in the queue
            st.info(t("queue.cancelled"), icon=":material/cancel:")
        else:
            render(snapshot)
        if snapshot.state not in ("queued", "running") and collect_finished(job_key, on_finish, name):
            st.rerun(scope="app")

    poll()


def render_share(snapshot: JobSnapshot, label: Callable[[float], str]) -> None:
    """A job whose events are the share done (0..1): a progress bar while it runs, one line if it failed."""
    if snapshot.state == "failed":
        st.error(plain(error_text(snapshot.error)) if snapshot.error else t("failed"))
    elif snapshot.state == "running":
        done = float(snapshot.events[-1]) if snapshot.events else 0.0
        st.progress(done, text=label(done))


# The classifier's job ---------------------------------------------------------------------------------

def weights_kept(metrics: dict, epochs_run: int) -> str:
    """Which weights a run kept: the mean of its last epochs, or one epoch ("" before any epoch finished)."""
    averaged = int(metrics.get("averaged_epochs") or 0)
    if averaged > 1:
        return t("train.kept_mean", first=epochs_run - averaged + 1, last=epochs_run)
    best = metrics.get("best_epoch")
    return t("train.kept_best", epoch=best) if best else ""


def start_training(dataset: Dataset, model_config: ModelConfig, train_config: TrainConfig, poolings: list[str],
                   tokenizer: Tokenizer | None, tokenizer_config: TokenizerConfig) -> None:
    """Start one background job running the pipeline's runs and keeping them (numbered, saved in the workspace
    even if the tab closes, the active one chosen); raises TrainingBusyError if one is running."""
    train = partial(train_runs, dataset, model_config, train_config, poolings, tokenizer, tokenizer_config)  # picklable
    job = keeping_job(train, state.next_run_number(), state.workspace())
    gpu = train_config.device != "cpu"  # 'auto' takes a GPU where the cluster has one
    state.set_job(state.start_job(job, JOB_NAME, gpu=gpu))


def render_progress(state_name: str, events: list[TrainEvent], n_epochs: int, prefix: str, *, overall: float | None = None,
                    eta_s: float | None = None, elapsed_s: float | None = None, second: str = "accuracy",
                    key: str = "live_curves", reference: float | None = None) -> None:
    """A progress line (running, or labelled finished / stopped / failed), then the run's live curves.

    Shared by every page that trains: the classifier passes its sweep's totals, the reply page its run's."""
    shown = [e for e in events if e.kind != "end"]  # 'end' carries no throughput
    if not shown:
        if state_name == "running":  # empty axes now: the browser loads plotly while the first steps run
            st.progress(0.0, text=t("preparing"))
            st.plotly_chart(_curves([], [], 1.0, None, second, reference), key=key)
        return
    last = shown[-1]
    overall = last.progress if overall is None else overall
    prefix += " · " + t("epoch_of", epoch=last.epoch, epochs=n_epochs)
    if state_name == "running":
        st.progress(overall, text=progress_line(overall, last.eta_s if eta_s is None else eta_s, last.sentences_per_s, prefix))
    else:
        st.progress(1.0 if state_name == "done" else overall,
                    text=t(f"{state_name}_line", prefix=prefix, rate=f"{last.sentences_per_s:,.0f}",
                           time=duration(last.elapsed_s if elapsed_s is None else elapsed_s)))
    st.plotly_chart(_live_figure(key, shown, last.total_steps / max(n_epochs, 1), n_epochs, second, reference,
                                 running=state_name == "running"), key=key)


class _Drawn(NamedTuple):
    layout: tuple
    points: tuple  # (events shown, id of the last)
    at: float  # time.monotonic() when drawn
    figure: go.Figure


def _live_figure(key: str, shown: list[TrainEvent], steps_per_epoch: float, n_epochs: int, second: str,
                 reference: float | None, running: bool):
    """The live curves, built once per layout; later polls only replace the points of its four traces.

    Building a figure (subplots, template, validation) is the costliest part of a poll on a busy server; replacing
    the points is cheap. While the job runs, an unchanged figure is sent back until `redraw_due`: it costs the
    browser nothing."""
    cache = st.session_state.setdefault("_figure_cache", {})
    layout, points = (steps_per_epoch, n_epochs, second, reference, t("loss")), (len(shown), id(shown[-1]))
    drawn, now = cache.get(key), time.monotonic()
    if drawn is not None and drawn.layout == layout and not redraw_due(drawn.points, drawn.at, points, running, now):
        return drawn.figure
    steps = [e.row() for e in shown if e.kind == "step"]
    epochs = [e.row() for e in shown if e.kind == "epoch"]
    if drawn is None or drawn.layout != layout:
        figure = _curves(steps, epochs, steps_per_epoch, n_epochs, second, reference)
    else:
        figure = _replace_points(drawn.figure, steps, epochs, steps_per_epoch, second)
    cache[key] = _Drawn(layout, points, now, figure)
    return figure


def redraw_due(drawn_points: tuple, drawn_at: float, points: tuple, running: bool, now: float) -> bool:
    """Whether the live chart should show new points now: at once when it had none or the job has ended, else
    every CHART_REFRESH_S. A changed chart is a new element for Streamlit: the browser rebuilds it.

    Polls come every RUNNING_POLL_S give or take some milliseconds: half a poll of slack makes the chart follow
    every second poll, never the third."""
    if points == drawn_points:
        return False
    return not running or not drawn_points[0] or now - drawn_at >= CHART_REFRESH_S - RUNNING_POLL_S / 2


def _replace_points(figure, steps: list[dict], epochs: list[dict], steps_per_epoch: float, second: str):
    """New points in the traces plots.training_curves made: per panel a training trace, then a validation one."""
    step_x = [row["step"] / max(steps_per_epoch, 1e-9) for row in steps]
    epoch_x = [row["epoch"] for row in epochs]
    keys = [("train_loss", "val_loss", float),
            ("train_loss", "val_loss", perplexity) if second == "perplexity" else ("train_acc", "val_acc", float)]
    with figure.batch_update():
        for panel, (train_key, val_key, transform) in enumerate(keys):
            figure.data[2 * panel].update(x=step_x, y=[transform(row[train_key]) for row in steps])
            figure.data[2 * panel + 1].update(x=epoch_x, y=[transform(row[val_key]) for row in epochs])
    return figure


def render_training(snapshot: JobSnapshot) -> None:
    """The classifier's sweep: the current run's progress and curves, with the sweep's overall share and ETA."""
    if snapshot.state == "failed":
        st.error(plain(error_text(snapshot.error)) if snapshot.error else t("failed"))
    baseline = next((e for e in snapshot.events if isinstance(e, BaselineEvent)), None)
    reference = baseline.accuracy if baseline else None
    events = [e for e in snapshot.events if isinstance(e, RunEvent)]
    pretraining = [e for e in snapshot.events if isinstance(e, PretrainEvent)]
    skipped = next((e for e in snapshot.events if isinstance(e, PretrainSkipped)), None)
    if skipped is not None:  # sent before any run: said from the start, not only once the first run reports
        st.caption(t("train.pretrain_skipped", dialogues=f"{skipped.dialogues:,}", minimum=f"{skipped.minimum:,}"))
    if not events:
        if pretraining:  # the encoder learns the file's language first: its own curve (next-piece loss, accuracy)
            render_progress(snapshot.state, [e.event for e in pretraining], pretraining[-1].epochs,
                            t("train.pretraining"), key="pretrain_curves")
        else:
            render_progress(snapshot.state, [], 1, "", reference=reference)
        if snapshot.state == "stopped":
            stopped_warning([])
        return
    reports = [e.event for e in pretraining if e.event.kind != "end"]
    if reports:  # pretraining holds out nothing: its accuracy is the training pieces' (running)
        st.caption(t("train.pretrained", epochs=reports[-1].epoch, acc=f"{reports[-1].train_acc:.1%}",
                     time=duration(reports[-1].elapsed_s)))
    last = events[-1]
    current = [e.event for e in events if e.index == last.index]
    step_event = next(e for e in reversed(current) if e.kind != "end")
    prefix = t("run_of", index=last.index + 1, count=last.count, pooling=t(f"pooling.{last.pooling}"))
    render_progress(snapshot.state, current, last.epochs, prefix, overall=(last.index + step_event.progress) / last.count,
                    eta_s=_sweep_eta(last, step_event), elapsed_s=sum(_last_elapsed(events).values()),
                    reference=reference)
    if overfitting([e for e in current if e.kind == "epoch"]):
        st.warning(t("overfitting"), icon=":material/trending_up:")
    if snapshot.state == "stopped":
        stopped_warning([e.event for e in events])


def history_chart(history: dict, key: str, second: str = "accuracy") -> None:
    """A finished training's curves from the history its model keeps (a reply model brought back from the
    workspace); its epoch rows give the steps per epoch."""
    epochs, steps = history.get("epochs", []), history.get("steps", [])
    if epochs:
        per_epoch = epochs[-1]["step"] / max(epochs[-1]["epoch"], 1)
        st.plotly_chart(_curves(steps, epochs, per_epoch, len(epochs), second), key=key)


def stopped_warning(events: list[TrainEvent]) -> None:
    """Say what a stopped training kept: the best finished epoch, or nothing when none had finished."""
    st.warning(t("stopped_note" if any(e.kind == "epoch" for e in events) else "stopped_empty"))


def finish_training(snapshot: JobSnapshot) -> None:
    """The job's kept runs join the history; the one it chose becomes the active model."""
    if isinstance(snapshot.result, KeptRuns):  # None: failed, or stopped before anything was trained
        state.adopt(snapshot.result)


def _curves(steps: list[dict], epochs: list[dict], steps_per_epoch: float, n_epochs: int | None,
            second: str = "accuracy", reference: float | None = None):
    titles = (t("loss"), t("accuracy") if second == "accuracy" else t("reply.perplexity"))
    return plots.training_curves(steps, epochs, steps_per_epoch, titles=titles, names=(t("train_curve"), t("val_curve")),
                                 x_title=t("epoch"), n_epochs=n_epochs, second=second, reference=reference,
                                 reference_name=t("baseline"))


def _last_elapsed(events: list[RunEvent]) -> dict[int, float]:
    """Training seconds of each run of a sweep (each run's clock starts at zero)."""
    return {e.index: e.event.elapsed_s for e in events}


def _sweep_eta(last: RunEvent, event: TrainEvent) -> float:
    """ETA of the whole sweep: the current run's ETA plus the later runs at the current run's pace."""
    if event.progress <= 0:
        return math.inf
    per_run = event.elapsed_s / event.progress
    return event.eta_s + per_run * (last.count - last.index - 1)
