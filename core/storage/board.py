"""The class board: finished runs a user chose to publish under a nickname, shared by everyone on the server.

An entry holds no workspace token or id: its publisher is a hash of the workspace's token, so the throttles can
count a workspace's entries without linking them to it. Clearing it, or deleting one entry, needs the password in
ATTENTION_LAB_ADMIN_PASSWORD, compared in constant time; with no password set, nobody can from the app.

Throttles (issue 23: one user published the same run 30 times in 41 s; direct calls filled the board in 0.8 s; 25
wrong passwords had no delay): a publisher waits between entries and keeps a bounded number on the board, the same
run published again updates its entry, the whole board takes a bounded number of entries a minute, and wrong
passwords make the next try wait, per client and, after a few, for everyone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from core.errors import AttentionLabError
from core.storage.share import encode
from core.storage.store import Store, open_store
from core.storage.workspace import Run

PASSWORD_ENV = "ATTENTION_LAB_ADMIN_PASSWORD"
MAX_NICKNAME, MAX_CORPUS_NAME, MAX_ENTRIES = 30, 80, 500
PUBLISH_COOLDOWN_S = 30.0  # between two publications of one workspace
MAX_PER_PUBLISHER = 20  # entries one workspace keeps on the board: the board (500) never fills from one
# Entries from everyone within a minute: a class of 40 publishing at the end of a lesson waits a minute at most,
# while a script making workspaces would take 17 minutes to fill the board (and the teacher can clear it).
BURST_WINDOW_S, BURST_MAX = 60.0, 30
COLUMNS = "nickname, task, corpus_name, corpus_rows, settings, val_accuracy, val_macro_f1, baseline_accuracy, training_s, created"


class BoardRefusal(AttentionLabError):
    """Publishing or clearing refused (codes board_* in core/errors.py): the nickname, the pace, the room left, or
    the wait after wrong passwords."""


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
    id: int = 0  # its row: the teacher deletes entries one by one


class Published(NamedTuple):
    entry: BoardEntry
    updated: bool  # the same run of the same workspace was on the board: its entry was updated, none added


def clean_text(text: object, limit: int | None = None) -> str:
    """One line of printable text (control and format characters dropped), at most `limit` characters."""
    text = unicodedata.normalize("NFC", str(text))
    kept = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(kept.split())[:limit]


def publisher_of(token: str) -> str:
    """The board's name for a workspace: a hash of its token, not the index's key hash, so an entry can't be
    traced back to the workspace that published it."""
    return hashlib.sha256(f"board:{token}".encode()).hexdigest()


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


def share_settings(run: Run) -> dict:
    """A run's settings as the share-link names of the Train page's widgets."""
    model, train = run.settings.get("model", {}), run.settings.get("train", {})
    values = {"pooling": run.pooling, "emb": model.get("emb_dim"), "hidden": model.get("hidden_dim"),
              "layers": model.get("num_layers"), "dropout": model.get("dropout"), "lr": train.get("lr"),
              "batch": train.get("batch_size"), "epochs": train.get("epochs"), "patience": train.get("patience"),
              "seed": train.get("seed"), "val_share": train.get("val_share"), "schedule": train.get("schedule")}
    return encode({k: v for k, v in values.items() if v is not None})


def publish(run: Run, nickname: str, corpus_name: str, corpus_rows: int, store: Store | None = None, *,
            publisher: str, now: float | None = None) -> Published:
    """Put a finished run on the board for `publisher` (publisher_of a workspace token); BoardRefusal says why not."""
    entry = _entry(run, nickname, corpus_name, corpus_rows, time.time() if now is None else now)
    with (store or open_store()).transaction() as db:
        _check_pace(db, publisher, entry.created)
        same = db.execute("SELECT id FROM board WHERE publisher = ? AND task = ? AND settings = ? AND val_accuracy IS ? "
                          "AND val_macro_f1 IS ? AND baseline_accuracy IS ?",
                          (publisher, entry.task, json.dumps(entry.settings), entry.val_accuracy, entry.val_macro_f1,
                           entry.baseline_accuracy)).fetchone()
        if same is not None:  # the same run again: one entry, with the newest nickname and corpus name
            db.execute("UPDATE board SET nickname = ?, corpus_name = ?, corpus_rows = ?, training_s = ?, created = ? "
                       "WHERE id = ?", (entry.nickname, entry.corpus_name, entry.corpus_rows, entry.training_s,
                                        entry.created, same[0]))
            return Published(entry, True)
        _check_room(db, publisher)
        db.execute(f"INSERT INTO board ({COLUMNS}, publisher) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (entry.nickname, entry.task, entry.corpus_name, entry.corpus_rows, json.dumps(entry.settings),
                    entry.val_accuracy, entry.val_macro_f1, entry.baseline_accuracy, entry.training_s, entry.created,
                    publisher))
    return Published(entry, False)


def _entry(run: Run, nickname: str, corpus_name: str, corpus_rows: int, now: float) -> BoardEntry:
    """The entry a run makes; a stopped run or an empty or too long nickname is refused."""
    nickname = clean_nickname(nickname)
    if not nickname:
        raise BoardRefusal("board_nickname")
    if run.stopped:
        raise BoardRefusal("board_stopped")
    metrics = run.metrics
    return BoardEntry(nickname, str(run.settings.get("data", {}).get("task", "")), clean_text(corpus_name, MAX_CORPUS_NAME),
                      int(corpus_rows), share_settings(run), metrics.get("val_accuracy"), metrics.get("val_macro_f1"),
                      metrics.get("baseline_accuracy"), float(run.elapsed_s), now)


def clean_nickname(nickname: object) -> str:
    """A nickname as the board and the teacher's view show it (one line of printable text; "" when nothing is left);
    BoardRefusal when it is too long."""
    nickname = clean_text(nickname)
    if len(nickname) > MAX_NICKNAME:
        raise BoardRefusal("board_nickname_long", length=len(nickname), limit=MAX_NICKNAME)
    return nickname


def _check_pace(db, publisher: str, now: float) -> None:
    """One publication per PUBLISH_COOLDOWN_S per publisher, and at most BURST_MAX a minute from everyone."""
    last = db.execute("SELECT MAX(created) FROM board WHERE publisher = ?", (publisher,)).fetchone()[0]
    if last is not None and now - last < PUBLISH_COOLDOWN_S:
        seconds = _seconds(min(PUBLISH_COOLDOWN_S, last + PUBLISH_COOLDOWN_S - now))
        raise BoardRefusal("board_cooldown", seconds=seconds)
    recent = [c for (c,) in db.execute("SELECT created FROM board WHERE created > ? ORDER BY created",
                                       (now - BURST_WINDOW_S,))]
    if len(recent) >= BURST_MAX:  # room comes back when the oldest entries that fill the window leave it
        seconds = _seconds(min(BURST_WINDOW_S, recent[len(recent) - BURST_MAX] + BURST_WINDOW_S - now))
        raise BoardRefusal("board_busy", seconds=seconds)


def _check_room(db, publisher: str) -> None:
    if db.execute("SELECT COUNT(*) FROM board WHERE publisher = ?", (publisher,)).fetchone()[0] >= MAX_PER_PUBLISHER:
        raise BoardRefusal("board_mine_full", limit=MAX_PER_PUBLISHER)
    if db.execute("SELECT COUNT(*) FROM board").fetchone()[0] >= MAX_ENTRIES:
        raise BoardRefusal("board_full", limit=MAX_ENTRIES)


def entries(store: Store | None = None) -> list[BoardEntry]:
    """Every entry, best validation accuracy first."""
    with (store or open_store()).connect() as db:
        rows = db.execute(f"SELECT {COLUMNS}, id FROM board ORDER BY val_accuracy DESC, id").fetchall()
    return [BoardEntry(r[0], r[1], r[2], r[3], json.loads(r[4]), *r[5:]) for r in rows]


def clearing_enabled() -> bool:
    return bool(os.environ.get(PASSWORD_ENV))


def check_password(given: str) -> bool:
    """True only when a password is set and `given` equals it (constant-time comparison)."""
    expected = os.environ.get(PASSWORD_ENV, "")
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class PasswordGate:
    """Wrong admin passwords make the next try wait: per client (a browser session), 1 s after the first failure,
    doubling up to a minute; and once FREE_OVERALL tries in a row have failed from anyone, the same for everyone, so
    new sessions don't reset it. Kept in memory (one server process); a right password, or an hour without a
    failure, forgets them."""

    FIRST_S, MOST_S, FREE_OVERALL, FORGET_S = 1.0, 60.0, 5, 3600.0
    OVERALL = ""  # the key of the everyone-together count

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # client (or OVERALL): (failures in a row, when the last)
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds before `client` may try a password again (0: now)."""
        now = self.clock()
        with self._lock:
            return max(self._left(self._failures.get(f"client:{client}"), 0, now),
                       self._left(self._failures.get(self.OVERALL), self.FREE_OVERALL, now))

    def failed(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"client:{client}", self.OVERALL):
                count, last = self._failures.get(key, (0, now))
                self._failures[key] = (1 if now - last > self.FORGET_S else count + 1, now)
            for key in [k for k, (_, last) in self._failures.items() if now - last > self.FORGET_S]:
                del self._failures[key]  # a server runs for weeks: forgotten clients leave the table

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(f"client:{client}", None)
            self._failures.pop(self.OVERALL, None)

    def _left(self, record: tuple[int, float] | None, free: int, now: float) -> float:
        if record is None or record[0] <= free or now - record[1] > self.FORGET_S:
            return 0.0
        count, last = record
        return max(0.0, last + min(self.FIRST_S * 2 ** (count - free - 1), self.MOST_S) - now)


