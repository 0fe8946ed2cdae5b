"""The class board: publish, list as text, clear only with the admin password (compared in constant time); the
throttles that keep one user from filling it or guessing the password (issue 23), on a fake clock."""

from __future__ import annotations

import hmac
import math

import pytest

from core.errors import AttentionLabError
from core.storage import board
from core.storage.share import decode
from core.storage.store import Store
from core.storage.workspace import Run, create_workspace, key_hash

T0 = 1_700_000_000.0  # a fixed wall-clock time for the board's pace checks


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


def publish(run: Run, nickname: str = "a", store: Store | None = None, publisher: str = "p", now: float = T0,
            corpus: str = "c"):
    return board.publish(run, nickname, corpus, 1, store, publisher=publisher, now=now)


def test_published_runs_come_back_best_first_without_any_workspace_key(store):
    workspace = create_workspace(store)
    publisher = board.publisher_of(workspace.token)
    board.publish(a_run(0.8), "민지", "sample_corpus.xlsx", 3469, store, publisher=publisher, now=T0)
    board.publish(a_run(0.9, baseline=False), "<b>Jun</b>\u202e\n", "내 파일.csv", 100, store, publisher=publisher,
                  now=T0 + board.PUBLISH_COOLDOWN_S)
    rows = board.entries(store)
    assert [r.nickname for r in rows] == ["<b>Jun</b>", "민지"]  # kept as text: control characters dropped, no HTML made
    first = rows[0]
    assert (first.task, first.corpus_name, first.corpus_rows, first.training_s) == ("binary", "내 파일.csv", 100, 12.5)
    assert first.baseline_accuracy is None and rows[1].baseline_accuracy == 0.7
    with store.connect() as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(board)")]
    assert "workspace" not in columns and workspace.token not in repr(rows)
    with store.connect() as db:
        publishers = {p for (p,) in db.execute("SELECT publisher FROM board")}
    assert publishers == {publisher} and publisher != key_hash(workspace.token), "no link to the workspace's row"


def test_try_these_settings_decodes_to_the_runs_settings(store):
    publish(a_run(0.8), store=store)
    settings, notes = decode(board.entries(store)[0].settings, {"pooling": "attention", "emb": 128, "lr": 3e-3})
    assert notes == []
    assert (settings["pooling"], settings["emb"], settings["hidden"], settings["lr"], settings["schedule"]) == (
        "mean", 64, 32, 1e-3, "cosine")


def test_stopped_runs_and_empty_or_long_nicknames_are_refused_with_their_reason(store):
    with pytest.raises(AttentionLabError, match="stopped") as stopped:
        publish(a_run(0.8, stopped=True), store=store)
    with pytest.raises(AttentionLabError, match="nickname") as empty:
        publish(a_run(0.8), " \n\t", store)
    with pytest.raises(board.BoardRefusal, match="too long .31 characters.; use at most 30") as long:
        publish(a_run(0.8), "가" * 31, store)
    assert [stopped.value.code, empty.value.code, long.value.code] == ["board_stopped", "board_nickname",
                                                                       "board_nickname_long"]
    assert long.value.values == {"length": 31, "limit": board.MAX_NICKNAME}
    assert board.entries(store) == []
    publish(a_run(0.8), "가" * 30, store)
    assert board.entries(store)[0].nickname == "가" * 30


def test_clearing_needs_the_right_password(store, monkeypatch):
    publish(a_run(0.8), store=store)
    clock = FakeClock()
    gate = board.PasswordGate(clock)
    monkeypatch.delenv(board.PASSWORD_ENV, raising=False)
    assert not board.clearing_enabled()
    assert not board.clear("", store, gate=gate) and not board.clear("anything", store, gate=gate)
    assert gate.wait_s("") == 0, "with no password set, nothing counts as a failure"
    monkeypatch.setenv(board.PASSWORD_ENV, "선생님-secret")
    assert board.clearing_enabled()
    assert not board.clear("wrong", store, gate=gate)
    clock.now += 1
    assert not board.clear("선생님-secre", store, gate=gate) and len(board.entries(store)) == 1
    clock.now += 2
    assert board.clear("선생님-secret", store, gate=gate) and board.entries(store) == []


