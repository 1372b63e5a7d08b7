"""SQLiteStore: the embedded, persistent dedup state (one file, one machine).

Tables, all keyed by integers where possible so the file stays small:

- ``articles``: one row per emitted article id (the 16-hex id as a signed 64-bit
  rowid): canonical URL, text fingerprint, version, first/last seen, MinHash
  signature, and ``duplicate_of`` for records that were duplicates when first seen.
- ``fingerprints``: normalized-text hash -> the article that first had that text.
- ``bands``: LSH band key -> article, the near-duplicate index.
- ``urls``: fetched pages by URL identity (first/last seen, the feed or sitemap
  modification date seen then), so later runs need not download them again.
- ``batches``: output files (temporary -> final path) of committed batches whose
  renames may not have happened yet; emptied by recovery.

Every :meth:`commit` (and :meth:`register`) is one ``BEGIN IMMEDIATE`` transaction
in WAL mode, so a crash (even SIGKILL) leaves either all of a batch's decisions or
none of them, and processes sharing the file serialize their writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.neardup import NearDupIndex
from pipelines.store import (
    Candidate,
    Decision,
    FileMove,
    Registration,
    UrlNote,
    UrlState,
    Verdict,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_BULK_BANDS = 500_000  # band rows sorted and written together by bulk_load
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
"""


class StoreError(RuntimeError):
    """The state store cannot be used as configured; the message says how to fix it."""


def id_to_int(article_id: str) -> int:
    """16 hex digits as a signed 64-bit integer (SQLite's INTEGER)."""
    value = int(article_id, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def int_to_id(value: int) -> str:
    return f"{value & 0xFFFFFFFFFFFFFFFF:016x}"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class SQLiteStore:
    def __init__(self, path: Path, index: NearDupIndex | None = None) -> None:
        self.path = path
        self.index = index
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit, so each decision is one.
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        for pragma in (
            "journal_mode=WAL",
            # With WAL, NORMAL never corrupts and never loses a commit on a process
            # crash; only an OS crash may lose the last commits.
            "synchronous=NORMAL",
            "cache_size=-65536",
            "mmap_size=268435456",
            "temp_store=MEMORY",
            # Keeps the WAL file from staying at its high-water mark after big batches.
            "journal_size_limit=67108864",
        ):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self._check_meta()

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

    def commit(
        self,
        decisions: Sequence[Decision],
        files: Sequence[FileMove] = (),
        urls: Sequence[UrlNote] = (),
    ) -> None:
        now = _now()
        self.db.execute("BEGIN IMMEDIATE")
        try:
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
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def register(self, candidate: Candidate) -> Registration:
        # IMMEDIATE takes the write lock before deciding: another process sharing the
        # file cannot slip a conflicting decision in between.
        now = _now()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            registration = self.decide(candidate)
            self._apply(candidate, registration, now)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return registration

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

    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]:
        rows = self.db.execute("SELECT id, files FROM batches ORDER BY id").fetchall()
        return [(batch_id, [(a, b) for a, b in json.loads(files)]) for batch_id, files in rows]

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
        self.db.executemany(
            "INSERT OR IGNORE INTO bands VALUES (?, ?)",
            [(key, article) for key in self.index.band_keys(signature)],
        )

    def _unindex_bands(self, article: int, packed: bytes | None) -> None:
        # By primary key (key, article): a scan of all bands costs seconds at 1M documents.
        if packed is None or self.index is None:
            return
        keys = self.index.band_keys(self.index.unpack(packed))
        self.db.executemany(
            "DELETE FROM bands WHERE key = ? AND article = ?", [(key, article) for key in keys]
        )

    def _nearest(self, signature: tuple[int, ...] | None) -> tuple[int, float] | None:
        if signature is None or self.index is None:
            return None
        keys = self.index.band_keys(signature)
        marks = ",".join("?" * len(keys))
        candidates = self.db.execute(
            f"SELECT DISTINCT a.id, a.signature FROM bands b JOIN articles a ON a.id = b.article "
            f"WHERE b.key IN ({marks})",
            keys,
        ).fetchall()
        best: tuple[int, float] | None = None
        for other, packed in candidates:
            if packed is None:
                continue
            theirs = self.index.unpack(packed)
            if not self.index.is_near_duplicate(signature, theirs):
                continue
            similarity = self.index.similarity(signature, theirs)
            if best is None or similarity > best[1]:
                best = (other, similarity)
        return best

    def _pack(self, signature: tuple[int, ...] | None) -> bytes | None:
        if signature is None or self.index is None:
            return None
        return self.index.pack(signature)

    # --- queries and maintenance ------------------------------------------------------

    def known(self, article_id: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE id = ?", (id_to_int(article_id),)
        ).fetchone()
        return row is not None

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def bulk_load(self, rows: Iterable[tuple[str, str, str, tuple[int, ...] | None]]) -> int:
        """Insert (article_id, url, fingerprint, signature) rows as new originals, fast.

        For benchmarks and migrations: one transaction, no per-row decision.
        """
        now = _now()
        loaded = 0
        bands: list[tuple[int, int]] = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
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
                    self._insert_bands_sorted(bands)
            self._insert_bands_sorted(bands)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return loaded

    def _insert_bands_sorted(self, bands: list[tuple[int, int]]) -> None:
        # In key order, B-tree pages fill in sequence instead of by random writes.
        bands.sort()
        self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", bands)
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
        orphan_bands = self.db.execute(
            "SELECT count(*) FROM bands b LEFT JOIN articles a ON a.id = b.article "
            "WHERE a.id IS NULL"
        ).fetchone()[0]
        if orphan_bands:
            problems.append(f"{orphan_bands} band keys point to no article")
        return problems

    def close(self) -> None:
        self.db.close()