ADMIN_GATE = PasswordGate()  # this server's


def admit(password: str, *, client: str = "", gate: PasswordGate | None = None) -> bool:
    """Whether `password` is the admin password, counted by `gate` (the server's by default). While `client` must
    wait after wrong passwords, BoardRefusal, without looking at the password."""
    gate = gate or ADMIN_GATE
    wait = gate.wait_s(client)
    if wait > 0:
        seconds = _seconds(wait)
        raise BoardRefusal("board_wait", seconds=seconds)
    if not check_password(password):
        if clearing_enabled():
            gate.failed(client)
        return False
    gate.succeeded(client)
    return True


def clear(password: str, store: Store | None = None, *, client: str = "", gate: PasswordGate | None = None) -> bool:
    """Empty the board when the password is right (`admit`); returns whether it did."""
    if not admit(password, client=client, gate=gate):
        return False
    with (store or open_store()).transaction() as db:
        db.execute("DELETE FROM board")
    return True


def delete_entry(entry_id: int, password: str, store: Store | None = None, *, client: str = "",
                 gate: PasswordGate | None = None) -> bool:
    """Delete one entry when the password is right (`admit`); returns whether it was right. The entry is gone then,
    whether this call or an earlier one (another teacher's tab) deleted it."""
    if not admit(password, client=client, gate=gate):
        return False
    with (store or open_store()).transaction() as db:
        db.execute("DELETE FROM board WHERE id = ?", (int(entry_id),))
    return True
