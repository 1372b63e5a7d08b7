"""LedgerExtension: the state directory, the dedup store and the emission ledger of a crawl.

When it is built (before any middleware or pipeline), it takes the state directory's
lock (one writer per state directory; ``NEWS_STATE_LOCK``), opens the state store
(``NEWS_STATE_STORE``), finishes the renames of batches a killed run had committed,
removes the temporary files of dead runs and marks the run directory as written. While
the crawl runs it feeds the ledger what only signals tell (redirects, pages dropped for
good, records a later pipeline dropped); when the engine stops it commits the decisions
left, reports records that were never written, closes the store and, last of all,
releases the lock.

Components reach the ledger with ``crawler.get_extension(LedgerExtension).ledger``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import call_later

from crawler.addon import NewsAddon, news_addon
from crawler.config import NewsConfig
from crawler.drops import drop_reason
from crawler.items import Article, FetchedPage
from pipelines.output.runs import (
    RunDirectoryBusy,
    clear_mark,
    mark_engine_running,
    mark_running,
    tidy_dead_runs,
)
from pipelines.state.ledger import EmissionLedger
from pipelines.state.lock import DirectoryLock
from pipelines.state.neardup import NearDupConfig, NearDupIndex
from pipelines.state.sqlite_store import SQLiteStore
from pipelines.state.store import ArticleStore, MemoryStore, StoreError

logger = logging.getLogger(__name__)

STATE_FILE = "state.sqlite3"
LOCK_FILE = "state.lock"


class LedgerExtension:
    def __init__(self, crawler: Crawler, addon: NewsAddon) -> None:
        self.crawler = crawler
        self.addon = addon
        config = addon.config
        self.run_dir = addon.output_dir
        self.lock = DirectoryLock(config.state_dir / LOCK_FILE, what="crawl")
        self.lock.acquire(wait=config.state_lock == "wait")
        try:
            self.index = near_dup_index(config)
            self.store = open_store(config, self.index, crawler)
            self.ledger = EmissionLedger(self.store, self.index)
            self.ledger.recover()
            tidy_dead_runs(self.run_dir.parent)
            mark_running(self.run_dir)
        except (OSError, RunDirectoryBusy) as exc:
            self.lock.release()
            raise StoreError(f"cannot write the run directory {self.run_dir}: {exc}") from exc
        except BaseException:
            self.lock.release()
            raise

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, news_addon(crawler))
        connect = crawler.signals.connect
        connect(extension.response_received, signal=signals.response_received)
        connect(extension.item_dropped, signal=signals.item_dropped)
        connect(extension.engine_stopped, signal=signals.engine_stopped)
        # Connected once every component has connected its own engine_stopped handler:
        # the lock is released after the last of them has written to the state directory.
        connect(extension.engine_started, signal=signals.engine_started)
        return extension

    # --- what only signals tell --------------------------------------------------------

    def response_received(self, response: Response, request: Request) -> None:
        redirects = request.meta.get("redirect_urls")
        if redirects and request.meta.get("news_role") == "article":
            self.ledger.note_redirect(response.url, redirects[0])

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        reason = drop_reason(exception)
        if isinstance(item, FetchedPage):
            if reason is not None and reason.settles_page:
                hints = item.hints
                modified = hints.date_modified or hints.date_published
                self.ledger.settle(self.ledger.url_notes(item.url, None, modified))
        elif isinstance(item, Article) and (reason is None or reason.stage == "output"):
            # Dropped after dedup decided to emit it (text files, a user's pipeline).
            self.ledger.forget(item.id)

    # --- the end ---------------------------------------------------------------------

    def engine_started(self) -> None:
        self.crawler.signals.connect(self.release, signal=signals.engine_stopped)
        # The engine counts as running once this signal's handlers have returned: marked
        # on the next turn of the reactor, when a stop closes the crawl.
        call_later(0, self._mark_engine_running)

    def _mark_engine_running(self) -> None:
        try:
            mark_engine_running(self.run_dir)
        except OSError as exc:
            self.addon.fail(f"cannot write the run directory {self.run_dir}: {exc}")

    def engine_stopped(self) -> None:
        # The feed exporter has stored its last batch by now: whatever is pending was
        # never written, and must not count as emitted.
        try:
            self.ledger.commit_decisions()
        except StoreError as exc:
            self.addon.fail(f"state store failed while committing decisions: {exc}")
        unwritten = self.ledger.unwritten()
        if unwritten:
            self.addon.fail(
                f"{len(unwritten)} records were not written to every output: they are not "
                "recorded as emitted, and the next run emits them"
            )
            self.ledger.discard_unwritten()
        try:
            self.store.close()
        except StoreError as exc:
            logger.warning("Closing the state store: %s", exc)
        clear_mark(self.run_dir)

    def release(self) -> None:
        self.lock.release()


def near_dup_index(config: NewsConfig) -> NearDupIndex | None:
    if not config.near_dup:
        return None
    return NearDupIndex(NearDupConfig.for_threshold(config.near_dup_threshold))


def open_store(config: NewsConfig, index: NearDupIndex | None, crawler: Crawler) -> ArticleStore:
    """The store ``NEWS_STATE_STORE`` names; raises StoreError when it cannot be used."""
    if config.state_store == "memory":
        return MemoryStore()
    if config.state_store == "redis":
        # Imported here: the redis client is only needed by the distributed mode.
        from crawler.distributed.store import open_redis_store

        return open_redis_store(config, index, crawler.settings)
    path = config.state_dir / STATE_FILE
    if config.state_reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        logger.warning("State store %s reset: every article counts as new in this run", path)
    store = SQLiteStore(path, index, busy_timeout=config.state_timeout)
    logger.info("Dedup state store: %s (%d articles known)", path, store.count())
    return store
