"""EmissionLedger: a record counts as emitted exactly when its output files appear.

The dedup pipeline decides per item (against the store's committed state and the
batch not committed yet) and hands its decision here. Output files are written
under temporary names; a batch is then made durable (one ``syncfs`` for all its
files, instead of an fsync per file that blocked the reactor for a fifth of the
crawl), committed by one store transaction that records the decisions *and* the list
of files, after which the files are renamed into place. A crash before the
transaction loses the batch's files and decisions together, so the next run emits
those records again; a crash after it is repaired at the next start by finishing the
renames (roll forward). Either way every record is emitted once.

The JSON Lines feed storage (:mod:`crawler.extensions.feedstorage`) commits a batch when
Scrapy closes a feed batch; whatever is left is committed when the engine stops.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.discovery.urls import url_identity_key
from crawler.items import Article, FetchedPage
from pipelines.state.factory import near_dup_index, open_store
from pipelines.state.neardup import NearDupIndex
from pipelines.state.store import (
    ArticleStore,
    Candidate,
    Decision,
    FileMove,
    Registration,
    UrlNote,
    Verdict,
)

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
# Extraction drops that judge the page itself: no use downloading it again while it
# is unchanged. (A timeout or a crashed worker may pass next time: not settled.)
SETTLED_DROP_REASONS = frozenset(
    {"not_article", "too_short", "consent_wall", "not_html", "empty", "no_text", "too_large"}
)
RUNNING_MARK = ".running"  # holds the pid of the run writing into the directory


@dataclass
class _Pending:
    candidate: Candidate
    registration: Registration
    files: list[FileMove] = field(default_factory=list)
    # Settled only with the record's own batch: noted earlier, a crash would leave
    # the page "known" with its record lost.
    urls: list[UrlNote] = field(default_factory=list)


class EmissionLedger:
    def __init__(self, store: ArticleStore, index: NearDupIndex | None, run_dir: Path | None):
        self.store = store
        self.index = index
        self.run_dir = run_dir
        # Emitted records not committed yet: decided (by id), then exported, in the
        # order the feed received them (pipelines may finish items out of order).
        self._decided: dict[str, _Pending] = {}
        self._exported: list[_Pending] = []
        self._dropped: list[Decision] = []
        self._by_fingerprint: dict[str, str] = {}
        # LSH band key -> uncommitted originals, so a record is compared with the few
        # pending ones sharing a band (as the store does), not with the whole batch.
        self._by_band: dict[int, list[_Pending]] = {}
        self._urls: list[UrlNote] = []
        self._origins: dict[str, str] = {}  # identity of a redirect target -> of the request

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        index = near_dup_index(settings)
        run_dir = settings.get("NEWS_RUN_DIR")
        ledger = cls(open_store(settings, index), index, Path(run_dir) if run_dir else None)
        ledger.recover()
        ledger.mark_running()
        crawler.signals.connect(ledger.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(ledger.response_received, signal=signals.response_received)
        crawler.signals.connect(ledger.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ledger.item_scraped, signal=signals.item_scraped)
        return ledger

    @staticmethod
    def of(crawler: Crawler) -> EmissionLedger | None:
        """The crawl's ledger, for the pipelines and the feed storage that share it."""
        assert crawler.extensions is not None
        for extension in crawler.extensions.middlewares:
            if isinstance(extension, EmissionLedger):
                return extension
        return None

    # --- deciding -------------------------------------------------------------------

    def candidate(self, article: Article) -> Candidate:
        signature = self.index.signature(article.articleBody) if self.index else None
        return Candidate(article.id, article.canonicalUrl, article.fingerprint, signature)

    def decide(self, candidate: Candidate) -> Registration:
        """The store's verdict, seen through this run's records not committed yet."""
        pending = self._uncommitted(candidate.article_id)
        if pending is not None and pending.candidate.fingerprint == candidate.fingerprint:
            return Registration(Verdict.UNCHANGED, version=pending.registration.version)
        owner = self._by_fingerprint.get(candidate.fingerprint)
        if owner is not None and owner != candidate.article_id:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=owner)
        near = self._nearest_pending(candidate)
        if near is not None:
            return near
        return self.store.decide(candidate)

    def _nearest_pending(self, candidate: Candidate) -> Registration | None:
        if self.index is None or candidate.signature is None:
            return None
        best: Registration | None = None
        seen: set[str] = set()
        for key in self.index.band_keys(candidate.signature):
            for pending in self._by_band.get(key, ()):
                other = pending.candidate
                if other.article_id in seen or other.article_id == candidate.article_id:
                    continue
                seen.add(other.article_id)
                assert other.signature is not None
                if self.index.is_near_duplicate(candidate.signature, other.signature):
                    similarity = self.index.similarity(candidate.signature, other.signature)
                    if best is None or similarity > (best.similarity or 0):
                        best = Registration(
                            Verdict.NEAR_DUPLICATE,
                            duplicate_of=other.article_id,
                            similarity=similarity,
                        )
        return best

    def _index_pending(self, pendings: Iterable[_Pending]) -> None:
        """Rebuild the lookups of uncommitted originals (text hash, LSH bands)."""
        self._by_fingerprint = {}
        self._by_band = {}
        for pending in pendings:
            self._add_pending(pending)

    def _add_pending(self, pending: _Pending) -> None:
        # Like the store, only originals: a later copy points at the original, never at
        # a copy of it, whether or not the batch between them has been committed.
        if pending.registration.verdict not in (Verdict.NEW, Verdict.REVISED):
            return
        candidate = pending.candidate
        self._by_fingerprint.setdefault(candidate.fingerprint, candidate.article_id)
        if self.index is not None and candidate.signature is not None:
            for key in self.index.band_keys(candidate.signature):
                self._by_band.setdefault(key, []).append(pending)

    def record(
        self, article: Article, candidate: Candidate, registration: Registration, emitted: bool
    ) -> None:
        notes = self._url_notes(
            article.url, article.id, article.dateModified or article.datePublished
        )
        if not emitted:
            self._dropped.append((candidate, registration))
            self._urls += notes
            return
        pending = _Pending(candidate, registration, urls=notes)
        self._decided[candidate.article_id] = pending
        self._add_pending(pending)

    def settle(self, article: Article) -> None:
        """Remember a dropped variant's URL (no decision of its own to record)."""
        self._urls += self._url_notes(
            article.url, article.id, article.dateModified or article.datePublished
        )

    def attach_file(self, article_id: str, temporary: Path, final: Path) -> None:
        """A file that must appear when (and only when) this article's batch commits."""
        pending = self._uncommitted(article_id)
        if pending is None:
            raise KeyError(f"article {article_id} has no pending emission")
        pending.files.append((str(temporary), str(final)))

    # --- settled URLs, for revisit rules ------------------------------------------

    def response_received(self, response: Response, request: Request) -> None:
        redirects = request.meta.get("redirect_urls")
        if redirects and request.meta.get("news_role") == "article":
            with suppress(ValueError):
                self._origins[url_identity_key(response.url)] = url_identity_key(redirects[0])

    def _uncommitted(self, article_id: str) -> _Pending | None:
        pending = self._decided.get(article_id)
        if pending is None:
            pending = next(
                (p for p in self._exported if p.candidate.article_id == article_id), None
            )
        return pending

    def item_scraped(self, item: Any) -> None:
        """The feed exporter got the record (same signal dispatch): fix its place."""
        if isinstance(item, Article):
            pending = self._decided.pop(item.id, None)
            if pending is not None:
                self._exported.append(pending)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        # Pages extraction judged; dedup decisions are noted in record().
        if isinstance(item, FetchedPage):
            reason = str(exception).split(":", 1)[0]
            if reason in SETTLED_DROP_REASONS:
                hints = item.hints
                self._urls += self._url_notes(
                    item.url, None, hints.date_modified or hints.date_published
                )

    def _url_notes(self, url: str, article_id: str | None, modified: str | None) -> list[UrlNote]:
        try:
            key = url_identity_key(url)
        except ValueError:
            return []
        return [UrlNote(each, article_id, modified) for each in {key, self._origins.pop(key, key)}]

    # --- committing -----------------------------------------------------------------

    def commit(self, count: int | None = None, files: Sequence[FileMove] = ()) -> int:
        """Commit the first ``count`` exported records (all if None) with ``files``."""
        if count is not None and count > len(self._exported):
            logger.error(
                "Feed batch holds %d records but only %d are pending: committing those",
                count,
                len(self._exported),
            )
        taken = self._exported if count is None else self._exported[:count]
        moves = [*files, *(move for pending in taken for move in pending.files)]
        decisions = [(p.candidate, p.registration) for p in taken] + self._dropped
        urls = [*self._urls, *(note for pending in taken for note in pending.urls)]
        _make_durable([Path(temporary) for temporary, _ in moves])
        self.store.commit(decisions, moves, urls)
        self._urls = []
        self._dropped = []
        self._exported = self._exported[len(taken) :]
        _finish_moves(moves)
        self._index_pending([*self._exported, *self._decided.values()])
        for batch_id, _ in self.store.unfinished_batches():
            self.store.finish_batch(batch_id)
        return len(taken)

    def engine_stopped(self) -> None:
        # The feed exporter has stored its last batch by now; what is left had no feed.
        if self._exported or self._dropped or self._urls:
            self.commit()
        if self._decided:
            # Decided but never exported (a later pipeline dropped them): not emitted.
            logger.warning("%d records were never exported: not registered", len(self._decided))
        self.store.close()
        if self.run_dir is not None:
            (self.run_dir / RUNNING_MARK).unlink(missing_ok=True)

    def mark_running(self) -> None:
        if self.run_dir is not None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            (self.run_dir / RUNNING_MARK).write_text(str(os.getpid()), encoding="ascii")

    # --- recovery -------------------------------------------------------------------

    def recover(self) -> None:
        """Finish the renames of committed batches; delete files of uncommitted ones."""
        for batch_id, moves in self.store.unfinished_batches():
            finished = _finish_moves(moves)
            if finished:
                logger.warning("Recovered %d output files of an interrupted run", finished)
            self.store.finish_batch(batch_id)
        if self.run_dir is None:
            return
        # Uncommitted parts of dead runs in sibling run directories: their records
        # were never committed, so this or a later run emits them again.
        for run_dir in self.run_dir.parent.iterdir():
            if not run_dir.is_dir() or _is_alive(run_dir / RUNNING_MARK):
                continue
            for part in run_dir.glob(f"**/.*{PART_SUFFIX}"):
                logger.info("Removing uncommitted output %s", part)
                part.unlink(missing_ok=True)
            (run_dir / RUNNING_MARK).unlink(missing_ok=True)