def test_the_password_is_compared_with_compare_digest(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(board.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    monkeypatch.setenv(board.PASSWORD_ENV, "pw")
    assert board.check_password("pw") and not board.check_password("px")
    assert len(calls) == 2


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def other_run(i: int) -> Run:
    """A run with its own scores: not the same entry as another."""
    return a_run(0.5 + i / 1000)


def test_one_workspace_publishing_twice_in_a_row_waits_and_the_same_run_updates_its_entry(store):
    publish(a_run(0.8), "민지", store)
    with pytest.raises(board.BoardRefusal) as refused:
        publish(a_run(0.8), "민지", store, now=T0 + 10)
    assert refused.value.code == "board_cooldown" and refused.value.values == {"seconds": 20}
    assert "publish again in 20 s" in str(refused.value)
    publish(other_run(1), "a", store, publisher="another workspace", now=T0 + 10)  # others are not held up
    assert publish(a_run(0.8), "민지2", store, now=T0 + 30).updated, "the same run: its entry is updated"
    assert sorted(e.nickname for e in board.entries(store)) == ["a", "민지2"]
    assert not publish(other_run(2), "민지", store, now=T0 + 60).updated and len(board.entries(store)) == 3


def test_one_workspace_keeps_at_most_its_share_of_the_board(store):
    now = T0
    for i in range(board.MAX_PER_PUBLISHER):
        publish(other_run(i), store=store, now=now)
        now += board.PUBLISH_COOLDOWN_S
    with pytest.raises(board.BoardRefusal) as refused:
        publish(other_run(99), store=store, now=now)
    assert refused.value.code == "board_mine_full" and len(board.entries(store)) == board.MAX_PER_PUBLISHER
    publish(other_run(99), store=store, publisher="someone else", now=now)
    assert publish(other_run(3), "new name", store=store, now=now + 60).updated, "updating an entry still works"


def test_direct_calls_cannot_fill_the_board_at_once(store):
    """Issue 23: direct calls filled the 500-entry board in 0.8 s. Now a burst stops at BURST_MAX a minute."""
    published, refusals = 0, []
    for i in range(200):
        try:
            publish(other_run(i), store=store, publisher=f"w{i}", now=T0 + i * 0.01)
            published += 1
        except board.BoardRefusal as refusal:
            refusals.append(refusal)
    assert published == board.BURST_MAX and {r.code for r in refusals} == {"board_busy"}
    assert 55 <= refusals[-1].values["seconds"] <= 60
    publish(other_run(500), store=store, publisher="later", now=T0 + 61)  # the next minute has room again


def test_a_full_board_refuses_new_entries(store, monkeypatch):
    monkeypatch.setattr(board, "MAX_ENTRIES", 3)
    for i in range(3):
        publish(other_run(i), store=store, publisher=f"w{i}", now=T0 + i)
    with pytest.raises(board.BoardRefusal, match="full") as refused:
        publish(other_run(9), store=store, publisher="w9", now=T0 + 5)
    assert refused.value.values == {"limit": 3}


def test_wrong_passwords_make_the_next_try_wait_longer_per_client(store, monkeypatch):
    """Issue 23: 25 wrong admin passwords had no delay. A refused try does not even look at the password."""
    monkeypatch.setenv(board.PASSWORD_ENV, "pw")
    clock = FakeClock()
    gate = board.PasswordGate(clock)
    waits = []
    for _ in range(8):
        assert not board.clear("guess", store, client="a", gate=gate)
        waits.append(gate.wait_s("a"))
        with pytest.raises(board.BoardRefusal) as refused:
            board.clear("pw", store, client="a", gate=gate)  # even the right one, while it must wait
        assert refused.value.code == "board_wait" and refused.value.values["seconds"] == math.ceil(waits[-1])
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert board.clear("pw", store, client="a", gate=gate) and gate.wait_s("a") == 0, "a right password resets it"


def test_wrong_passwords_from_many_clients_slow_everyone(store, monkeypatch):
    """New sessions don't get fresh tries: after FREE_OVERALL failures in a row from anyone, everyone waits."""
    monkeypatch.setenv(board.PASSWORD_ENV, "pw")
    clock = FakeClock()
    gate = board.PasswordGate(clock)
    for i in range(gate.FREE_OVERALL):
        assert not board.clear("guess", store, client=f"tab {i}", gate=gate)
    assert gate.wait_s("a new tab") == 0
    assert not board.clear("guess", store, client="tab 5", gate=gate)
    assert gate.wait_s("a new tab") == 1
    with pytest.raises(board.BoardRefusal):
        board.clear("guess", store, client="a new tab", gate=gate)
    clock.now += gate.FORGET_S + 1
    assert gate.wait_s("a new tab") == 0 and gate.wait_s("tab 5") == 0, "an hour later it is forgotten"


def test_an_old_data_folder_gets_the_publisher_column(tmp_path):
    import sqlite3

    home = tmp_path / "old"
    home.mkdir()
    with sqlite3.connect(home / "index.sqlite3") as db:  # the board as it was before its throttles
        db.execute("CREATE TABLE board (id INTEGER PRIMARY KEY, nickname TEXT NOT NULL, task TEXT NOT NULL, "
                   "corpus_name TEXT NOT NULL, corpus_rows INTEGER NOT NULL, settings TEXT NOT NULL, val_accuracy REAL, "
                   "val_macro_f1 REAL, baseline_accuracy REAL, training_s REAL NOT NULL, created REAL NOT NULL)")
        db.execute("INSERT INTO board VALUES (1, 'old', 'binary', 'c', 1, '{}', 0.5, 0.5, NULL, 1.0, 1.0)")
    old = Store(home)
    publish(a_run(0.8), store=old)
    assert [e.nickname for e in board.entries(old)] == ["a", "old"]
    Store(home)  # opening it again changes nothing


def test_the_teacher_deletes_one_entry_with_the_password_and_wrong_ones_wait(store, monkeypatch):
    """One entry goes and the others stay; a wrong password deletes nothing and makes the next try wait, the right
    one included, as clearing does (the same gate)."""
    monkeypatch.setenv(board.PASSWORD_ENV, "pw")
    clock = FakeClock()
    gate = board.PasswordGate(clock)
    for i, nickname in enumerate(("민지", "Jun", "서연")):
        publish(a_run(0.7 + i / 10), nickname, store, publisher=f"p{i}", now=T0 + i)
    ids = {e.nickname: e.id for e in board.entries(store)}
    assert len(set(ids.values())) == 3 and all(ids.values())
    assert not board.delete_entry(ids["Jun"], "guess", store, client="teacher", gate=gate)
    assert len(board.entries(store)) == 3
    with pytest.raises(board.BoardRefusal) as waiting:
        board.delete_entry(ids["Jun"], "pw", store, client="teacher", gate=gate)
    assert waiting.value.code == "board_wait" and len(board.entries(store)) == 3
    clock.now += 1
    assert board.delete_entry(ids["Jun"], "pw", store, client="teacher", gate=gate)
    assert [e.nickname for e in board.entries(store)] == ["서연", "민지"]
    assert board.delete_entry(ids["Jun"], "pw", store, client="teacher", gate=gate), "already gone: still right"
    assert board.admit("pw", client="teacher", gate=gate) and not board.admit("nope", client="other", gate=gate)


def test_without_a_password_set_no_entry_can_be_deleted(store, monkeypatch):
    monkeypatch.delenv(board.PASSWORD_ENV, raising=False)
    publish(a_run(0.8), store=store)
    entry = board.entries(store)[0]
    assert not board.delete_entry(entry.id, "", store, client="x", gate=board.PasswordGate(FakeClock()))
    assert board.entries(store) == [entry]


def test_a_nickname_is_cleaned_and_kept_within_the_limit():
    assert board.clean_nickname("  민지\u202e\n ") == "민지" and board.clean_nickname(" \t") == ""
    with pytest.raises(board.BoardRefusal) as long:
        board.clean_nickname("가" * (board.MAX_NICKNAME + 1))
    assert long.value.code == "board_nickname_long"
