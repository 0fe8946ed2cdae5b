"""Workspaces: one user's corpus, tokenizer, runs and active models, kept across refreshes and restarts.

A workspace is found only by its token (secrets, 192 bits), which the index stores hashed and never logs.
Every change writes its file first (temp, fsync, rename; core/storage/blobs.py), then its rows in one transaction,
so a crash leaves at worst an unreferenced file (removed on open), never a row pointing at a missing file.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.storage.blobs import fsync_folder, is_temp, remove_stale_temps, write_atomic
from core.storage.store import Store, open_store

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
ORPHAN_GRACE_S = 600.0  # an unreferenced file younger than this may belong to a save in progress
RUN_COLUMNS = ("number, pooling, status, settings, curves, metrics, elapsed_s")


# What `Workspace.forget` can delete: the query for its files, then the rows to delete (?1: the workspace's id).
FORGET = {
    "corpus": ("SELECT file FROM corpora WHERE workspace = ?1 UNION ALL SELECT file FROM tokenizers WHERE workspace = ?1",
               ("DELETE FROM tokenizers WHERE workspace = ?1", "DELETE FROM corpora WHERE workspace = ?1")),
    "tokenizer": ("SELECT file FROM tokenizers WHERE workspace = ?1", ("DELETE FROM tokenizers WHERE workspace = ?1",)),
    "model": ("SELECT file FROM models WHERE workspace = ?1 AND kind = 'classifier'",  # the active classifier
              ("DELETE FROM models WHERE workspace = ?1 AND kind = 'classifier'",)),
    "runs": ("SELECT file FROM runs WHERE workspace = ?1",
             ("DELETE FROM models WHERE workspace = ?1 AND run IS NOT NULL", "DELETE FROM runs WHERE workspace = ?1",
              "DELETE FROM results WHERE workspace = ?1 AND name LIKE 'explain:#%'")),
    "reply": ("SELECT file FROM models WHERE workspace = ?1 AND kind = 'reply'",
              ("DELETE FROM models WHERE workspace = ?1 AND kind = 'reply'",
               "DELETE FROM results WHERE workspace = ?1 AND name = 'reply'")),
    "summary": ("SELECT NULL", ("DELETE FROM results WHERE workspace = ?1 AND name LIKE 'explain:%'",)),
}
REPLY_RESULT = "reply"  # the active reply model's report (its examples), beside its bundle in `models`


@dataclass
class Run:
    """One training run: its record (what the run history shows and the index keeps), and, once loaded, the model
    it produced with its validation rows (kept as a bundle file beside the record, not in these columns)."""

    number: int
    pooling: str
    settings: dict
    epochs: list[dict]
    steps: list[dict]
    steps_per_epoch: float
    metrics: dict
    stopped: bool
    elapsed_s: float
    classifier: Any = field(default=None, repr=False, compare=False)  # core.classifier.task.Classifier
    val_texts: list[str] = field(default_factory=list, repr=False, compare=False)
    val_labels: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"#{self.number} {self.pooling}"


@dataclass
class StoredCorpus:
    name: str
    data: bytes | None  # None: the bundled sample
    task: str
    text: str


@dataclass
class StoredModel:
    source: str  # a run name or an uploaded file's name
    run: int | None  # the run's number when the model is a run's
    bundle: bytes
    val_texts: list[str]
    val_labels: list[str]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def create_workspace(store: Store | None = None) -> Workspace:
    store = store or open_store()
    token, now = new_token(), time.time()
    with store.transaction() as db:
        cursor = db.execute("INSERT INTO workspaces (key_hash, created, used) VALUES (?, ?, ?)", (key_hash(token), now, now))
    return Workspace(store, cursor.lastrowid, token)


def open_workspace(token: object, store: Store | None = None) -> Workspace | None:
    """The workspace with this token, cleaned of anything a crash left behind; None for an unknown or malformed token."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    store = store or open_store()
    with store.connect() as db:
        row = db.execute("SELECT id FROM workspaces WHERE key_hash = ?", (key_hash(token),)).fetchone()
    if row is None:
        return None
    workspace = Workspace(store, row[0], token)
    workspace.recover()
    workspace.touch()
    return workspace


