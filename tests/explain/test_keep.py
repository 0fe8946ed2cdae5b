"""A model-level explanation kept in the workspace under the explained model's name, back after a restart."""

from __future__ import annotations

import math
import threading

from core.explain.summary import KeptSummary, ModelSummary, keeping_summary_job, stored_summary
from core.storage.store import Store
from core.storage.workspace import create_workspace, open_workspace


def test_the_job_keeps_the_summary_for_its_model_only(tmp_path, trained_classifier):
    dataset, outcome = trained_classifier
    store = Store(tmp_path / "home")
    workspace = create_workspace(store)
    labels = [dataset.label_names[y] for y in dataset.labels]
    job = keeping_summary_job([("#1 attention", outcome.classifier)], dataset.texts, labels, 12, workspace, "#1 attention")
    kept = job(lambda share: None, threading.Event())
    assert isinstance(kept, KeptSummary) and kept.save_error is None

    later = open_workspace(workspace.token, store)  # a refresh or a restarted server
    back = stored_summary(later, "#1 attention")
    assert [name for name, _ in back] == ["#1 attention"]
    assert back[0][1].to_json() == kept.summaries[0][1].to_json() and back[0][1].n == 12
    assert stored_summary(later, "#2 attention") is None  # another model: no summary

    later.set_active_bundle(b"zip", "#1 attention")  # an upload of that name is another model: its summary goes
    assert stored_summary(later, "#1 attention") is None


def test_a_stopped_summary_keeps_nothing(tmp_path, trained_classifier):
    dataset, outcome = trained_classifier
    workspace = create_workspace(Store(tmp_path / "home"))
    stop = threading.Event()
    stop.set()
    job = keeping_summary_job([("m", outcome.classifier)], dataset.texts, None, 12, workspace, "m")
    assert job(lambda share: None, stop) is None and stored_summary(workspace, "m") is None


def test_missing_numbers_come_back_as_nan_and_no_labels_as_none():
    summary = ModelSummary(5, "attention", {"grad_x_input": math.nan}, {"attention": 0.2}, {"attention": 0.1},
                           math.nan, 0.0, None, None, 1.5)
    back = ModelSummary.from_json(summary.to_json())
    assert math.isnan(back.mean_tau["grad_x_input"]) and math.isnan(back.permutation_median_delta)
    assert back.accuracy is None and back.comprehensiveness == {"attention": 0.2} and back.n == 5
