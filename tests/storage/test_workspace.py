"""Workspaces: round trips, tokens, quotas, pruning, crash recovery, and a writer killed in the middle of a save."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.classifier.runs import keeping_job
from core.storage.blobs import is_temp, write_atomic
from core.storage.store import Limits, QuotaError, Store
from core.storage.workspace import ORPHAN_GRACE_S, Run, create_workspace, key_hash, open_workspace, prune

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "home")


def a_run(number: int = 1, stopped: bool = False, accuracy: float = 0.5) -> Run:
    return Run(number, "attention", {"model": {"emb_dim": 16}, "train": {"lr": 3e-3}, "data": {"task": "emotion6"}},
                   [{"epoch": 1, "val_acc": accuracy}], [{"step": 1, "loss": 1.0}], 4.0,
                   {"val_accuracy": accuracy, "val_macro_f1": 0.4, "baseline_accuracy": 0.6}, stopped, 2.5)


def files(workspace) -> list[str]:
    return sorted(p.name for p in workspace.folder.iterdir()) if workspace.folder.exists() else []


def test_token_is_long_random_and_stored_only_hashed(store):
    one, two = create_workspace(store), create_workspace(store)
    assert one.token != two.token and len(one.token) >= 32  # 24 random bytes, URL-safe base64
    assert one.token not in repr(one)
    raw = store.db_path.read_bytes() + b"".join(p.read_bytes() for p in store.home.glob("index.sqlite3-*"))
    assert one.token.encode() not in raw and key_hash(one.token).encode() in raw


@pytest.mark.parametrize("token", [None, "", "short", "../../etc/passwd" * 3, "x" * 200, "a" * 40, 123])
def test_unknown_or_malformed_tokens_open_nothing(store, token):
    create_workspace(store)
    assert open_workspace(token, store) is None


def test_corpus_tokenizer_runs_and_model_round_trip(store):
    workspace = create_workspace(store)
    workspace.save_corpus("내 말뭉치.xlsx", b"corpus-bytes", "binary", "all")
    workspace.save_tokenizer(b"proto", {"seconds": 0.1})
    workspace.save_run(a_run(1), b"bundle-1", ["문장"], ["기쁨"])
    workspace.save_run(a_run(2, stopped=True), b"bundle-2")
    workspace.set_active_run(1)

    again = open_workspace(workspace.token, store)
    corpus = again.corpus()
    assert (corpus.name, corpus.data, corpus.task, corpus.text) == ("내 말뭉치.xlsx", b"corpus-bytes", "binary", "all")
    assert again.tokenizer() == (b"proto", {"seconds": 0.1})
    assert again.runs() == [a_run(1), a_run(2, stopped=True)]
    active = again.active_model()
    assert (active.source, active.run, active.bundle, active.val_texts, active.val_labels) == (
        "#1 attention", 1, b"bundle-1", ["문장"], ["기쁨"])


def test_a_new_corpus_replaces_the_old_file_and_drops_the_tokenizer(store):
    workspace = create_workspace(store)
    workspace.save_corpus("a.csv", b"a" * 10, "emotion6", "first")
    workspace.save_tokenizer(b"proto", {})
    workspace.save_corpus("sample_corpus.xlsx", None, "emotion6", "first")  # the bundled sample: no file
    assert workspace.corpus().data is None and workspace.tokenizer() is None
    assert files(workspace) == [] and workspace.usage() == 0


def test_an_uploaded_model_replaces_the_previous_one(store):
    workspace = create_workspace(store)
    workspace.set_active_bundle(b"first", "a.zip")
    workspace.set_active_bundle(b"second", "b.zip", val_texts=["t"], val_labels=["l"])
    active = workspace.active_model()
    assert (active.source, active.bundle, active.val_texts) == ("b.zip", b"second", ["t"])
    assert len(files(workspace)) == 1 and workspace.usage() == len(b"second")


def test_a_taken_run_number_gets_the_next_one(store):
    workspace = create_workspace(store)
    assert workspace.save_run(a_run(1), b"x") == 1
    assert workspace.save_run(a_run(1), b"y") == 2
    assert [r.number for r in workspace.runs()] == [1, 2]


def test_workspaces_never_see_each_other(store):
    one, two = create_workspace(store), create_workspace(store)
    one.save_run(a_run(1), b"mine")
    one.save_corpus("mine.csv", b"secret", "emotion6", "first")
    assert two.runs() == [] and two.corpus() is None and two.active_model() is None and two.run_model(1) is None


def test_quota_refuses_with_one_line_and_keeps_nothing(tmp_path):
    store = Store(tmp_path / "home", Limits(workspace_bytes=1000, total_bytes=1500))
    workspace = create_workspace(store)
    workspace.save_run(a_run(1), b"x" * 900)
    with pytest.raises(QuotaError) as error:
        workspace.save_run(a_run(2), b"x" * 200)
    assert "quota" in str(error.value) and "\n" not in str(error.value)
    other = create_workspace(store)
    with pytest.raises(QuotaError, match="full"):
        other.save_corpus("big.csv", b"x" * 700, "emotion6", "first")
    assert [r.number for r in workspace.runs()] == [1] and len(files(workspace)) == 1 and files(other) == []


def test_delete_removes_rows_and_files(store):
    workspace = create_workspace(store)
    workspace.save_run(a_run(1), b"x")
    folder = workspace.folder
    workspace.delete()
    assert open_workspace(workspace.token, store) is None and not folder.exists()


def test_an_item_that_no_longer_loads_can_be_forgotten_alone(store):
    """What the sidebar's delete button does for a stored item that failed to load (issue 23)."""
    workspace = create_workspace(store)
    workspace.save_corpus("c.xlsx", b"corpus", "binary", "all")
    workspace.save_tokenizer(b"proto", {})
    workspace.save_run(a_run(1), b"bundle-1")
    workspace.set_active_run(1)
    workspace.forget("model")
    assert workspace.active_model() is None and workspace.has_run(1) and workspace.tokenizer() is not None
    workspace.forget("tokenizer")
    assert workspace.tokenizer() is None and workspace.corpus() is not None
    workspace.set_active_run(1)
    workspace.forget("runs")
    assert workspace.runs() == [] and workspace.active_model() is None and workspace.corpus() is not None
    workspace.save_tokenizer(b"proto", {})
    workspace.forget("corpus")
    assert workspace.corpus() is None and workspace.tokenizer() is None
    assert files(workspace) == [] and workspace.usage() == 0, "their files and quota went with them"


