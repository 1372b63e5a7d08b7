"""The ``reprocess`` spider: archived pages (WARC files) through the crawl's pipelines.

Nothing is downloaded. ``start()`` plans the run (:func:`pipelines.archive.plan.plan`:
every file read once, in a thread; damaged records counted under ``news/warc/<reason>``
with one INFO line each, filtered responses under ``news/reprocess/<reason>``), then
yields one :class:`~crawler.items.FetchedPage` per kept capture, which the same
extraction, dedup and output pipelines as a crawl's take from there, with the same state
store: an unchanged article emits nothing, a changed one a new version.

Pages are read only as fast as the pipelines take them (at most a few per extraction
worker in flight; Scrapy itself applies no backpressure to items from ``start()``), so
memory stays flat however many pages the files hold. Run it with ``scrapy reprocess
PATH...``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.addon import news_addon
from crawler.discovery.dates import to_iso
from crawler.discovery.registry import Registry
from crawler.items import DiscoveryHints, FetchedPage
from crawler.operations.progress import Progress
from crawler.spiders.news import SpiderArgumentError, parse_since
from pipelines.archive.plan import NoWarcFiles, Page, Plan, Selection, plan, warc_files
from pipelines.archive.reader import Damaged, Loader, Skip
from pipelines.pool import default_workers

logger = logging.getLogger(__name__)

REPROCESS_ARGUMENTS = ("paths", "all_hosts", "since", "until")
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
# Pages in the pipelines per extraction worker: enough to keep every worker busy.
_PAGES_PER_WORKER = 4


def parse_flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    flag = _FLAGS.get(str(value).strip().lower())
    if flag is None:
        raise SpiderArgumentError(f"-a {name}={value!r}: expected 1 or 0")
    return flag


def check_reprocess_arguments(registry: Registry, arguments: Mapping[str, Any]) -> list[Path]:
    """Refuse an unknown argument, a bad flag or date, a path without WARC files."""
    del registry  # every argument is checked without it; kept for symmetry with crawl
    for name in arguments:
        if name not in REPROCESS_ARGUMENTS and not name.startswith("_"):
            raise SpiderArgumentError(
                f"unknown argument -a {name}= (reprocess takes: -a all_hosts=1, "
                "-a since=, -a until=)"
            )
    parse_flag("all_hosts", arguments.get("all_hosts", False))
    parse_since(arguments.get("since"))
    parse_since(arguments.get("until"))
    return _paths(arguments.get("paths"))


def _paths(value: Any) -> list[Path]:
    given = [value] if isinstance(value, str | Path) else list(value or ())
    try:
        return warc_files(given)
    except NoWarcFiles as exc:
        raise SpiderArgumentError(str(exc)) from exc


class ReprocessSpider(Spider):
    name = "reprocess"

    def __init__(
        self,
        paths: Sequence[str | Path] | str = (),
        all_hosts: Any = False,
        since: str | None = None,
        until: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.paths = _paths(paths)
        self.all_hosts = parse_flag("all_hosts", all_hosts)
        self.since: datetime | None = parse_since(since)
        self.until: datetime | None = parse_since(until)
        self.in_flight = 0
        self.window = _PAGES_PER_WORKER
        self.progress: Progress | None = None
        self._room: asyncio.Event | None = None
        self._nudging = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.page_done, signal=signal)
        crawler.signals.connect(spider.closed_progress, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[FetchedPage]:
        addon = news_addon(self.crawler)
        config = addon.config
        workers = default_workers() if config.extract_workers is None else config.extract_workers
        self.window = _PAGES_PER_WORKER * max(workers, 1)
        self._room = asyncio.Event()
        selection = Selection(addon.registry, self.all_hosts, self.since, self.until)
        max_bytes = config.warc_max_record_bytes
        logger.info("Reading %d WARC files to plan the run", len(self.paths))
        planned = await asyncio.to_thread(plan, self.paths, selection, max_bytes, _log_skip)
        self._count_plan(planned)
        terminal = sys.stderr if sys.stderr.isatty() else None
        self.progress = Progress(len(planned.pages), terminal=terminal)
        loader = Loader(max_bytes)
        try:
            for page in planned.pages:
                await self._until_in_flight(self.window - 1)
                if self._closing():
                    # A failed output, SIGTERM, CLOSESPIDER_*: no new pages; what is in
                    # flight finishes, and the next run re-cleans the rest.
                    logger.info("The run is closing: %d pages not read", len(planned.pages))
                    return
                item = self._fetched_page(page, loader)
                if item is None:
                    self.progress.advance()
                    continue
                self.in_flight += 1
                yield item
            # Returning tells the engine to look for idleness at once; otherwise only its
            # heartbeat does, up to 5 s after the last page (a tenth of a 500-page run).
            await self._until_in_flight(0)
        finally:
            loader.close()

    async def _until_in_flight(self, most: int) -> None:
        """Wait until at most ``most`` pages are in the pipelines, or the run is closing."""
        assert self._room is not None
        while self.in_flight > most and not self._closing():
            self._room.clear()
            await self._room.wait()

    def _fetched_page(self, page: Page, loader: Loader) -> FetchedPage | None:
        capture = page.capture
        try:
            body = loader.body(capture)
        except Damaged as exc:
            self._inc(exc.reason.stat)
            logger.info("WARC record skipped (%s): %s in %s", exc.detail, capture.url, capture.path)
            return None
        if not _is_utf8(body):
            # Not skipped: decoded as a browser would, as when crawled (counted only).
            self._inc("news/warc/not_utf8")
        self._inc("news/reprocess/pages")
        fetched = capture.date.replace(microsecond=0) if capture.date else None
        return FetchedPage(
            url=capture.url,
            site=page.site,
            body=body,
            fetched_at=to_iso(fetched) or "",
            status=capture.status,
            content_type=capture.content_type,
            hints=capture.hints or DiscoveryHints(via="archive"),
            warc_file=str(capture.path),
            warc_record_id=capture.record_id,
        )

    def page_done(self, item: Any) -> None:
        self.in_flight = max(self.in_flight - 1, 0)
        if self.progress is not None:
            self.progress.advance()
        if self._room is not None:
            self._room.set()
        if self._closing() and not self._nudging:
            # Scrapy 2.19 checks whether a closing scraper has become idle only when the
            # output of a *response* is done, never when an item from start() is: a run
            # closed while such items are in flight would wait for ever. So check again,
            # every 0.1 s, until the scraper has closed.
            self._nudging = True
            self._check_closed()

    def _closing(self) -> bool:
        engine = self.crawler.engine
        # Without downloads, the engine backs out only when it closes or stops.
        return engine is None or engine.needs_backout()

    def _check_closed(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.scraper.slot is None:
            return
        closing = engine.scraper.slot.closing
        if closing is not None:
            if closing.called:
                return
            engine.scraper._check_if_closing()
        # (None: the engine is closing, the scraper's turn has not come yet.)
        asyncio.get_running_loop().call_later(0.1, self._check_closed)

    def closed_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def _count_plan(self, planned: Plan) -> None:
        for reason, count in planned.filtered.items():
            self._inc(reason.stat, count)
        for reason_value, count in planned.damaged.items():
            self._inc(f"news/warc/{reason_value}", count)
        for kind, count in planned.records.items():
            self._inc(f"news/warc/records/{kind}", count)
        filtered = ", ".join(f"{r.value} {n}" for r, n in sorted(planned.filtered.items()))
        damaged = ", ".join(f"{r} {n}" for r, n in sorted(planned.damaged.items()))
        logger.info(
            "Planned: %d pages to re-clean from %d files (%d response records); "
            "not re-cleaned: %s; damaged: %s",
            len(planned.pages),
            len(self.paths),
            planned.records.get("response", 0),
            filtered or "none",
            damaged or "none",
        )

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)


def _is_utf8(body: bytes) -> bool:
    # isascii() allocates nothing: most pages are ASCII, and decoding copies 100 KB or more.
    if body.isascii():
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _log_skip(skip: Skip) -> None:
    logger.info(
        "WARC record skipped (%s: %s): %s at offset %d of %s",
        skip.reason.value,
        skip.detail,
        skip.url or "no URL",
        skip.offset,
        skip.path,
    )
