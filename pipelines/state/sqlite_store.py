"""SQLiteStore: the embedded, persistent dedup state (one file, one machine).

Tables, all keyed by integers where possible so the file stays small:

- ``articles``: one row per emitted article id (the 16-hex id as a signed 64-bit
  rowid): canonical URL, text fingerprint, version, first/last seen, MinHash
  signature, and ``duplicate_of`` for records that were duplicates when first seen.
- ``fingerprints``: normalized-text hash -> the article that first had that text.
- ``recent_bands``, ``middle_bands`` and ``bands``: LSH band key -> article, the
  near-duplicate index, in three tiers (see below).
- ``urls``: fetched pages by URL identity (first/last seen, the feed or sitemap
  modification date seen then), so later runs need not download them again.
- ``batches``: output files (temporary -> final path) of committed batches whose
  renames may not have happened yet; emptied by recovery.

Every :meth:`commit` (and :meth:`register`) is one ``BEGIN IMMEDIATE`` transaction
in WAL mode, so a crash (even SIGKILL) leaves either all of a batch's decisions or
none of them, and processes sharing the file serialize their writes.

The band index is log-structured. An article's 25 band keys are random, so writing them
into one big table dirties ~25 random pages of it per document; once that table outgrows
the page cache, every insert misses the cache and every WAL checkpoint writes scattered
pages of a file of gigabytes. So new band rows go to the small ``recent_bands`` table, which
stays cache-hot, and *sweeps* move them on in key order, through ``middle_bands`` into
``bands``: each commit that indexes d articles moves the rows of the next ``d / sweep_docs``
of the key space from recent_bands into middle_bands, and those of the next
``d / (sweep_docs * MIDDLE_FANOUT)`` from middle_bands into bands (each sweep has its own
cursor in ``meta`` and goes once round the key space every ``sweep_docs`` or
``sweep_docs * MIDDLE_FANOUT`` indexed articles). Moved rows are sorted and adjacent, so
each page of the target table is written at most once per round, not once per row. With
one sweep straight into bands, each article cost ``pages of bands / sweep_docs`` page
writes (7.4 at a million articles); through the middle tier it is about a third of that.
The moves are part of the commit's own transaction. Lookups read all three tables.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pipelines.state.neardup import NearDupIndex
from pipelines.state.store import (
    Candidate,
    Decision,
    FileMove,
    Registration,
    StoreError,
    UrlNote,
    UrlState,
    Verdict,
)

logger = logging.getLogger(__name__)
_R = TypeVar("_R")

# 2: the middle tier of the band index. Stores of version 1 are upgraded when opened (the
# new table starts empty); older builds refuse version 2, whose middle tier they would miss.
SCHEMA_VERSION = 2
_BULK_BANDS = 500_000  # band rows sorted and written together by bulk_load
# Indexed articles per full sweep of recent_bands into middle_bands. recent_bands then holds
# the band rows of about SWEEP_DOCS / 2 articles (250k rows, ~6 MB: it stays in the page
# cache). A bigger recent_bands spreads each checkpoint over more scattered pages (3,900 runs
# of pages per 10,000 WAL frames with 100k, 1,300-1,500 with 10k-20k; python -m bench.dedup
# and the WAL at 1M documents), since its inserts are random.
SWEEP_DOCS = 20_000
# middle_bands is swept into bands this many times more slowly than recent_bands into it: it
# holds the rows of about SWEEP_DOCS * MIDDLE_FANOUT / 2 articles (56 MB, sorted inserts
# only), and each indexed article rewrites about (pages of bands) / (SWEEP_DOCS *
# MIDDLE_FANOUT) pages of bands plus (pages of middle_bands) / SWEEP_DOCS of it.
MIDDLE_FANOUT = 10
_KEY_SPACE = 1 << 64  # band keys are signed 64-bit integers
_KEY_MIN = -(1 << 63)
# Each sweep: (from table, to table, meta key of its cursor, slowness relative to the
# recent one). The deeper one runs first, so rows moved by a commit move only one tier.
_SWEEPS = (
    ("middle_bands", "bands", "middle_sweep_cursor", MIDDLE_FANOUT),
    ("recent_bands", "middle_bands", "sweep_cursor", 1),
)
_BAND_TABLES = ("recent_bands", "middle_bands", "bands")
_SCHEMA = """
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


class StoreBusy(StoreError):
    """The store stayed locked by another process longer than the busy timeout."""


class StoreDamaged(StoreError):
    """The file is not a sound SQLite database: nothing it says can be trusted."""


@contextmanager
def _errors_as_store_errors(path: Path, busy_timeout: float) -> Iterator[None]:
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


