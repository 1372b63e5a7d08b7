"""The SQLite store's near-duplicate index: LSH band keys in three tiers.

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

import sqlite3

from pipelines.state.neardup import NearDupIndex

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
KEY_SPACE = 1 << 64  # band keys are signed 64-bit integers
KEY_MIN = -(1 << 63)
# Each sweep: (from table, to table, meta key of its cursor, slowness relative to the
# recent one). The deeper one runs first, so rows moved by a commit move only one tier.
SWEEPS = (
    ("middle_bands", "bands", "middle_sweep_cursor", MIDDLE_FANOUT),
    ("recent_bands", "middle_bands", "sweep_cursor", 1),
)
BAND_TABLES = ("recent_bands", "middle_bands", "bands")


def sweep_ranges(cursor: int, width: int) -> tuple[list[tuple[int, int]], int]:
    """The band keys a sweep step of ``width`` keys from ``cursor`` covers, and the next cursor.

    Keys are signed 64-bit integers taken in order from ``-2**63`` to ``2**63 - 1``, then
    round again: the result is one or two inclusive (low, high) ranges (two when the step
    wraps past the largest key), or the whole key space when ``width`` covers it.
    """
    if width >= KEY_SPACE:
        return [(KEY_MIN, -KEY_MIN - 1)], cursor
    start = cursor - KEY_MIN  # unsigned offset, 0 .. 2**64 - 1
    end = start + width
    if end <= KEY_SPACE:
        ranges = [(cursor, end - 1 + KEY_MIN)]
    else:
        ranges = [(cursor, -KEY_MIN - 1), (KEY_MIN, end - KEY_SPACE - 1 + KEY_MIN)]
    return [(low, high) for low, high in ranges if low <= high], end % KEY_SPACE + KEY_MIN


class BandTiers:
    """The band tables of one store's connection; writes happen in the caller's transaction."""

    def __init__(self, db: sqlite3.Connection, index: NearDupIndex | None, sweep_docs: int) -> None:
        if sweep_docs < 1:
            raise ValueError(f"sweep_docs must be at least 1, got {sweep_docs}")
        self.db = db
        self.index = index
        self.sweep_docs = sweep_docs
        self.indexed = 0  # articles given band rows in the open transaction

    def add(self, article: int, signature: tuple[int, ...] | None) -> None:
        if signature is None or self.index is None:
            return
        keys = self.index.band_keys(signature)
        if not keys:
            return
        # Into the small tier; the sweep moves them into bands later (see the module doc).
        self.db.executemany(
            "INSERT OR IGNORE INTO recent_bands VALUES (?, ?)", [(key, article) for key in keys]
        )
        self.indexed += 1

    def remove(self, article: int, packed: bytes | None) -> None:
        # By primary key (key, article): a scan of all bands costs seconds at 1M documents.
        if packed is None or self.index is None:
            return
        pairs = [(key, article) for key in self.index.band_keys(self.index.unpack(packed))]
        for table in BAND_TABLES:  # swept or not yet
            self.db.executemany(f"DELETE FROM {table} WHERE key = ? AND article = ?", pairs)

    def nearest(
        self, signature: tuple[int, ...] | None, exclude: int | None = None
    ) -> tuple[int, float] | None:
        """The indexed article most like ``signature`` (not ``exclude``), and the similarity."""
        if signature is None or self.index is None:
            return None
        keys = self.index.band_keys(signature)
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        # UNION: an article is one candidate however many of its rows match, in any tier.
        union = " UNION ".join(
            f"SELECT article FROM {table} WHERE key IN ({marks})" for table in BAND_TABLES
        )
        candidates = self.db.execute(
            f"SELECT a.id, a.signature FROM ({union}) b JOIN articles a ON a.id = b.article",
            keys * len(BAND_TABLES),
        ).fetchall()
        best: tuple[int, float] | None = None
        for other, packed in candidates:
            if packed is None or other == exclude:
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

    def sweep(self) -> None:
        """Moves the next stretches of the band tiers on, in the open transaction.

        Each stretch is proportional to the articles this transaction indexed, so each
        sweep's cursor goes once round the key space every ``sweep_docs`` (times its
        slowness) indexed articles.
        """
        indexed, self.indexed = self.indexed, 0
        if not indexed:
            return
        db = self.db
        for source, target, cursor_key, slowness in SWEEPS:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (cursor_key,)).fetchone()
            cursor = int(row[0]) if row is not None else KEY_MIN
            width = indexed * KEY_SPACE // (self.sweep_docs * slowness)
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

    def insert_sorted(self, table: str, bands: list[tuple[int, int]]) -> None:
        # In key order, B-tree pages fill in sequence instead of by random writes.
        bands.sort()
        self.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", bands)
        bands.clear()

    def orphan_problems(self) -> list[str]:
        """Band rows that point to no article (a consistency check's share)."""
        problems = []
        for table in BAND_TABLES:
            orphans = self.db.execute(
                f"SELECT count(*) FROM {table} b LEFT JOIN articles a ON a.id = b.article "
                "WHERE a.id IS NULL"
            ).fetchone()[0]
            if orphans:
                problems.append(f"{orphans} band keys in {table} point to no article")
        return problems
