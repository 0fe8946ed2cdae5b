"""The Train page's "how much data does it need?" section: the learning curve as a job, its progress, its chart.

The curve trains the model once per share of the training dialogues (core/classifier/curve.py) in a worker
process, like a training; this module only starts it, shows its progress and draws what comes back.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from core import plots
from core.classifier.curve import FRACTIONS, CurveEvent, CurveResult, learning_curve
from core.corpus.data import Dataset
from core.errors import TrainingBusyError
from core.jobs import JobSnapshot
from ui import settings, state
from ui.i18n import error_text, plain, t
from ui.training import live_job

JOB_NAME = "curve"


def section(dataset: Dataset) -> None:
    """The expander: what the curve is, its button, the running job, and the last result."""
    with st.expander(t("curve.title"), icon=":material/show_chart:"):
        st.caption(t("curve.intro"))
        st.button(t("curve.start"), icon=":material/show_chart:", on_click=start, args=(dataset,))
        live_job(state.curve_job.key, render_progress, finish, JOB_NAME)
        result = state.curve_result.get()
        if result is not None:
            show_result(result)


def start(dataset: Dataset) -> None:
    """Button callback: the curve with the Train page's settings; FRACTIONS is passed so the runner's
    (callback, stop) land on the right parameters."""
    curve = partial(learning_curve, dataset, settings.model_config(), settings.train_config(),
                    settings.tokenizer_config(), FRACTIONS)  # picklable: it runs in a worker process
    try:
        state.curve_job.set(state.start_job(curve, JOB_NAME))
    except TrainingBusyError:
        state.train_busy.set(True)


def render_progress(snapshot: JobSnapshot) -> None:
    """Which share is training and how far the whole curve is; a finished curve is drawn by show_result."""
    if snapshot.state == "failed":
        st.error(plain(error_text(snapshot.error)) if snapshot.error else t("failed"))
    events = [e for e in snapshot.events if isinstance(e, CurveEvent)]
    if snapshot.state != "running":
        return
    if not events:
        st.progress(0.0, text=t("preparing"))
        return
    last = events[-1]
    overall = (last.index + last.event.progress) / last.count
    st.progress(min(overall, 1.0), text=t("curve.progress", index=last.index + 1, count=last.count,
                                          percent=f"{last.fraction:.0%}", rows=f"{last.train_rows:,}"))


def finish(snapshot: JobSnapshot) -> None:
    if isinstance(snapshot.result, CurveResult):  # None: failed, or stopped before it began
        state.curve_result.set(snapshot.result)


def show_result(result: CurveResult) -> None:
    points = result.points
    if points:
        figure = plots.learning_curve([p.train_rows for p in points], [p.model_accuracy for p in points],
                                      [p.baseline_accuracy for p in points], names=(t("curve.model"), t("curve.baseline")),
                                      x_title=t("curve.x"), y_title=t("curve.y"))
        st.plotly_chart(figure, key="curve_chart")
        reading = result.reading()
        st.info(t(f"curve.{reading.key}", **reading.values), icon=":material/insights:")
        st.caption(t("curve.val_rows", rows=f"{len(result.val_index):,}"))
    if result.stopped:
        st.warning(t("curve.stopped"))
