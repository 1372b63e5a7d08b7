"""ExtractionPipeline: turns fetched pages into clean articles via ``clean_html``."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import Article, FetchedPage
from crawler.registry import Site, load_registry
from crawler.spiders.news import registry_path
from pipelines.clean import DEFAULT_MIN_WORDS, clean_html

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_DROP_FLAGS = ("not_article", "too_short", "consent_wall")


class ExtractionPipeline:
    def __init__(
        self,
        stats: StatsCollector,
        sites: dict[str, Site],
        min_words: int,
        drop_flags: frozenset[str],
    ) -> None:
        self.stats = stats
        self.sites = sites
        self.min_words = min_words
        self.drop_flags = drop_flags

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            load_registry(registry_path(settings)),
            settings.getint("NEWS_MIN_WORDS", DEFAULT_MIN_WORDS),
            frozenset(settings.getlist("NEWS_DROP_FLAGS", list(DEFAULT_DROP_FLAGS))),
        )

    def process_item(self, item: object) -> object:
        if not isinstance(item, FetchedPage):
            return item
        return self.extract(item)

    def extract(self, page: FetchedPage) -> Article:
        if page.content_type and not page.content_type.lower().startswith(_HTML_TYPES):
            self._drop(page, "not_html", f"content type {page.content_type!r}")
        if not page.body.strip():
            self._drop(page, "empty", "empty response body")
        site = self.sites.get(page.site)
        article = clean_html(
            page.body,
            page.url,
            hints=page.hints,
            rules=site.cleaning if site else None,
            language=site.language if site else None,
            content_type=page.content_type,
            min_words=self.min_words,
        )
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

    def _drop(self, page: FetchedPage, reason: str, detail: str) -> None:
        self.stats.inc_value(f"news/clean/{reason}")
        raise DropItem(f"{reason}: {page.url} ({detail})", log_level="INFO")
