"""Crawlers for unit tests: the project's add-on applied, paths in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler.addon import NewsAddon, news_addon
from crawler.spiders.news import NewsSpider


def news_crawler(tmp_path: Path, **settings: Any) -> Crawler:
    """A crawler whose settings are applied (add-ons run, EXTENSIONS built)."""
    return spider_crawler(NewsSpider, tmp_path, **settings)


def spider_crawler(spider_class: type[Spider], tmp_path: Path, **settings: Any) -> Crawler:
    """:func:`news_crawler` for another of the project's spiders."""
    values: dict[str, Any] = {
        "ADDONS": {NewsAddon: 0},
        "EXTENSIONS": {},
        "NEWS_RUN_DIR": str(tmp_path / "run"),
        "NEWS_STATE_DIR": str(tmp_path),
        **settings,
    }
    return get_crawler(spider_class, values)


def addon_of(crawler: Crawler) -> NewsAddon:
    return news_addon(crawler)