class Workspace:
    """One workspace's rows and files. Thread-safe: each method opens its own connection."""

    def __init__(self, store: Store, workspace_id: int, token: str):
        self.store, self.id, self.token = store, workspace_id, token

    def __repr__(self) -> str:  # never the token: reprs end up in logs
        return f"Workspace(id={self.id})"

    @property
    def folder(self) -> Path:
        return self.store.folder(self.id)

    def touch(self) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE workspaces SET used = ? WHERE id = ?", (time.time(), self.id))

    def exists(self) -> bool:
        with self.store.connect() as db:
            return db.execute("SELECT 1 FROM workspaces WHERE id = ?", (self.id,)).fetchone() is not None

    def usage(self) -> int:
        with self.store.connect() as db:
            return db.execute("SELECT COALESCE(SUM(bytes), 0) FROM blobs WHERE workspace = ?", (self.id,)).fetchone()[0]

    def nickname(self) -> str:
        """The name its user chose for the teacher's view and the board ("" when none)."""
        with self.store.connect() as db:
            row = db.execute("SELECT nickname FROM workspaces WHERE id = ?", (self.id,)).fetchone()
        return row[0] if row else ""

    def set_nickname(self, nickname: str) -> None:
        """A nickname already checked by core.storage.board.clean_nickname ("" forgets it)."""
        with self.store.transaction() as db:
            db.execute("UPDATE workspaces SET nickname = ?, used = ? WHERE id = ?", (nickname, time.time(), self.id))

    # corpus and tokenizer ---------------------------------------------------------------------------------

    def save_corpus(self, name: str, data: bytes | None, task: str, text: str) -> None:
        """The current corpus (None bytes: the bundled sample); the old corpus and its tokenizer are dropped."""
        old = self._files("SELECT file FROM corpora WHERE workspace = ? "
                          "UNION ALL SELECT file FROM tokenizers WHERE workspace = ?",
                          (self.id, self.id))

        def rows(db: sqlite3.Connection, path: str | None) -> None:
            db.execute("DELETE FROM tokenizers WHERE workspace = ?", (self.id,))
            db.execute("INSERT OR REPLACE INTO corpora VALUES (?, ?, ?, ?, ?, ?)", (self.id, name, path, task, text, time.time()))

        self._write("corpus", data, rows, old)

    def set_data_config(self, task: str, text: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE corpora SET task = ?, text = ? WHERE workspace = ?", (task, text, self.id))

    def corpus(self) -> StoredCorpus | None:
        with self.store.connect() as db:
            row = db.execute("SELECT name, file, task, text FROM corpora WHERE workspace = ?", (self.id,)).fetchone()
        if row is None:
            return None
        name, path, task, text = row
        data = self._read(path) if path else None
        if path and data is None:
            return None
        return StoredCorpus(name, data, task, text)

    def save_tokenizer(self, proto: bytes, meta: dict) -> None:
        old = self._files("SELECT file FROM tokenizers WHERE workspace = ?", (self.id,))

        def rows(db: sqlite3.Connection, path: str | None) -> None:
            db.execute("INSERT OR REPLACE INTO tokenizers VALUES (?, ?, ?)", (self.id, path, json.dumps(meta)))

        self._write("tokenizer", proto, rows, old)

    def clear_tokenizer(self) -> None:
        old = self._files("SELECT file FROM tokenizers WHERE workspace = ?", (self.id,))
        self._write("tokenizer", None, lambda db, _: db.execute("DELETE FROM tokenizers WHERE workspace = ?", (self.id,)), old)

    def tokenizer(self) -> tuple[bytes, dict] | None:
        with self.store.connect() as db:
            row = db.execute("SELECT file, meta FROM tokenizers WHERE workspace = ?", (self.id,)).fetchone()
        proto = self._read(row[0]) if row else None
        return (proto, json.loads(row[1])) if proto is not None else None

    # runs -------------------------------------------------------------------------------------------------

    def save_run(self, run: Run, bundle: bytes, val_texts: list[str] = (), val_labels: list[str] = ()) -> int:
        """Keep a run and its model bundle; returns its number (the next free one if `run.number` is taken)."""
        def rows(db: sqlite3.Connection, path: str | None) -> None:
            taken = db.execute("SELECT 1 FROM runs WHERE workspace = ? AND number = ?", (self.id, run.number)).fetchone()
            if taken:
                run.number = db.execute("SELECT MAX(number) + 1 FROM runs WHERE workspace = ?", (self.id,)).fetchone()[0]
            db.execute("INSERT INTO runs (workspace, number, pooling, status, settings, curves, metrics, elapsed_s, "
                       "val_accuracy, val_macro_f1, baseline_accuracy, baseline_macro_f1, validation, file, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (self.id, *_run_values(run, val_texts, val_labels), path, time.time()))

        self._write(f"run-{run.number}", bundle, rows, [])
        return run.number

    def has_run(self, number: int) -> bool:
        with self.store.connect() as db:
            return db.execute("SELECT 1 FROM runs WHERE workspace = ? AND number = ?", (self.id, number)).fetchone() is not None

    def runs(self) -> list[Run]:
        with self.store.connect() as db:
            rows = db.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE workspace = ? ORDER BY number", (self.id,)).fetchall()
        return [_run_from_row(row) for row in rows]

    def run_model(self, number: int) -> StoredModel | None:
        """A run's bundle bytes and validation rows (None if it is gone)."""
        with self.store.connect() as db:
            row = db.execute("SELECT pooling, file, validation FROM runs WHERE workspace = ? AND number = ?",
                             (self.id, number)).fetchone()
        bundle = self._read(row[1]) if row else None
        if bundle is None:
            return None
        validation = json.loads(row[2])
        return StoredModel(f"#{number} {row[0]}", number, bundle, validation["texts"], validation["labels"])

    # active models ----------------------------------------------------------------------------------------

    def set_active_run(self, number: int, kind: str = "classifier") -> None:
        old = self._files("SELECT file FROM models WHERE workspace = ? AND kind = ? AND file IS NOT NULL", (self.id, kind))
        with self.store.transaction() as db:
            pooling = db.execute("SELECT pooling FROM runs WHERE workspace = ? AND number = ?", (self.id, number)).fetchone()
            if pooling is None:
                return
            db.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?, NULL, '{}')",
                       (self.id, kind, f"#{number} {pooling[0]}", number))
            for path in old:
                db.execute("DELETE FROM blobs WHERE path = ?", (path,))
        self._unlink(old)

    def set_active_bundle(self, bundle: bytes, source: str, kind: str = "classifier", val_texts: list[str] = (),
                          val_labels: list[str] = ()) -> None:
        """An uploaded (or otherwise run-less) model becomes the active one of its kind."""
        old = self._files("SELECT file FROM models WHERE workspace = ? AND kind = ? AND file IS NOT NULL", (self.id, kind))
        validation = json.dumps({"texts": list(val_texts), "labels": list(val_labels)}, ensure_ascii=False)

        def rows(db: sqlite3.Connection, path: str | None) -> None:
            db.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?, NULL, ?, ?)", (self.id, kind, source, path, validation))
            # an earlier upload of the same name was another model: its explanation summary does not describe this one
            db.execute("DELETE FROM results WHERE workspace = ? AND name = ?", (self.id, explain_key(source)))

        self._write(f"model-{kind}", bundle, rows, old)

    def has_model(self, kind: str = "classifier") -> bool:
        """Whether an active model of this kind is kept (without reading its bundle)."""
        with self.store.connect() as db:
            return db.execute("SELECT 1 FROM models WHERE workspace = ? AND kind = ?", (self.id, kind)).fetchone() is not None

    def active_model(self, kind: str = "classifier") -> StoredModel | None:
        with self.store.connect() as db:
            row = db.execute("SELECT source, run, file, validation FROM models WHERE workspace = ? AND kind = ?",
                             (self.id, kind)).fetchone()
        if row is None:
            return None
        source, run, path, validation = row
        if run is not None:
            return self.run_model(run)
        bundle = self._read(path)
        if bundle is None:
            return None
        validation = json.loads(validation)
        return StoredModel(source, None, bundle, validation.get("texts", []), validation.get("labels", []))

    # results ----------------------------------------------------------------------------------------------

    def save_result(self, name: str, value: dict | list) -> None:
        """A small JSON result a job computed (a reply model's report, a model's explanation summary), by name."""
        text = json.dumps(value, ensure_ascii=False)
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", (self.id, name, text, time.time()))
            db.execute("UPDATE workspaces SET used = ? WHERE id = ?", (time.time(), self.id))

    def result(self, name: str) -> Any:
        """The result saved under `name`, or None."""
        with self.store.connect() as db:
            row = db.execute("SELECT value FROM results WHERE workspace = ? AND name = ?", (self.id, name)).fetchone()
        return json.loads(row[0]) if row else None

    # deleting and recovering ------------------------------------------------------------------------------

    def forget(self, item: str) -> None:
        """Delete one stored item, rows and files, when it no longer loads (the app offers this): one of FORGET."""
        select, deletes = FORGET[item]

        def rows(db: sqlite3.Connection, _: str | None) -> None:
            for statement in deletes:
                db.execute(statement, (self.id,))

        self._write(item, None, rows, self._files(select, (self.id,)))

    def delete(self) -> None:
        """Remove the workspace's rows (one transaction), then its folder."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM workspaces WHERE id = ?", (self.id,))
        shutil.rmtree(self.folder, ignore_errors=True)
        fsync_folder(self.folder.parent)

    def recover(self, now: float | None = None) -> None:
        """Forget rows whose file is missing; delete temporary files of dead writers and long-unreferenced files."""
        now = time.time() if now is None else now
        folder = self.folder
        if folder.exists():
            remove_stale_temps(folder, now)
        with self.store.transaction() as db:
            listed = {p for (p,) in db.execute("SELECT path FROM blobs WHERE workspace = ?", (self.id,))}
            missing = [p for p in listed if not (self.store.home / p).is_file()]
            for path in missing:
                _forget(db, path)
        for path in folder.iterdir() if folder.exists() else []:
            relative = path.relative_to(self.store.home).as_posix()
            if relative not in listed and not is_temp(path) and now - path.stat().st_mtime > ORPHAN_GRACE_S:
                path.unlink(missing_ok=True)

    # files ------------------------------------------------------------------------------------------------

    def _write(self, stem: str, data: bytes | None, rows, old: list[str]) -> None:
        """Write `data` as a new file (if any), then in one transaction: its blob row, `rows(db, path)`, and
        forgetting `old`; old files are unlinked after the commit. A failure removes the new file."""
        path = None
        if data is not None:
            with self.store.connect() as db:
                self.store.check_quota(db, self.id, len(data))  # early, before writing a large file
            path = f"w/{self.id}/{stem}-{secrets.token_hex(6)}.bin"
            write_atomic(self.store.home / path, data)
        try:
            with self.store.transaction() as db:
                freed = sum(_blob_bytes(db, p) for p in old)
                if data is not None:
                    self.store.check_quota(db, self.id, len(data), freed)
                    db.execute("INSERT INTO blobs VALUES (?, ?, ?)", (path, self.id, len(data)))
                rows(db, path)
                for old_path in old:
                    db.execute("DELETE FROM blobs WHERE path = ?", (old_path,))
                db.execute("UPDATE workspaces SET used = ? WHERE id = ?", (time.time(), self.id))
        except BaseException:
            if path:
                (self.store.home / path).unlink(missing_ok=True)
            raise
        self._unlink(old)

    def _files(self, query: str, args: tuple) -> list[str]:
        with self.store.connect() as db:
            return [p for (p,) in db.execute(query, args) if p]

    def _read(self, path: str | None) -> bytes | None:
        try:
            return (self.store.home / path).read_bytes() if path else None
        except OSError:
            return None

    def _unlink(self, paths: list[str]) -> None:
        for path in paths:
            (self.store.home / path).unlink(missing_ok=True)


def explain_key(model_source: str) -> str:
    """The results name of the explanation summary of the model called `model_source` (a run name or a file name)."""
    return f"explain:{model_source}"


def _blob_bytes(db: sqlite3.Connection, path: str) -> int:
    row = db.execute("SELECT bytes FROM blobs WHERE path = ?", (path,)).fetchone()
    return row[0] if row else 0


def _forget(db: sqlite3.Connection, path: str) -> None:
    """Drop a missing file and every row that points at it."""
    for table in ("corpora", "tokenizers", "runs", "models"):
        db.execute(f"DELETE FROM {table} WHERE file = ?", (path,))
    db.execute("DELETE FROM models WHERE run IS NOT NULL "
               "AND run NOT IN (SELECT number FROM runs WHERE workspace = models.workspace)")
    db.execute("DELETE FROM blobs WHERE path = ?", (path,))


def _run_values(run: Run, val_texts, val_labels) -> tuple:
    metrics = run.metrics
    curves = {"epochs": run.epochs, "steps": run.steps, "steps_per_epoch": run.steps_per_epoch}
    validation = {"texts": list(val_texts), "labels": list(val_labels)}
    return (run.number, run.pooling, "stopped" if run.stopped else "finished", json.dumps(run.settings),
            json.dumps(curves), json.dumps(metrics), run.elapsed_s, metrics.get("val_accuracy"), metrics.get("val_macro_f1"),
            metrics.get("baseline_accuracy"), metrics.get("baseline_macro_f1"), json.dumps(validation, ensure_ascii=False))


def _run_from_row(row: tuple) -> Run:
    number, pooling, status, settings, curves, metrics, elapsed_s = row
    curves = json.loads(curves)
    return Run(number, pooling, json.loads(settings), curves["epochs"], curves["steps"], curves["steps_per_epoch"],
                   json.loads(metrics), status == "stopped", elapsed_s)


def prune(days: float, store: Store | None = None, now: float | None = None) -> int:
    """Delete workspaces unused for `days` days; returns how many."""
    store = store or open_store()
    cutoff = (time.time() if now is None else now) - days * 86400
    with store.connect() as db:
        ids = [i for (i,) in db.execute("SELECT id FROM workspaces WHERE used < ?", (cutoff,))]
    for workspace_id in ids:
        Workspace(store, workspace_id, "").delete()
    return len(ids)
