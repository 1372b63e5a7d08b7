"""The crawl's stats collector keeps Scrapy's in-memory behaviour, minus the per-call shim."""

from __future__ import annotations

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler, get_reactor_settings

from crawler.stats import NewsStatsCollector


def _exercise(stats: MemoryStatsCollector) -> dict[str, object]:
    stats.open_spider()
    stats.set_value("start", 5)
    stats.set_value("start", 1)
    stats.inc_value("news/dedup/same_url")
    stats.inc_value("news/dedup/same_url", 2)
    stats.inc_value("counted_from", 3, start=10)
    stats.max_value("peak", 4)
    stats.max_value("peak", 2)
    stats.min_value("lowest", 4)
    stats.min_value("lowest", 7)
    stats.set_value("gone", 1)
    stats.get_stats().pop("gone")
    assert stats.get_value("missing", "default") == "default"
    snapshot = dict(stats.get_stats())
    stats.close_spider()
    return snapshot


def test_it_counts_exactly_as_scrapys_memory_collector():
    ours = NewsStatsCollector(get_crawler(Spider))
    scrapys = MemoryStatsCollector(get_crawler(Spider))
    assert (
        _exercise(ours)
        == _exercise(scrapys)
        == {
            "start": 1,
            "news/dedup/same_url": 3,
            "counted_from": 13,
            "peak": 4,
            "lowest": 4,
        }
    )
    # Kept after the crawl, as the manifest reads them then.
    assert ours.spider_stats == scrapys.spider_stats


def test_clear_and_set_stats_replace_everything():
    stats = NewsStatsCollector(get_crawler(Spider))
    stats.set_value("a", 1)
    stats.set_stats({"b": 2})
    assert stats.get_stats() == {"b": 2}
    stats.clear_stats()
    assert stats.get_stats() == {}


def test_a_crawl_with_the_project_settings_uses_it():
    settings = get_project_settings()
    settings.update(get_reactor_settings(), priority="cmdline")
    crawler = Crawler(Spider, settings)
    crawler._apply_settings()
    assert type(crawler.stats) is NewsStatsCollector
