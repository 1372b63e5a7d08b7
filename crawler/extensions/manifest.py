"""RunManifest: when the engine stops, judge the run and write ``manifest.json``.

The verdict (:func:`crawler.operations.health.assess`) and the sites' drift
(:mod:`crawler.operations.drift`) go to the crawler's :class:`crawler.addon.NewsAddon`,
where ``scrapy crawl`` takes its exit code and the hub validators look before they are
saved; only a healthy run adds to the site history.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.addon import NewsAddon, news_addon
from crawler.operations.drift import describe, site_drift
from crawler.operations.health import assess, load_history, update_history
from crawler.operations.manifest import (
    build_manifest,
    output_counts,
    site_counters,
    write_manifest,
)

logger = logging.getLogger(__name__)


class RunManifest:
    def __init__(self, crawler: Crawler, addon: NewsAddon) -> None:
        self.crawler = crawler
        self.addon = addon
        self.spider_name: str | None = None
        self.reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, news_addon(crawler))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        # The feed exporter closes its files asynchronously during spider_closed: only
        # once the engine has stopped are the outputs complete and countable.
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.spider_name = spider.name
        self.reason = reason

    def engine_stopped(self) -> None:
        assert self.crawler.stats is not None
        config = self.addon.config
        run_dir = self.addon.output_dir
        reason = self.reason or "unknown"
        stats = self.crawler.stats.get_stats()
        sites = site_counters(stats)
        history = load_history(config.state_dir)
        health = assess(
            reason,
            stats,
            sites,
            history,
            config.health_max_error_rate,
            self.addon.problems,
            reported_errors=self.addon.errors_logged,
        )
        self.addon.health = health
        summaries, flags = site_drift(sites, history)
        for name, summary in summaries.items():
            sites[name]["coverage"] = summary["coverage"]
            sites[name]["median_words"] = summary["median_words"]
            sites[name]["drift"] = flags[name]
        drift = describe(flags)
        self.addon.drift = drift
        if drift:
            logger.warning("Drift: %s", "; ".join(drift))
        if not health.ok:
            # The verdict is the run's one ERROR line, unless a failure already was.
            level = logging.WARNING if self.addon.errors_logged else logging.ERROR
            logger.log(level, "Unhealthy run: %s", "; ".join(health.problems))
        try:
            if health.ok:
                update_history(config.state_dir, history, sites, summaries)
            manifest = build_manifest(
                spider=self.spider_name,
                reason=reason,
                stats=stats,
                sites=sites,
                health=health,
                outputs=output_counts(run_dir),
                drift=drift,
            )
            path = write_manifest(run_dir, manifest)
        except OSError as exc:
            health.fail(f"could not write the manifest or the site history: {exc}")
            logger.error("Could not write the run manifest in %s: %s", run_dir, exc)
            return
        logger.info("Run manifest written to %s", path)