def test_prune_removes_only_workspaces_unused_for_n_days(store):
    old, fresh = create_workspace(store), create_workspace(store)
    old.save_run(a_run(1), b"x")
    with store.transaction() as db:
        db.execute("UPDATE workspaces SET used = ? WHERE id = ?", (time.time() - 10 * 86400, old.id))
    assert prune(7, store) == 1
    assert open_workspace(old.token, store) is None and open_workspace(fresh.token, store) is not None
    assert not old.folder.exists()


def test_prune_command(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_HOME", str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-m", "core", "workspaces", "prune", "--days", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "removed 0 workspace(s)" in result.stderr


def test_rows_whose_file_vanished_are_forgotten_on_open(store):
    workspace = create_workspace(store)
    workspace.save_run(a_run(1), b"one")
    workspace.save_run(a_run(2), b"two")
    workspace.set_active_run(2)
    with store.connect() as db:
        path = db.execute("SELECT file FROM runs WHERE number = 2").fetchone()[0]
    (store.home / path).unlink()
    again = open_workspace(workspace.token, store)
    assert [r.number for r in again.runs()] == [1] and again.active_model() is None


def test_recover_removes_dead_writers_temp_files_and_old_orphans(store):
    workspace = create_workspace(store)
    workspace.save_run(a_run(1), b"kept")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    temp = workspace.folder / f".run-2-x.bin.{dead.stdout.strip()}.abcd.tmp"
    temp.write_bytes(b"half")
    orphan = workspace.folder / "run-9-orphan.bin"
    orphan.write_bytes(b"renamed but never indexed")
    workspace.recover()
    assert not temp.exists() and orphan.exists()  # a young orphan may be a save in progress
    workspace.recover(now=time.time() + ORPHAN_GRACE_S + 1)
    assert not orphan.exists() and workspace.run_model(1).bundle == b"kept"


def test_write_atomic_replaces_whole_files(tmp_path):
    path = tmp_path / "f.bin"
    write_atomic(path, b"old")
    write_atomic(path, b"new" * 1000)
    assert path.read_bytes() == b"new" * 1000 and [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_concurrent_saves_from_threads_all_land(store):
    workspace = create_workspace(store)
    threads = [threading.Thread(target=workspace.save_run, args=(a_run(1), bytes([i]) * 100)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.number for r in workspace.runs()] == list(range(1, 9))
    assert sorted(workspace.run_model(n).bundle[0] for n in range(1, 9)) == list(range(8))


# A job that finishes after its tab closed -------------------------------------------------------------

def test_a_saving_job_keeps_its_runs_and_makes_the_model_active(store, trained_classifier):
    from core.classifier.task import load_classifier

    _, outcome = trained_classifier
    workspace = create_workspace(store)
    kept = keeping_job(lambda callback, stop: [outcome], 1, workspace)(None, threading.Event())
    assert kept.saved and kept.active == 1 and [r.number for r in kept.runs] == [1]
    again = open_workspace(workspace.token, store)
    run = again.runs()[0]
    assert run.number == 1 and run.metrics == outcome.classifier.metrics and run.epochs
    active = again.active_model()
    assert active.source == f"#1 {run.pooling}" and active.val_texts == outcome.val_texts()
    sentences = ["오늘 회사에서 친구가 그래서 너무 화가 나", "정말 기뻐"]
    reloaded = load_classifier(active.bundle)
    assert [p.label for p in reloaded.predict(sentences)] == [p.label for p in outcome.classifier.predict(sentences)]


def test_a_deleted_workspace_does_not_get_the_job_back(store, trained_classifier):
    _, outcome = trained_classifier
    workspace = create_workspace(store)
    workspace.delete()
    kept = keeping_job(lambda callback, stop: [outcome], 1, workspace)(None, threading.Event())
    assert not workspace.folder.exists() and not kept.saved and kept.runs[0].classifier is outcome.classifier


# A writer killed in the middle of a save ---------------------------------------------------------------

WRITER = r"""
import sys, time
from pathlib import Path
import core.storage.blobs as blobs
from core.storage.store import Store
from core.storage.workspace import Run, open_workspace

home, token, bundle_path, stage = sys.argv[1:5]
bundle = Path(bundle_path).read_bytes()

def pause():
    print("paused", flush=True)
    time.sleep(60)

if stage == "writing":  # killed between two chunks of the temporary file
    blobs.CHUNK = 4096
    real_open = open
    class Slow:
        def __init__(self, handle): self.handle, self.count = handle, 0
        def __enter__(self): return self
        def __exit__(self, *exc): return self.handle.__exit__(*exc)
        def write(self, data):
            self.count += 1
            self.handle.write(data)
            if self.count == 2:
                self.handle.flush()
                pause()
        def __getattr__(self, name): return getattr(self.handle, name)
    blobs.open = lambda path, mode: Slow(real_open(path, mode))
elif stage == "renamed":  # killed after the rename, before the row is committed
    blobs.fsync_folder = lambda folder: pause()

workspace = open_workspace(token, Store(Path(home)))
run = Run(2, "mean", {"data": {"task": "emotion6"}}, [{"epoch": 1}], [], 1.0, {"val_accuracy": 0.9}, False, 1.0)
if stage == "loop":
    print("paused", flush=True)
    while True:
        workspace.save_run(run, bundle)
else:
    workspace.save_run(run, bundle)
    print("saved", flush=True)
"""


def start_writer(store, token, bundle_path, stage) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(store.home), token, str(bundle_path), stage], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)


def assert_whole(store, token) -> list[int]:
    """The workspace opens; every run it lists loads as a classifier; no temporary file is left."""
    from core.classifier.task import load_classifier

    workspace = open_workspace(token, store)
    numbers = [r.number for r in workspace.runs()]
    for number in numbers:
        load_classifier(workspace.run_model(number).bundle)  # raises on a half-written bundle
    assert not [p for p in workspace.folder.iterdir() if is_temp(p)]
    return numbers


@pytest.mark.parametrize("stage", ["writing", "renamed"])
def test_a_writer_killed_mid_save_leaves_the_old_run_whole(store, trained_classifier, tmp_path, stage):
    _, outcome = trained_classifier
    bundle = outcome.classifier.to_bytes()
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(bundle)
    workspace = create_workspace(store)
    workspace.save_run(a_run(1), bundle)
    writer = start_writer(store, workspace.token, bundle_path, stage)
    assert writer.stdout.readline().strip() == "paused"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert assert_whole(store, workspace.token) == [1]
    left = files(workspace)
    assert len(left) == (1 if stage == "writing" else 2)  # the renamed file stays unindexed until the grace ends
    open_workspace(workspace.token, store).recover(now=time.time() + ORPHAN_GRACE_S + 1)
    assert len(files(workspace)) == 1


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_run(store, trained_classifier, tmp_path):
    _, outcome = trained_classifier
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(outcome.classifier.to_bytes())
    workspace = create_workspace(store)
    for delay in (0.05, 0.13, 0.31):
        writer = start_writer(store, workspace.token, bundle_path, "loop")
        assert writer.stdout.readline().strip() == "paused"
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        numbers = assert_whole(store, workspace.token)
        assert numbers == list(range(2, len(numbers) + 2))  # the writer saves #2, then the next free numbers


def test_a_reply_generator_is_kept_beside_the_classifier(store, overfit):
    from core.seq2seq.bundle import load_generator

    _, outcome = overfit
    workspace = create_workspace(store)
    workspace.set_active_bundle(b"classifier", "c.zip")
    workspace.set_active_bundle(outcome.generator.to_bytes(), "reply #1", kind="seq2seq")
    again = open_workspace(workspace.token, store)
    assert again.active_model().bundle == b"classifier"
    stored = again.active_model("seq2seq")
    sentence = ["오늘 시험을 망쳤어."]
    assert stored.source == "reply #1"
    assert load_generator(stored.bundle).generate(sentence)[0].reply == outcome.generator.generate(sentence)[0].reply


def test_results_are_kept_by_name_per_workspace_and_forgotten_with_what_they_describe(store):
    mine, other = create_workspace(store), create_workspace(store)
    mine.save_result("reply", {"n": 1})
    mine.save_result("reply", {"n": 2, "text": "상담"})  # replaced, not added
    mine.save_result("explain:#1 attention", [["#1 attention", {"n": 3}]])
    assert mine.result("reply") == {"n": 2, "text": "상담"} and other.result("reply") is None
    mine.forget("runs")  # the runs' explanations go with them
    assert mine.result("explain:#1 attention") is None and mine.result("reply") == {"n": 2, "text": "상담"}
    mine.forget("reply")
    assert mine.result("reply") is None
    other.save_result("explain:m.zip", [])
    other.delete()
    with store.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0


def test_a_nickname_is_kept_per_workspace_and_an_old_data_folder_gets_its_column(tmp_path):
    import sqlite3

    home = tmp_path / "old"
    home.mkdir()
    with sqlite3.connect(home / "index.sqlite3") as db:  # the workspaces table as it was before nicknames
        db.execute("CREATE TABLE workspaces (id INTEGER PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, created REAL NOT "
                   "NULL, used REAL NOT NULL)")
    old = Store(home)
    mine, other = create_workspace(old), create_workspace(old)
    assert mine.nickname() == ""
    mine.set_nickname("민지")
    assert open_workspace(mine.token, Store(home)).nickname() == "민지" and other.nickname() == ""
    mine.set_nickname("")
    assert mine.nickname() == ""