def _load_syncfs() -> Any:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return None  # not Linux/glibc: fsync file by file
    syncfs.argtypes = [ctypes.c_int]
    return syncfs


_SYNCFS = _load_syncfs()


def _make_durable(files: Sequence[Path]) -> None:
    """Everything written to ``files`` is on disk when this returns.

    One ``syncfs`` for the file system holding them: a journal commit for the whole batch
    (it also flushes whatever else is dirty there, which only costs time). Files on other
    file systems, or systems without ``syncfs``, get an fsync each.
    """
    existing = [path for path in files if path.exists()]
    if not existing:
        return
    synced_device: int | None = None
    if _SYNCFS is not None:
        fd = os.open(existing[0], os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                synced_device = os.fstat(fd).st_dev
        finally:
            os.close(fd)
    for path in existing:
        if synced_device is None or path.stat().st_dev != synced_device:
            _fsync(path)


def _finish_moves(moves: Sequence[FileMove]) -> int:
    done = 0
    for temporary, final in moves:
        if Path(temporary).exists():
            Path(temporary).replace(final)
            done += 1
    if moves:
        _fsync_dirs({Path(final).parent for _, final in moves})
    return done


def _fsync_dirs(directories: set[Path]) -> None:
    for directory in directories:
        if directory.exists():
            _fsync(directory)


def _fsync(path: Path) -> None:
    """fsync a file or a directory (a directory's fsync makes its renames durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_alive(mark: Path) -> bool:
    try:
        pid = int(mark.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process whose parent died too can linger as a zombie until reaped.
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