def _guarded(method: Callable[..., _R]) -> Callable[..., _R]:
    @functools.wraps(method)
    def guarded(self: SQLiteStore, *args: Any, **kwargs: Any) -> _R:
        with _errors_as_store_errors(self.path, self.busy_timeout):
            return method(self, *args, **kwargs)

    return guarded


def id_to_int(article_id: str) -> int:
    """16 hex digits as a signed 64-bit integer (SQLite's INTEGER)."""
    value = int(article_id, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def int_to_id(value: int) -> str:
    return f"{value & 0xFFFFFFFFFFFFFFFF:016x}"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def sweep_ranges(cursor: int, width: int) -> tuple[list[tuple[int, int]], int]:
    """The band keys a sweep step of ``width`` keys from ``cursor`` covers, and the next cursor.

    Keys are signed 64-bit integers taken in order from ``-2**63`` to ``2**63 - 1``, then
    round again: the result is one or two inclusive (low, high) ranges (two when the step
    wraps past the largest key), or the whole key space when ``width`` covers it.
    """
    if width >= _KEY_SPACE:
        return [(_KEY_MIN, -_KEY_MIN - 1)], cursor
    start = cursor - _KEY_MIN  # unsigned offset, 0 .. 2**64 - 1
    end = start + width
    if end <= _KEY_SPACE:
        ranges = [(cursor, end - 1 + _KEY_MIN)]
    else:
        ranges = [(cursor, -_KEY_MIN - 1), (_KEY_MIN, end - _KEY_SPACE - 1 + _KEY_MIN)]
    return [(low, high) for low, high in ranges if low <= high], end % _KEY_SPACE + _KEY_MIN


class SQLiteStore:
    def __init__(
        self,
        path: Path,
        index: NearDupIndex | None = None,
        *,
        sweep_docs: int = SWEEP_DOCS,
        busy_timeout: float = 30.0,
    ) -> None:
        if sweep_docs < 1:
            raise ValueError(f"sweep_docs must be at least 1, got {sweep_docs}")
        self.path = path
        self.index = index
        self.sweep_docs = sweep_docs
        self._indexed = 0  # articles given band rows in the open transaction
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the state directory {path.parent}: {exc}") from exc
        self.busy_timeout = busy_timeout
        with _errors_as_store_errors(path, busy_timeout):
            self.db = self._open(path, busy_timeout)
            self._check_meta()

    @staticmethod
    def _open(path: Path, busy_timeout: float) -> sqlite3.Connection:
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
        db.executescript(_SCHEMA)
        return db

    # --- configuration guard ----------------------------------------------------------

    def _index_identity(self) -> dict[str, Any]:
        """What must not change while signatures are stored (threshold may change)."""
        if self.index is None:
            return {}
        config = self.index.config
        return {
            "scheme": self.index.scheme,
            "num_perm": config.num_perm,
            "bands": config.bands,
            "rows": config.rows,
            "shingle_size": config.shingle_size,
            "seed": config.seed,
        }

    def _check_meta(self) -> None:
        rows = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if rows.get("schema") == "1":
            # Version 1 lacked middle_bands, which the schema script has just created.
            self.db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),)
            )
            rows["schema"] = str(SCHEMA_VERSION)
        wanted = {"schema": str(SCHEMA_VERSION)}
        identity = self._index_identity()
        if identity:
            wanted["near_dup"] = json.dumps(identity, sort_keys=True)
        for key, value in wanted.items():
            if key not in rows:
                self.db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
            elif rows[key] != value:
                raise StoreError(
                    f"state store {self.path} was built with {key}={rows[key]}, "
                    f"this run uses {value}; reset it with -s NEWS_STATE_RESET=1"
                )

    # --- deciding and committing -----------------------------------------------------

    @_guarded
    def decide(self, candidate: Candidate) -> Registration:
        article = id_to_int(candidate.article_id)
        fingerprint = bytes.fromhex(candidate.fingerprint)
        row = self.db.execute(
            "SELECT fingerprint, version FROM articles WHERE id = ?", (article,)
        ).fetchone()
        if row is not None:
            old_fingerprint, version = row
            if old_fingerprint == fingerprint:
                return Registration(Verdict.UNCHANGED, version=version)
            return Registration(
                Verdict.REVISED, version=version + 1, previous_fingerprint=old_fingerprint.hex()
            )
        owner = self.db.execute(
            "SELECT article FROM fingerprints WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        if owner is not None:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=int_to_id(owner[0]))
        near = self._nearest(candidate.signature if self.index is not None else None)
        if near is not None:
            other, similarity = near
            return Registration(
                Verdict.NEAR_DUPLICATE, duplicate_of=int_to_id(other), similarity=similarity
            )
        return Registration(Verdict.NEW)

    @_guarded
    def commit(
        self,
        decisions: Sequence[Decision],
        files: Sequence[FileMove] = (),
        urls: Sequence[UrlNote] = (),
    ) -> None:
        now = _now()
        with self._transaction():
            for candidate, registration in decisions:
                self._apply(candidate, registration, now)
            self.db.executemany(
                "INSERT INTO urls VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "article = excluded.article, last_seen = excluded.last_seen, "
                "modified_hint = coalesce(excluded.modified_hint, urls.modified_hint)",
                [
                    (
                        note.key,
                        id_to_int(note.article_id) if note.article_id else None,
                        now,
                        now,
                        note.modified_hint,
                    )
                    for note in urls
                ],
            )
            if files:
                self.db.execute(
                    "INSERT INTO batches (files, committed_at) VALUES (?, ?)",
                    (json.dumps([list(move) for move in files]), now),
                )

    @_guarded
    def register(self, candidate: Candidate) -> Registration:
        # IMMEDIATE takes the write lock before deciding: another process sharing the
        # file cannot slip a conflicting decision in between.
        now = _now()
        with self._transaction():
            registration = self.decide(candidate)
            self._apply(candidate, registration, now)
        return registration

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction: all of the block's changes and its sweep, or none."""
        self.db.execute("BEGIN IMMEDIATE")
        self._indexed = 0
        try:
            yield
            self._sweep()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _sweep(self) -> None:
        """Moves the next stretches of the band tiers on, in the open transaction.

        Each stretch is proportional to the articles this transaction indexed, so each
        sweep's cursor goes once round the key space every ``sweep_docs`` (times its
        slowness) indexed articles.
        """
        indexed, self._indexed = self._indexed, 0
        if not indexed:
            return
        db = self.db
        for source, target, cursor_key, slowness in _SWEEPS:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (cursor_key,)).fetchone()
            cursor = int(row[0]) if row is not None else _KEY_MIN
            width = indexed * _KEY_SPACE // (self.sweep_docs * slowness)
            ranges, cursor = sweep_ranges(cursor, width)
            for low, high in ranges:
                # In key order: the rows land on consecutive pages of the target, each
                # written once.
                db.execute(
                    f"INSERT OR IGNORE INTO {target} SELECT key, article FROM {source} "
                    "WHERE key BETWEEN ? AND ? ORDER BY key, article",
                    (low, high),
                )
                db.execute(f"DELETE FROM {source} WHERE key BETWEEN ? AND ?", (low, high))
            db.execute(
                "INSERT INTO meta VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (cursor_key, str(cursor)),
            )

    def _apply(self, candidate: Candidate, registration: Registration, now: str) -> None:
        db = self.db
        article = id_to_int(candidate.article_id)
        fingerprint = bytes.fromhex(candidate.fingerprint)
        signature = candidate.signature if self.index is not None else None
        verdict = registration.verdict
        if verdict is Verdict.UNCHANGED:
            db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", (now, article))
        elif verdict is Verdict.REVISED:
            is_original, old_signature = db.execute(
                "SELECT duplicate_of IS NULL, signature FROM articles WHERE id = ?", (article,)
            ).fetchone()
            db.execute(
                "UPDATE articles SET fingerprint = ?, version = ?, last_seen = ?, url = ?, "
                "signature = ? WHERE id = ?",
                (
                    fingerprint,
                    registration.version,
                    now,
                    candidate.url,
                    self._pack(signature),
                    article,
                ),
            )
            if is_original:
                db.execute(
                    "INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", (fingerprint, article)
                )
                self._unindex_bands(article, old_signature)
                self._index_bands(article, signature)
        elif verdict is Verdict.NEW:
            self._insert(article, candidate.url, fingerprint, signature, now)
            db.execute("INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", (fingerprint, article))
            self._index_bands(article, signature)
        else:
            assert registration.duplicate_of is not None
            self._insert(
                article,
                candidate.url,
                fingerprint,
                signature,
                now,
                duplicate_of=id_to_int(registration.duplicate_of),
            )

    @_guarded
    def url_state(self, key: str) -> UrlState | None:
        row = self.db.execute(
            "SELECT article, first_seen, last_seen, modified_hint FROM urls WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        article, first_seen, last_seen, hint = row
        return UrlState(
            int_to_id(article) if article is not None else None, first_seen, last_seen, hint
        )

    # --- batches of output files --------------------------------------------------

    @_guarded
    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]:
        rows = self.db.execute("SELECT id, files FROM batches ORDER BY id").fetchall()
        return [(batch_id, [(a, b) for a, b in json.loads(files)]) for batch_id, files in rows]

    @_guarded
    def finish_batch(self, batch_id: int) -> None:
        self.db.execute("DELETE FROM batches WHERE id = ?", (batch_id,))

    def _insert(
        self,
        article: int,
        url: str,
        fingerprint: bytes,
        signature: tuple[int, ...] | None,
        now: str,
        duplicate_of: int | None = None,
    ) -> None:
        # Duplicates are remembered (so a rerun calls them unchanged) but never indexed:
        # later copies then point at the original, not at a copy of it.
        self.db.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
            (article, url, fingerprint, now, now, self._pack(signature), duplicate_of),
        )

    def _index_bands(self, article: int, signature: tuple[int, ...] | None) -> None:
        if signature is None or self.index is None:
            return
        keys = self.index.band_keys(signature)
        if not keys:
            return
        # Into the small tier; the sweep moves them into bands later (see the module doc).
        self.db.executemany(
            "INSERT OR IGNORE INTO recent_bands VALUES (?, ?)", [(key, article) for key in keys]
        )
        self._indexed += 1

    def _unindex_bands(self, article: int, packed: bytes | None) -> None:
        # By primary key (key, article): a scan of all bands costs seconds at 1M documents.
        if packed is None or self.index is None:
            return
        pairs = [(key, article) for key in self.index.band_keys(self.index.unpack(packed))]
        for table in _BAND_TABLES:  # swept or not yet
            self.db.executemany(f"DELETE FROM {table} WHERE key = ? AND article = ?", pairs)

    def _nearest(self, signature: tuple[int, ...] | None) -> tuple[int, float] | None:
        if signature is None or self.index is None:
            return None
        keys = self.index.band_keys(signature)
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        # UNION: an article is one candidate however many of its rows match, in any tier.
        union = " UNION ".join(
            f"SELECT article FROM {table} WHERE key IN ({marks})" for table in _BAND_TABLES
        )
        candidates = self.db.execute(
            f"SELECT a.id, a.signature FROM ({union}) b JOIN articles a ON a.id = b.article",
            keys * len(_BAND_TABLES),
        ).fetchall()
        best: tuple[int, float] | None = None
        for other, packed in candidates:
            if packed is None:
                continue
            theirs = self.index.unpack(packed)
            if not self.index.is_near_duplicate(signature, theirs):
                continue
            similarity = self.index.similarity(signature, theirs)
            # Ties go to the smaller id: the answer must not depend on which tier or in
            # which order the candidates came.
            if best is None or (similarity, -other) > (best[1], -best[0]):
                best = (other, similarity)
        return best

    def _pack(self, signature: tuple[int, ...] | None) -> bytes | None:
        if signature is None or self.index is None:
            return None
        return self.index.pack(signature)

    # --- queries and maintenance ------------------------------------------------------

    @_guarded
    def known(self, article_id: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE id = ?", (id_to_int(article_id),)
        ).fetchone()
        return row is not None

    @_guarded
    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    @_guarded
    def bulk_load(
        self,
        rows: Iterable[tuple[str, str, str, tuple[int, ...] | None]],
        *,
        into_middle: bool = False,
    ) -> int:
        """Insert (article_id, url, fingerprint, signature) rows as new originals, fast.

        For benchmarks and migrations: one transaction, no per-row decision. Band rows go
        to the main tier, or with ``into_middle`` to the middle one (a benchmark building a
        store as a crawl would have left it).
        """
        table = "middle_bands" if into_middle else "bands"
        now = _now()
        loaded = 0
        bands: list[tuple[int, int]] = []
        with self._transaction():  # indexes nothing through recent_bands: no sweep
            for article_id, url, fingerprint, signature in rows:
                article, digest = id_to_int(article_id), bytes.fromhex(fingerprint)
                self._insert(article, url, digest, signature, now)
                self.db.execute(
                    "INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", (digest, article)
                )
                if signature is not None and self.index is not None:
                    bands += [(key, article) for key in self.index.band_keys(signature)]
                loaded += 1
                if len(bands) >= _BULK_BANDS:
                    self._insert_bands_sorted(table, bands)
            self._insert_bands_sorted(table, bands)
        return loaded

    def _insert_bands_sorted(self, table: str, bands: list[tuple[int, int]]) -> None:
        # In key order, B-tree pages fill in sequence instead of by random writes.
        bands.sort()
        self.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", bands)
        bands.clear()

    def check_consistency(self) -> list[str]:
        """Problems found in the file; empty when it is sound."""
        problems = []
        result = self.db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            problems.append(f"integrity_check: {result}")
        orphans = self.db.execute(
            "SELECT count(*) FROM fingerprints f LEFT JOIN articles a ON a.id = f.article "
            "WHERE a.id IS NULL"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} fingerprints point to no article")
        for table in _BAND_TABLES:
            orphan_bands = self.db.execute(
                f"SELECT count(*) FROM {table} b LEFT JOIN articles a ON a.id = b.article "
                "WHERE a.id IS NULL"
            ).fetchone()[0]
            if orphan_bands:
                problems.append(f"{orphan_bands} band keys in {table} point to no article")
        return problems

    def close(self) -> None:
        self.db.close()
