"""The SQLite store's file: its connection settings, schema, ids, and errors in words a user
can act on."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pipelines.state.store import StoreError

_R = TypeVar("_R")


class _HasPath(Protocol):
    path: Path
    busy_timeout: float


# 2: the middle tier of the band index. Stores of version 1 are upgraded when opened (the
# new table starts empty); older builds refuse version 2, whose middle tier they would miss.
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    version INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    signature BLOB,
    duplicate_of INTEGER
);
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint BLOB PRIMARY KEY,
    article INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS urls (
    key TEXT PRIMARY KEY,
    article INTEGER,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    modified_hint TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    files TEXT NOT NULL,
    committed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (key, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recent_bands (
    key INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (key, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS middle_bands (
    key INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (key, article)
) WITHOUT ROWID;
"""


def open_database(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """The store's file, opened with its pragmas, checked, and with the schema in place."""
    # isolation_level=None: transactions are explicit, so each decision is one.
    db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    for pragma in (
        "journal_mode=WAL",
        # With WAL, NORMAL never corrupts and never loses a commit on a process
        # crash; only an OS crash may lose the last commits.
        "synchronous=NORMAL",
        "cache_size=-65536",
        # The whole file up to SQLite's cap (2 GB, ~1.5M documents): band and article
        # lookups are random pages of it, and a mapped page costs less than a read()
        # into the page cache (at 1M documents decide() takes 0.13 ms instead of 0.19).
        "mmap_size=2147483648",
        "temp_store=MEMORY",
        # Checkpoint every ~40 MB of WAL, not every 4 MB: each checkpoint ends in an fsync
        # of scattered pages (~10 ms on the benchmark machine even for a small file), and
        # pages written again meanwhile are copied once. Halves the mean per-document
        # cost of register() at 10k and at 1M documents (python -m bench.dedup).
        "wal_autocheckpoint=10000",
        # Keeps the WAL file from staying at its high-water mark after big batches (and
        # above the autocheckpoint size, so the WAL is not truncated after every one).
        "journal_size_limit=67108864",
    ):
        db.execute(f"PRAGMA {pragma}")
    # A damaged file must stop the run before it decides anything: a lost page of
    # articles would re-emit them, a lost index page would hide duplicates.
    verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if verdict != "ok":
        db.close()
        raise sqlite3.DatabaseError(f"quick_check: {verdict}")
    db.executescript(SCHEMA)
    return db


class StoreBusy(StoreError):
    """The store stayed locked by another process longer than the busy timeout."""


class StoreDamaged(StoreError):
    """The file is not a sound SQLite database: nothing it says can be trusted."""


@contextmanager
def errors_as_store_errors(path: Path, busy_timeout: float) -> Iterator[None]:
    """sqlite3 errors as StoreErrors that say what happened and what to do."""
    try:
        yield
    except StoreError:
        raise
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "locked" in message or "busy" in message:
            raise StoreBusy(
                f"state store {path} stayed locked for over {busy_timeout:g} s ({message}); "
                "is another program holding it?"
            ) from exc
        if "malformed" not in message and "not a database" not in message:
            raise StoreError(f"state store {path}: {message}") from exc
        raise _damaged(path, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from exc


def _damaged(path: Path, exc: BaseException) -> StoreDamaged:
    return StoreDamaged(
        f"state store {path} is damaged ({exc}): restore it from a backup, or start afresh "
        "with -s NEWS_STATE_RESET=1 (every article then counts as new once)"
    )


def guarded(method: Callable[..., _R]) -> Callable[..., _R]:
    @functools.wraps(method)
    def guarded(self: _HasPath, *args: Any, **kwargs: Any) -> _R:
        with errors_as_store_errors(self.path, self.busy_timeout):
            return method(self, *args, **kwargs)

    return guarded


def id_to_int(article_id: str) -> int:
    """16 hex digits as a signed 64-bit integer (SQLite's INTEGER)."""
    value = int(article_id, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def int_to_id(value: int) -> str:
    return f"{value & 0xFFFFFFFFFFFFFFFF:016x}"


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
