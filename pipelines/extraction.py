"""ExtractionPipeline: turns fetched pages into clean articles via ``clean_html``.

Extraction runs in a process pool (:mod:`pipelines.pool`) awaited from an ``async def
process_item``, so the reactor keeps downloading while every core extracts. Only cheap
checks happen here, in the reactor process: nothing is parsed before the pool.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, NoReturn, Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.addon import NewsAddon, news_addon
from crawler.config import NewsConfig
from crawler.drops import DropReason, NewsDrop
from crawler.extensions.ledger import LedgerExtension
from crawler.items import Article, FetchedPage, as_fetched_page
from pipelines.pool import (
    Extraction,
    ExtractionFailed,
    ExtractionPool,
    ExtractJob,
    ExtractWork,
    PoolBroken,
    PoolConfig,
    default_workers,
)
from pipelines.state.neardup import NearDupIndex

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def pool_config(config: NewsConfig) -> PoolConfig:
    workers = default_workers() if config.extract_workers is None else config.extract_workers
    return PoolConfig(
        workers,
        config.extract_timeout,
        config.extract_max_bytes,
        config.extract_max_tasks_per_worker,
    )


def _primary(code: str) -> str:
    """The language of a code, without its region: "pt-BR" -> "pt"."""
    return code.replace("_", "-").split("-")[0].lower()


class ExtractionPipeline:
    def __init__(
        self,
        addon: NewsAddon,
        stats: StatsCollector,
        pool: ExtractionPool[Extraction | None],
        near_dup: NearDupIndex | None = None,
    ) -> None:
        self.addon = addon
        self.stats = stats
        self.registry = addon.registry
        self.min_words = addon.config.min_words
        self.short_words = addon.config.short_words
        self.drop_flags = frozenset(addon.config.drop_flags)
        self.languages = frozenset(_primary(code) for code in addon.config.languages)
        self.markdown_links = addon.config.markdown_links
        self.pool = pool
        # The dedup's index, when there is one: the workers compute each text's signature.
        self.near_dup = near_dup

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        assert crawler.stats is not None
        ledger = crawler.get_extension(LedgerExtension)
        index = ledger.index if ledger is not None else None
        work = ExtractWork(index.config if index is not None else None)
        pool = ExtractionPool(pool_config(addon.config), work)
        return cls(addon, crawler.stats, pool, index)

    async def open_spider(self) -> None:
        await self.pool.start()

    async def close_spider(self) -> None:
        # Scrapy closes the spider once no item is in progress; this only waits for pages
        # of a forced shutdown, and counts those that do not finish.
        await self.pool.close()

    async def process_item(self, item: Any) -> Any:
        page = as_fetched_page(item)
        if page is None:
            return item
        return await self.extract(page)

    async def extract(self, page: FetchedPage) -> Article:
        if page.content_type and not page.content_type.lower().startswith(_HTML_TYPES):
            self._drop(page, DropReason.NOT_HTML, f"content type {page.content_type!r}")
        if not page.body.strip():
            self._drop(page, DropReason.EMPTY, "empty response body")
        site = self.registry.get(page.site)
        job = ExtractJob(
            page.body,
            page.url,
            min_words=self.min_words,
            short_words=self.short_words,
            hints=page.hints,
            rules=site.cleaning if site else None,
            language=site.language if site else None,
            content_type=page.content_type,
            fetched_at=page.fetched_at or None,
            markdown_links=self.markdown_links,
        )
        try:
            extraction = await self.pool.extract(job)
        except ExtractionFailed as exc:
            self._drop(page, DropReason(exc.reason), exc.detail)
        except PoolBroken as exc:
            self.addon.fail(f"extraction is impossible: {exc}", reason="extraction_failed")
            self._drop(page, DropReason.POOL_BROKEN, str(exc), log_level="DEBUG")
        if extraction is None:
            self._drop(page, DropReason.NO_TEXT, "no text could be extracted")
        article = extraction.article
        for flag in article.flags:
            self.stats.inc_value(f"news/clean/flag/{flag}")
        dropped = [f for f in article.flags if f in self.drop_flags]
        if dropped:
            self._drop(page, DropReason(dropped[0]), f"flagged {', '.join(article.flags)}")
        if not article.id:
            self._drop(page, DropReason.NO_ID, "no URL identity (canonical URL unusable)")
        site_languages = frozenset(_primary(c) for c in site.languages) if site else frozenset()
        wanted = [self.languages, site_languages]
        language = _primary(article.inLanguage or "")
        for allowed in wanted:
            if allowed and language not in allowed:
                found = article.inLanguage or "unknown"
                self._drop(page, DropReason.LANGUAGE, f"language {found}, not {sorted(allowed)}")
        self.stats.inc_value("news/clean/extracted")
        if self.near_dup is not None and extraction.signature is not None:
            self.near_dup.provide(article.articleBody, extraction.signature)
        return replace(
            article,
            site=page.site,
            fetchedAt=page.fetched_at,
            warcFile=page.warc_file,
            warcRecordId=page.warc_record_id,
        )

    def _drop(
        self, page: FetchedPage, reason: DropReason, detail: str, log_level: str = "INFO"
    ) -> NoReturn:
        self.stats.inc_value(reason.stat)
        raise NewsDrop(reason, f"{page.url} ({detail})", log_level=log_level)
