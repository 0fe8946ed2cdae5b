"""Files under the data folder, written atomically: a temporary name in the same folder, fsync, rename.

A reader never sees a half-written file: until the rename the final name does not exist (or holds the old
bytes), and a writer killed before it leaves only a temporary file, which `remove_stale_temps` deletes.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

TEMP_SUFFIX = ".tmp"
CHUNK = 1 << 20  # written in 1 MB pieces
STALE_S = 3600.0  # a temporary file this old is abandoned whoever wrote it


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that `path` holds either nothing (or its old bytes) or all of `data`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    try:
        with open(temp, "xb") as handle:
            for start in range(0, len(data), CHUNK):
                handle.write(data[start:start + CHUNK])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a deletion in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


def remove_stale_temps(folder: Path, now: float | None = None) -> int:
    """Delete temporary files whose writer is gone (or that are over an hour old); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for path in folder.rglob(f".*{TEMP_SUFFIX}"):
        try:
            if _writer_gone(path) or now - path.stat().st_mtime > STALE_S:
                path.unlink()
                removed += 1
        except OSError:
            continue  # already removed by another process
    return removed


def _writer_gone(path: Path) -> bool:
    """True when the process named in the temporary file's name no longer runs."""
    parts = path.name.split(".")  # "", name..., pid, random, "tmp"
    try:
        pid = int(parts[-3])
    except (IndexError, ValueError):
        return True
    if pid == os.getpid():
        return False  # one of this process's threads may be writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
