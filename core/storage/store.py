"""The data folder: one SQLite index (WAL mode, one transaction per change) beside the files it points to.

`ATTENTION_LAB_HOME` names the folder (default `./.attention_lab/`); quotas come from the environment too.
Tables hold settings, curves and metrics; blobs (corpus bytes, bundles, tokenizers) are files under `w/<id>/`,
each listed in `blobs` with its size, so usage and quotas are one SQL sum.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.errors import AttentionLabError

HOME_ENV = "ATTENTION_LAB_HOME"
DEFAULT_HOME = ".attention_lab"
WORKSPACE_MB_ENV, TOTAL_MB_ENV = "ATTENTION_LAB_WORKSPACE_MB", "ATTENTION_LAB_TOTAL_MB"
DEFAULT_WORKSPACE_MB, DEFAULT_TOTAL_MB = 500, 10_000
MB = 1024 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    id INTEGER PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, created REAL NOT NULL, used REAL NOT NULL,
    nickname TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS blobs (
    path TEXT PRIMARY KEY, workspace INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS corpora (
    workspace INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL, file TEXT REFERENCES blobs(path), task TEXT NOT NULL, text TEXT NOT NULL,
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokenizers (
    workspace INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    file TEXT NOT NULL REFERENCES blobs(path), meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, workspace INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    number INTEGER NOT NULL, pooling TEXT NOT NULL, status TEXT NOT NULL, settings TEXT NOT NULL,
    curves TEXT NOT NULL, metrics TEXT NOT NULL, elapsed_s REAL NOT NULL, val_accuracy REAL,
    val_macro_f1 REAL, baseline_accuracy REAL, baseline_macro_f1 REAL, validation TEXT NOT NULL,
    file TEXT NOT NULL REFERENCES blobs(path), created REAL NOT NULL, UNIQUE (workspace, number));
CREATE TABLE IF NOT EXISTS models (
    workspace INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE, kind TEXT NOT NULL,
    source TEXT NOT NULL, run INTEGER, file TEXT REFERENCES blobs(path), validation TEXT NOT NULL,
    PRIMARY KEY (workspace, kind));
CREATE TABLE IF NOT EXISTS results (
    workspace INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE, name TEXT NOT NULL,
    value TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (workspace, name));
CREATE TABLE IF NOT EXISTS board (
    id INTEGER PRIMARY KEY, nickname TEXT NOT NULL, task TEXT NOT NULL, corpus_name TEXT NOT NULL,
    corpus_rows INTEGER NOT NULL, settings TEXT NOT NULL, val_accuracy REAL, val_macro_f1 REAL,
    baseline_accuracy REAL, training_s REAL NOT NULL, created REAL NOT NULL, publisher TEXT NOT NULL DEFAULT '');
"""


class QuotaError(AttentionLabError):
    """Saving would take a workspace or the whole data folder past its disk quota."""


@dataclass(frozen=True)
class Limits:
    workspace_bytes: int
    total_bytes: int

    @classmethod
    def from_env(cls) -> Limits:
        return cls(_megabytes(WORKSPACE_MB_ENV, DEFAULT_WORKSPACE_MB) * MB, _megabytes(TOTAL_MB_ENV, DEFAULT_TOTAL_MB) * MB)


def _megabytes(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


class Store:
    """The index and the blob folder. Safe to share between threads: every call opens its own connection."""

    def __init__(self, home: Path, limits: Limits | None = None):
        self.home = Path(home)
        self.limits = limits or Limits.from_env()
        self.home.mkdir(parents=True, exist_ok=True)
        self.db_path = self.home / "index.sqlite3"
        with self.connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            for table, column, declaration in ADDED_COLUMNS:
                _add_column(connection, table, column, declaration)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection; use `transaction` for changes."""
        connection = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=FULL")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One change: BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self.connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def folder(self, workspace_id: int) -> Path:
        return self.home / "w" / str(workspace_id)

    def check_quota(self, connection: sqlite3.Connection, workspace_id: int, new_bytes: int, freed: int = 0) -> None:
        """Raise QuotaError (one line) when adding `new_bytes` (and freeing `freed`) passes a quota."""
        used = connection.execute("SELECT COALESCE(SUM(bytes), 0) FROM blobs WHERE workspace = ?", (workspace_id,)).fetchone()[0]
        total = connection.execute("SELECT COALESCE(SUM(bytes), 0) FROM blobs").fetchone()[0]
        if used - freed + new_bytes > self.limits.workspace_bytes:
            raise QuotaError("quota_workspace", used=_mb(used - freed + new_bytes), quota=_mb(self.limits.workspace_bytes))
        if total - freed + new_bytes > self.limits.total_bytes:
            raise QuotaError("quota_total", total=_mb(self.limits.total_bytes))


# Columns added to a table after data folders were made with it: (table, column, declaration). The board's
# publisher came with its throttles (old entries: none); a workspace's nickname with the teacher's view.
ADDED_COLUMNS = (("board", "publisher", "TEXT NOT NULL DEFAULT ''"), ("workspaces", "nickname", "TEXT NOT NULL DEFAULT ''"))


def _add_column(connection: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    """A data folder made before `column` existed gets it."""
    if column in {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}:
        return
    try:
        connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    except sqlite3.OperationalError as error:  # another process added it first
        if "duplicate column" not in str(error):
            raise


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB"


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def home_folder() -> Path:
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).resolve()


def open_store(home: Path | str | None = None) -> Store:
    """The Store for `home` (default: $ATTENTION_LAB_HOME or ./.attention_lab), one per folder per process."""
    path = Path(home).resolve() if home is not None else home_folder()
    with _stores_lock:
        if path not in _stores or not _stores[path].db_path.exists():
            _stores[path] = Store(path)
        return _stores[path]
