"""Spidermon monitors, for crawls that run spidermon: a site drifting from its history fails.

Enable them in the settings (spidermon itself: ``pip install -e ".[spidermon]"``)::

    SPIDERMON_ENABLED = True
    EXTENSIONS = {"spidermon.contrib.scrapy.extensions.Spidermon": 500}
    SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitors.NewsMonitorSuite",)

The check is the manifest's (:mod:`crawler.operations.drift`), on the same stats and the
same site history; spidermon then reports it through its actions (mail, Slack...).
"""

from __future__ import annotations

from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor

from crawler.config import NewsConfig
from crawler.operations.drift import describe, site_drift
from crawler.operations.health import load_history
from crawler.operations.manifest import site_counters


@monitors.name("Site drift")
class SiteDriftMonitor(BaseScrapyMonitor):
    """Each site's records look like its recent runs' (coverage, length, articles, errors)."""

    @monitors.name("No site drifted from its history")
    def test_no_site_drifted(self) -> None:
        config = NewsConfig.from_settings(self.crawler.settings)
        sites = site_counters(dict(self.data.stats))
        _, flags = site_drift(sites, load_history(config.state_dir))
        drift = describe(flags)
        self.assertFalse(drift, msg="; ".join(drift))


class NewsMonitorSuite(MonitorSuite):
    monitors = [SiteDriftMonitor]  # noqa: RUF012 - spidermon's own attribute
