"""ConditionalHubsMiddleware: feeds, sitemaps and start pages cost a 304 when unchanged.

Leaf hub requests (the spider marks them ``news_conditional``) carry
``If-None-Match`` / ``If-Modified-Since`` from the validators previous runs saw.
Hubs that lead to other hubs are always read in full: a sitemap index or a start
page whose section pages changed would otherwise hide the change. Validators are
saved only by a *healthy* run (the manifest's verdict): a run stopped, killed or damaged
half-way must not leave a 304 that hides entries it never got to.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.addon import NewsAddon, news_addon
from pipelines.output.files import write_atomic

logger = logging.getLogger(__name__)

VALIDATORS_FILE = "validators.json"


class ConditionalHubsMiddleware:
    def __init__(self, path: Path, stats: StatsCollector, addon: NewsAddon) -> None:
        self.path = path
        self.stats = stats
        self.addon = addon
        self.saved: dict[str, dict[str, str]] = self._load()
        self.seen: dict[str, dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        config = addon.config
        if not config.conditional_hubs:
            raise NotConfigured("NEWS_CONDITIONAL_HUBS is off")
        if config.state_store == "memory":
            raise NotConfigured("NEWS_STATE_STORE is memory: no state is kept between runs")
        path = config.state_dir / VALIDATORS_FILE
        if config.state_reset:
            path.unlink(missing_ok=True)
        assert crawler.stats is not None
        middleware = cls(path, crawler.stats, addon)
        # After the manifest's handler (extensions connect first): it judges the run.
        crawler.signals.connect(middleware.engine_stopped, signal=signals.engine_stopped)
        return middleware

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("Ignoring unreadable %s: %s", self.path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def process_request(self, request: Request) -> None:
        if not request.meta.get("news_conditional"):
            return
        request.meta["handle_httpstatus_list"] = [
            *request.meta.get("handle_httpstatus_list", []),
            304,
        ]
        validators = self.saved.get(request.url, {})
        if "etag" in validators:
            request.headers.setdefault(b"If-None-Match", validators["etag"])
        if "last_modified" in validators:
            request.headers.setdefault(b"If-Modified-Since", validators["last_modified"])

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("news_conditional"):
            return response
        site = request.meta.get("news_site", "unknown")
        if response.status == 304:
            self.stats.inc_value("news/discovery/not_modified")
            self.stats.inc_value(f"news/site/{site}/not_modified")
        elif response.status == 200 and b"<sitemapindex" not in response.body[:4096]:
            validators = {}
            if etag := response.headers.get(b"ETag"):
                validators["etag"] = etag.decode("latin-1")
            if modified := response.headers.get(b"Last-Modified"):
                validators["last_modified"] = modified.decode("latin-1")
            if validators:
                self.seen[request.url] = validators
        return response

    def engine_stopped(self) -> None:
        health = self.addon.health
        if health is None or not health.ok:
            logger.info("Run not healthy: hub validators not saved (the next run reads all)")
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            merged = {**self.saved, **self.seen}
            write_atomic(self.path, json.dumps(merged, indent=1, sort_keys=True))
        except OSError as exc:
            # Only a cost: the next run reads every hub in full.
            logger.warning("Could not save hub validators to %s: %s", self.path, exc)
