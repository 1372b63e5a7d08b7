"""ConditionalHubsMiddleware: feeds, sitemaps and start pages cost a 304 when unchanged.

Leaf hub requests (the spider marks them ``news_conditional``) carry
``If-None-Match`` / ``If-Modified-Since`` from the validators previous runs saw.
Hubs that lead to other hubs are always read in full: a sitemap index or a start
page whose section pages changed would otherwise hide the change. Validators are
saved only when a run *finishes*: a run stopped or killed half-way must not leave a
304 that hides entries it never got to.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from pipelines.textfiles import write_atomic

logger = logging.getLogger(__name__)

VALIDATORS_FILE = "validators.json"


class ConditionalHubsMiddleware:
    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats
        self.saved: dict[str, dict[str, str]] = self._load()
        self.seen: dict[str, dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWS_CONDITIONAL_HUBS", True):
            raise NotConfigured("NEWS_CONDITIONAL_HUBS is off")
        if settings.get("NEWS_STATE_STORE", "sqlite") == "memory":
            raise NotConfigured("NEWS_STATE_STORE is memory: no state is kept between runs")
        if settings.getbool("NEWS_STATE_RESET"):
            (Path(settings.get("NEWS_STATE_DIR") or "data") / VALIDATORS_FILE).unlink(
                missing_ok=True
            )
        assert crawler.stats is not None
        middleware = cls(
            Path(settings.get("NEWS_STATE_DIR") or "data") / VALIDATORS_FILE, crawler.stats
        )
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
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

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason != "finished":
            logger.info("Run ended with %r: hub validators not saved", reason)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps({**self.saved, **self.seen}, indent=1, sort_keys=True))
