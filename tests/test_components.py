"""The project's components as Scrapy builds them: one registry read, any item type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import attrs
import pytest
import scrapy
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_reactor_settings

import crawler.discovery.registry as registry_module
from crawler.addon import news_addon
from crawler.extensions.ledger import LedgerExtension
from crawler.items import Article
from crawler.spiders.news import NewsSpider
from fixtures.server import REGISTRY
from pipelines.cleaning.text import text_fingerprint
from pipelines.dedup import DedupPipeline
from pipelines.textfiles import TextFilesPipeline


def built_crawler(tmp_path, **settings: Any) -> Crawler:
    """A crawler with the project's settings and every component built, as for a crawl."""
    values = get_project_settings()
    values.update(
        {
            "NEWS_REGISTRY": str(REGISTRY),
            "NEWS_RUN_DIR": str(tmp_path / "run"),
            "NEWS_STATE_DIR": str(tmp_path / "state"),
            "NEWS_EXTRACT_WORKERS": 0,
            **get_reactor_settings(),
            **settings,
        },
        priority="cmdline",
    )
    crawler = Crawler(NewsSpider, values)
    crawler.spider = crawler._create_spider()
    crawler._apply_settings()
    crawler.engine = crawler._create_engine()
    return crawler


def release(crawler: Crawler) -> None:
    ledger = crawler.get_extension(LedgerExtension)
    assert ledger is not None
    ledger.store.close()
    ledger.release()


def test_the_registry_is_read_once_per_crawl(tmp_path, monkeypatch):
    parses: list[str] = []
    real = registry_module.parse_registry

    def counting(data: dict[str, Any], source: str = "<registry>") -> Any:
        parses.append(source)
        return real(data, source)

    monkeypatch.setattr(registry_module, "parse_registry", counting)
    crawler = built_crawler(tmp_path)
    try:
        addon = news_addon(crawler)
        assert set(addon.registry) == {
            "harbor-herald",
            "meridian-times",
            "pacific-wire",
            "valley-ledger",
        }
        assert parses == [str(REGISTRY)], "every component shares the addon's registry"
    finally:
        release(crawler)


BODY = " ".join(f"Sentence {n} of a story about the harbor council's vote." for n in range(40))
FIELDS = {
    "url": "http://a.test/story",
    "headline": "A headline",
    "articleBody": BODY,
    "canonicalUrl": "http://a.test/story",
    "id": "a" * 16,
    "fingerprint": text_fingerprint(BODY),
}


class ScrapyArticle(scrapy.Item):
    url = scrapy.Field()
    headline = scrapy.Field()
    articleBody = scrapy.Field()
    canonicalUrl = scrapy.Field()
    id = scrapy.Field()
    fingerprint = scrapy.Field()


@attrs.define
class AttrsArticle:
    url: str
    headline: str
    articleBody: str
    canonicalUrl: str
    id: str
    fingerprint: str


@dataclass
class DataclassArticle:
    url: str
    headline: str
    articleBody: str
    canonicalUrl: str
    id: str
    fingerprint: str


@pytest.mark.parametrize(
    "make",
    [dict, ScrapyArticle, lambda **f: AttrsArticle(**f), lambda **f: DataclassArticle(**f)],
    ids=["dict", "scrapy.Item", "attrs", "dataclass"],
)
def test_the_pipelines_take_any_item_type_carrying_an_article(tmp_path, make):
    crawler = built_crawler(tmp_path)
    try:
        dedup = crawler.get_item_pipeline(DedupPipeline)
        texts = crawler.get_item_pipeline(TextFilesPipeline)
        assert dedup is not None and texts is not None
        texts.open_spider()
        result = texts.process_item(dedup.process_item(make(**FIELDS)))
        assert isinstance(result, Article) and result.id == "a" * 16
        ledger = crawler.get_extension(LedgerExtension)
        assert ledger is not None and ledger.ledger.unwritten() == ["a" * 16]
    finally:
        release(crawler)


def test_items_that_carry_no_article_pass_through(tmp_path):
    crawler = built_crawler(tmp_path)
    try:
        dedup = crawler.get_item_pipeline(DedupPipeline)
        assert dedup is not None
        other = {"title": "not an article"}
        assert dedup.process_item(other) is other
    finally:
        release(crawler)
