"""ExtractionPipeline: turns fetched pages into clean articles via ``clean_html``.

Extraction runs in a process pool (:mod:`pipelines.pool`) awaited from an ``async def
process_item``, so the reactor keeps downloading while every core extracts. Only cheap
checks happen here, in the reactor process: nothing is parsed before the pool.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.discovery.registry import Site, load_registry
from crawler.items import Article, FetchedPage
from crawler.spiders.news import registry_path
from pipelines.cleaning.clean import DEFAULT_MIN_WORDS
from pipelines.pool import ExtractionFailed, ExtractionPool, ExtractJob, PoolBroken, PoolConfig

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_DROP_FLAGS = ("not_article", "too_short", "consent_wall", "too_deep")


class ExtractionPipeline:
    def __init__(
        self,
        stats: StatsCollector,
        sites: dict[str, Site],
        min_words: int,
        drop_flags: frozenset[str],
        pool: ExtractionPool,
        crawler: Crawler | None = None,
    ) -> None:
        self.stats = stats
        self.crawler = crawler
        self.sites = sites
        self.min_words = min_words
        self.drop_flags = drop_flags
        self.pool = pool
        self._closing: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            load_registry(registry_path(settings)),
            settings.getint("NEWS_MIN_WORDS", DEFAULT_MIN_WORDS),
            frozenset(settings.getlist("NEWS_DROP_FLAGS", list(DEFAULT_DROP_FLAGS))),
            ExtractionPool(PoolConfig.from_settings(settings)),
            crawler,
        )

    async def open_spider(self) -> None:
        await self.pool.start()

    async def close_spider(self) -> None:
        # Scrapy closes the spider once no item is in progress; this only waits for pages
        # of a forced shutdown, and counts those that do not finish.
        await self.pool.close()

    async def process_item(self, item: object) -> object:
        if not isinstance(item, FetchedPage):
            return item
        return await self.extract(item)

    async def extract(self, page: FetchedPage) -> Article:
        if page.content_type and not page.content_type.lower().startswith(_HTML_TYPES):
            self._drop(page, "not_html", f"content type {page.content_type!r}")
        if not page.body.strip():
            self._drop(page, "empty", "empty response body")
        site = self.sites.get(page.site)
        job = ExtractJob(
            page.body,
            page.url,
            hints=page.hints,
            rules=site.cleaning if site else None,
            language=site.language if site else None,
            content_type=page.content_type,
            min_words=self.min_words,
        )
        try:
            article = await self.pool.extract(job)
        except ExtractionFailed as exc:
            self._drop(page, exc.reason, exc.detail)
        except PoolBroken as exc:
            self._stop_crawl(str(exc))
            self._drop(page, "pool_broken", str(exc), log_level="ERROR")
        if article is None:
            self._drop(page, "no_text", "no text could be extracted")
        assert article is not None
        for flag in article.flags:
            self.stats.inc_value(f"news/clean/flag/{flag}")
        dropped = [f for f in article.flags if f in self.drop_flags]
        if dropped:
            self._drop(page, dropped[0], f"flagged {', '.join(article.flags)}")
        self.stats.inc_value("news/clean/extracted")
        return replace(article, site=page.site, fetchedAt=page.fetched_at)

    def _stop_crawl(self, why: str) -> None:
        """No page can be extracted any more: downloading more would only waste them."""
        if self._closing is not None or self.crawler is None or self.crawler.engine is None:
            return
        logger.error("Stopping the crawl: extraction is impossible (%s)", why)
        # Not awaited here: closing waits for the items in progress, this one among them.
        engine = self.crawler.engine
        self._closing = asyncio.get_running_loop().create_task(
            engine.close_spider_async(reason="extraction_failed")
        )

    def _drop(self, page: FetchedPage, reason: str, detail: str, log_level: str = "INFO") -> None:
        self.stats.inc_value(f"news/clean/{reason}")
        raise DropItem(f"{reason}: {page.url} ({detail})", log_level=log_level)
