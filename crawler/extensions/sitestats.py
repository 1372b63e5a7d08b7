"""SiteStats: per-site counters, as plain Scrapy stats under ``news/site/<site>/...``.

Counted from signals, so spider and pipelines stay free of bookkeeping:
``hub_attempts``/``hub_ok`` (feeds, sitemaps, start pages; 304 counts as ok),
``fetch_attempts``/``fetched`` (article pages), ``extracted``, ``dropped/<reason>``
and ``emitted``; for emitted records, ``fields/<field>`` (records that have the field, for
coverage) and ``words/<bucket>`` (a histogram of body lengths), which drift compares with
the site's history. The spider adds ``discovered`` and ``fetch_failed/<reason>``; the
revisit and conditional middlewares add ``skipped_known`` and ``not_modified``.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.drops import drop_reason
from crawler.items import Article, FetchedPage
from crawler.operations.drift import COVERAGE_FIELDS, word_bucket

_OK = range(200, 400)


class SiteStats:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        connect = crawler.signals.connect
        connect(extension.request_reached_downloader, signal=signals.request_reached_downloader)
        connect(extension.response_received, signal=signals.response_received)
        connect(extension.item_scraped, signal=signals.item_scraped)
        connect(extension.item_dropped, signal=signals.item_dropped)
        return extension

    def _inc(self, site: str | None, counter: str) -> None:
        if site:
            self.stats.inc_value(f"news/site/{site}/{counter}")

    def request_reached_downloader(self, request: Request) -> None:
        if request.meta.get("retry_times"):
            return  # a retry of a request already counted
        role = request.meta.get("news_role")
        if role == "hub":
            self._inc(request.meta.get("news_site"), "hub_attempts")
        elif role == "article":
            self._inc(request.meta.get("news_site"), "fetch_attempts")

    def response_received(self, response: Response, request: Request) -> None:
        if response.status not in _OK:
            return
        role = request.meta.get("news_role")
        if role == "hub":
            self._inc(request.meta.get("news_site"), "hub_ok")
        elif role == "article":
            self._inc(request.meta.get("news_site"), "fetched")

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Article):
            return
        self._inc(item.site, "emitted")
        for name in COVERAGE_FIELDS:
            if getattr(item, name, None):
                self._inc(item.site, f"fields/{name}")
        self._inc(item.site, f"words/{word_bucket(item.wordCount)}")

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(item, FetchedPage | Article):
            reason = drop_reason(exception)
            self._inc(item.site, f"dropped/{reason.value if reason else 'other'}")
