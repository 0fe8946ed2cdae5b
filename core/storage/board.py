"""The class board: finished runs a user chose to publish under a nickname, shared by everyone on the server.

An entry holds no workspace token or id. Clearing needs the password in ATTENTION_LAB_ADMIN_PASSWORD, compared
in constant time; with no password set, nobody can clear the board from the app.
"""

from __future__ import annotations

import hmac
import json
import os
import time
import unicodedata
from dataclasses import dataclass

from core.errors import AttentionLabError
from core.storage.share import encode
from core.storage.store import Store, open_store
from core.storage.workspace import Run

PASSWORD_ENV = "ATTENTION_LAB_ADMIN_PASSWORD"
MAX_NICKNAME, MAX_CORPUS_NAME, MAX_ENTRIES = 30, 80, 500


@dataclass
class BoardEntry:
    nickname: str
    task: str
    corpus_name: str
    corpus_rows: int
    settings: dict  # share-link query values (core/storage/share.py)
    val_accuracy: float | None
    val_macro_f1: float | None
    baseline_accuracy: float | None
    training_s: float
    created: float


def clean_text(text: object, limit: int) -> str:
    """One line of printable text (control and format characters dropped), at most `limit` characters."""
    text = unicodedata.normalize("NFC", str(text))
    kept = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(kept.split())[:limit]


def share_settings(run: Run) -> dict:
    """A run's settings as the share-link names of the Train page's widgets."""
    model, train = run.settings.get("model", {}), run.settings.get("train", {})
    values = {"pooling": run.pooling, "emb": model.get("emb_dim"), "hidden": model.get("hidden_dim"),
              "layers": model.get("num_layers"), "dropout": model.get("dropout"), "lr": train.get("lr"),
              "batch": train.get("batch_size"), "epochs": train.get("epochs"), "patience": train.get("patience"),
              "seed": train.get("seed"), "val_share": train.get("val_share"), "schedule": train.get("schedule")}
    return encode({k: v for k, v in values.items() if v is not None})


def publish(run: Run, nickname: str, corpus_name: str, corpus_rows: int, store: Store | None = None) -> BoardEntry:
    """Put a finished run on the board; a stopped run or an empty nickname is refused with a message."""
    nickname = clean_text(nickname, MAX_NICKNAME)
    if not nickname:
        raise AttentionLabError("Choose a nickname for the board.")
    if run.stopped:
        raise AttentionLabError("Only finished runs go on the board; this one was stopped.")
    metrics = run.metrics
    entry = BoardEntry(nickname, str(run.settings.get("data", {}).get("task", "")), clean_text(corpus_name, MAX_CORPUS_NAME),
                       int(corpus_rows), share_settings(run), metrics.get("val_accuracy"), metrics.get("val_macro_f1"),
                       metrics.get("baseline_accuracy"), float(run.elapsed_s), time.time())
    with (store or open_store()).transaction() as db:
        if db.execute("SELECT COUNT(*) FROM board").fetchone()[0] >= MAX_ENTRIES:
            raise AttentionLabError(f"The board is full ({MAX_ENTRIES} entries); ask the teacher to clear it.")
        db.execute("INSERT INTO board (nickname, task, corpus_name, corpus_rows, settings, val_accuracy, val_macro_f1, "
                   "baseline_accuracy, training_s, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (entry.nickname, entry.task, entry.corpus_name, entry.corpus_rows, json.dumps(entry.settings),
                    entry.val_accuracy, entry.val_macro_f1, entry.baseline_accuracy, entry.training_s, entry.created))
    return entry


def entries(store: Store | None = None) -> list[BoardEntry]:
    """Every entry, best validation accuracy first."""
    with (store or open_store()).connect() as db:
        rows = db.execute("SELECT nickname, task, corpus_name, corpus_rows, settings, val_accuracy, val_macro_f1, "
                          "baseline_accuracy, training_s, created FROM board ORDER BY val_accuracy DESC, id").fetchall()
    return [BoardEntry(r[0], r[1], r[2], r[3], json.loads(r[4]), *r[5:]) for r in rows]


def clearing_enabled() -> bool:
    return bool(os.environ.get(PASSWORD_ENV))


def check_password(given: str) -> bool:
    """True only when a password is set and `given` equals it (constant-time comparison)."""
    expected = os.environ.get(PASSWORD_ENV, "")
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def clear(password: str, store: Store | None = None) -> bool:
    """Empty the board when the password is right; returns whether it did."""
    if not check_password(password):
        return False
    with (store or open_store()).transaction() as db:
        db.execute("DELETE FROM board")
    return True
