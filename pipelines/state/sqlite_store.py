"""SQLiteStore: the embedded, persistent dedup state (one file, one machine).

Tables, all keyed by integers where possible so the file stays small:

- ``articles``: one row per article id decided on (the 16-hex id as a signed 64-bit
  rowid): canonical URL, text fingerprint, version, first/last seen, MinHash
  signature, and ``duplicate_of`` for copies (records that were duplicates when last
  seen, so never emitted as stories of their own; only originals are indexed below).
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
The band index lives in :mod:`pipelines.state.sqlite_bands`; the connection's settings, the
schema and the error mapping in :mod:`pipelines.state.sqlite_schema`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pipelines.state.neardup import NearDupIndex
from pipelines.state.sqlite_bands import MIDDLE_FANOUT, SWEEP_DOCS, BandTiers, sweep_ranges
from pipelines.state.sqlite_schema import (
    SCHEMA_VERSION,
    StoreBusy,
    StoreDamaged,
    errors_as_store_errors,
    guarded,
    id_to_int,
    int_to_id,
    open_database,
)
from pipelines.state.sqlite_schema import now as now_iso
from pipelines.state.store import (
    Candidate,
    Decision,
    FileMove,
    Registration,
    StoredArticle,
    StoreError,
    UrlNote,
    UrlState,
    Verdict,
    judge,
)

logger = logging.getLogger(__name__)

_BULK_BANDS = 500_000  # band rows sorted and written together by bulk_load
# Re-exported: tests and benchmarks tune and inspect the sweeps through the store's module.
__all__ = [
    "MIDDLE_FANOUT",
    "SWEEP_DOCS",
    "SQLiteStore",
    "StoreBusy",
    "StoreDamaged",
    "id_to_int",
    "int_to_id",
    "sweep_ranges",
]


class SQLiteStore:
    def __init__(
        self,
        path: Path,
        index: NearDupIndex | None = None,
        *,
        sweep_docs: int = SWEEP_DOCS,
        busy_timeout: float = 30.0,
    ) -> None:
        self.path = path
        self.index = index
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the state directory {path.parent}: {exc}") from exc
        self.busy_timeout = busy_timeout
        with errors_as_store_errors(path, busy_timeout):
            self.db = open_database(path, busy_timeout)
            self._check_meta()
        self.bands = BandTiers(self.db, index, sweep_docs)

    # --- configuration guard ----------------------------------------------------------

    def _check_meta(self) -> None:
        rows = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if rows.get("schema") == "1":
            # Version 1 lacked middle_bands, which the schema script has just created.
            self.db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),)
            )
            rows["schema"] = str(SCHEMA_VERSION)
        wanted = {"schema": str(SCHEMA_VERSION)}
        if self.index is not None:
            # What must not change while signatures are stored (the threshold may).
            wanted["near_dup"] = self.index.identity
        for key, value in wanted.items():
            if key not in rows:
                self.db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
            elif rows[key] != value:
                raise StoreError(
                    f"state store {self.path} was built with {key}={rows[key]}, "
                    f"this run uses {value}; reset it with -s NEWS_STATE_RESET=1"
                )

    # --- deciding and committing -----------------------------------------------------

    @guarded
    def decide(self, candidate: Candidate) -> Registration:
        stored = self.article(candidate.article_id)
        return judge(stored, candidate, lambda: self._original_of(candidate))

    def _original_of(self, candidate: Candidate) -> Registration | None:
        """The original the candidate's text copies (exactly, else nearly), never itself."""
        article = id_to_int(candidate.article_id)
        owner = self.db.execute(
            "SELECT article FROM fingerprints WHERE fingerprint = ?",
            (bytes.fromhex(candidate.fingerprint),),
        ).fetchone()
        if owner is not None and owner[0] != article:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=int_to_id(owner[0]))
        signature = candidate.signature if self.index is not None else None
        near = self.bands.nearest(signature, exclude=article)
        if near is not None:
            other, similarity = near
            return Registration(
                Verdict.NEAR_DUPLICATE, duplicate_of=int_to_id(other), similarity=similarity
            )
        return None

    @guarded
    def article(self, article_id: str) -> StoredArticle | None:
        row = self.db.execute(
            "SELECT fingerprint, version, duplicate_of FROM articles WHERE id = ?",
            (id_to_int(article_id),),
        ).fetchone()
        if row is None:
            return None
        fingerprint, version, duplicate_of = row
        original = int_to_id(duplicate_of) if duplicate_of is not None else None
        return StoredArticle(fingerprint.hex(), version, original)

    @guarded
    def commit(
        self,
        decisions: Sequence[Decision],
        files: Sequence[FileMove] = (),
        urls: Sequence[UrlNote] = (),
    ) -> None:
        now = now_iso()
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

    @guarded
    def register(self, candidate: Candidate) -> Registration:
        # IMMEDIATE takes the write lock before deciding: another process sharing the
        # file cannot slip a conflicting decision in between.
        now = now_iso()
        with self._transaction():
            registration = self.decide(candidate)
            self._apply(candidate, registration, now)
        return registration

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction: all of the block's changes and its sweep, or none."""
        self.db.execute("BEGIN IMMEDIATE")
        self.bands.indexed = 0
        try:
            yield
            self.bands.sweep()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

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
                self.bands.remove(article, old_signature)
                self.bands.add(article, signature)
        elif verdict is Verdict.NEW:  # a new article, or a copy promoted to an original
            self._put_row(article, candidate, registration, fingerprint, signature, now)
            db.execute("INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", (fingerprint, article))
            self.bands.add(article, signature)
        else:
            # A copy, new or with its new text: remembered (so a rerun calls it unchanged)
            # but never indexed: later copies then point at the original, not at a copy.
            assert registration.duplicate_of is not None
            self._put_row(article, candidate, registration, fingerprint, signature, now)

    @guarded
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

    @guarded
    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]:
        rows = self.db.execute("SELECT id, files FROM batches ORDER BY id").fetchall()
        return [(batch_id, [(a, b) for a, b in json.loads(files)]) for batch_id, files in rows]

    @guarded
    def finish_batch(self, batch_id: int) -> None:
        self.db.execute("DELETE FROM batches WHERE id = ?", (batch_id,))

    def _put_row(
        self,
        article: int,
        candidate: Candidate,
        registration: Registration,
        fingerprint: bytes,
        signature: tuple[int, ...] | None,
        now: str,
    ) -> None:
        """The article's row as the registration says; a stored copy's row is replaced
        (its new text, version and original, or none once promoted), an original's never."""
        original = registration.duplicate_of
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
            "SET url = excluded.url, fingerprint = excluded.fingerprint, version = "
            "excluded.version, last_seen = excluded.last_seen, signature = excluded.signature, "
            "duplicate_of = excluded.duplicate_of WHERE articles.duplicate_of IS NOT NULL",
            (
                article,
                candidate.url,
                fingerprint,
                registration.version,
                now,
                now,
                self._pack(signature),
                id_to_int(original) if original is not None else None,
            ),
        )

    def _insert(
        self,
        article: int,
        url: str,
        fingerprint: bytes,
        signature: tuple[int, ...] | None,
        now: str,
    ) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, 1, ?, ?, ?, NULL)",
            (article, url, fingerprint, now, now, self._pack(signature)),
        )

    def _pack(self, signature: tuple[int, ...] | None) -> bytes | None:
        if signature is None or self.index is None:
            return None
        return self.index.pack(signature)

    # --- queries and maintenance ------------------------------------------------------

    @guarded
    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    @guarded
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
        now = now_iso()
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
                    self.bands.insert_sorted(table, bands)
            self.bands.insert_sorted(table, bands)
        return loaded

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
        return problems + self.bands.orphan_problems()

    def close(self) -> None:
        self.db.close()
