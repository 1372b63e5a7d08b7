"""DedupPipeline: one record per article identity and per text."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from pipelines.store import ArticleStore, MemoryStore, Verdict

logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, stats: StatsCollector, store: ArticleStore) -> None:
        self.stats = stats
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats, MemoryStore())

    def close_spider(self) -> None:
        self.store.close()

    def process_item(self, item: object) -> object:
        if not isinstance(item, Article):
            return item
        registration = self.store.register(item.id, item.fingerprint, item.canonicalUrl)
        verdict = registration.verdict
        self.stats.inc_value(f"news/dedup/{verdict.value}")
        if verdict is Verdict.UNCHANGED:
            raise DropItem(
                f"duplicate: {item.url} is article {item.id}, unchanged", log_level="INFO"
            )
        if verdict is Verdict.DUPLICATE_TEXT:
            raise DropItem(
                f"duplicate: {item.url} has the text of article {registration.duplicate_of}",
                log_level="INFO",
            )
        if verdict is Verdict.REVISED:
            return replace(
                item,
                version=registration.version,
                previousFingerprint=registration.previous_fingerprint,
            )
        return item
