"""The class board: publish, list as text, clear only with the admin password (compared in constant time)."""

from __future__ import annotations

import hmac

import pytest

from core.errors import AttentionLabError
from core.storage import board
from core.storage.share import decode
from core.storage.store import Store
from core.storage.workspace import Run, create_workspace


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "home")


def a_run(accuracy: float, stopped: bool = False, baseline: bool = True) -> Run:
    metrics = {"val_accuracy": accuracy, "val_macro_f1": accuracy - 0.1}
    if baseline:
        metrics["baseline_accuracy"] = 0.7
    settings = {"model": {"emb_dim": 64, "hidden_dim": 32, "num_layers": 1, "dropout": 0.3},
                "train": {"lr": 1e-3, "batch_size": 32, "epochs": 5, "patience": 0, "seed": 7, "val_share": 0.2,
                          "schedule": "cosine"}, "data": {"task": "binary"}}
    return Run(1, "mean", settings, [{"epoch": 1}], [], 3.0, metrics, stopped, 12.5)


def test_published_runs_come_back_best_first_without_any_workspace_key(store):
    workspace = create_workspace(store)
    board.publish(a_run(0.8), "민지", "sample_corpus.xlsx", 3469, store)
    board.publish(a_run(0.9, baseline=False), "<b>Jun</b>\u202e\n", "내 파일.csv", 100, store)
    rows = board.entries(store)
    assert [r.nickname for r in rows] == ["<b>Jun</b>", "민지"]  # kept as text: control characters dropped, no HTML made
    first = rows[0]
    assert (first.task, first.corpus_name, first.corpus_rows, first.training_s) == ("binary", "내 파일.csv", 100, 12.5)
    assert first.baseline_accuracy is None and rows[1].baseline_accuracy == 0.7
    with store.connect() as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(board)")]
    assert "workspace" not in columns and workspace.token not in repr(rows)


def test_try_these_settings_decodes_to_the_runs_settings(store):
    board.publish(a_run(0.8), "a", "c", 1, store)
    settings, notes = decode(board.entries(store)[0].settings, {"pooling": "attention", "emb": 128, "lr": 3e-3})
    assert notes == []
    assert (settings["pooling"], settings["emb"], settings["hidden"], settings["lr"], settings["schedule"]) == (
        "mean", 64, 32, 1e-3, "cosine")


def test_stopped_runs_and_empty_nicknames_are_refused(store):
    with pytest.raises(AttentionLabError, match="stopped"):
        board.publish(a_run(0.8, stopped=True), "a", "c", 1, store)
    with pytest.raises(AttentionLabError, match="nickname"):
        board.publish(a_run(0.8), " \n\t", "c", 1, store)
    assert board.entries(store) == []


def test_clearing_needs_the_right_password(store, monkeypatch):
    board.publish(a_run(0.8), "a", "c", 1, store)
    monkeypatch.delenv(board.PASSWORD_ENV, raising=False)
    assert not board.clearing_enabled() and not board.clear("", store) and not board.clear("anything", store)
    monkeypatch.setenv(board.PASSWORD_ENV, "선생님-secret")
    assert board.clearing_enabled()
    assert not board.clear("wrong", store) and not board.clear("선생님-secre", store) and len(board.entries(store)) == 1
    assert board.clear("선생님-secret", store) and board.entries(store) == []


def test_the_password_is_compared_with_compare_digest(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(board.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    monkeypatch.setenv(board.PASSWORD_ENV, "pw")
    assert board.check_password("pw") and not board.check_password("px")
    assert len(calls) == 2
