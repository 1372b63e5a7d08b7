"""Redirect guards: a site's requests never leave its domains, nor go round in circles.

The spider checks the URLs it discovers, but a redirect can still point anywhere:
followed, it would crawl (and attribute to this site) another site's pages. Every
request tagged with a site, redirects included, must stay on that site's domains.
A redirect loop would otherwise end silently in the dupefilter: it is named instead.
"""

from __future__ import annotations

import logging
from typing import Self
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.addon import news_addon
from crawler.discovery.registry import Registry
from crawler.discovery.urls import same_site

logger = logging.getLogger(__name__)


class SiteBoundaryMiddleware:
    def __init__(self, registry: Registry, stats: StatsCollector) -> None:
        self.registry = registry
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(news_addon(crawler).registry, crawler.stats)

    def process_request(self, request: Request) -> None:
        site = self.registry.get(request.meta.get("news_site", ""))
        if site is None or same_site(request.url, site.domains):
            return
        reason = "offsite_redirect" if request.meta.get("redirect_urls") else "offsite"
        self.stats.inc_value(f"news/discovery/{reason}")
        logger.info("Not following %s off site %s: %s", reason, site.name, request.url)
        raise IgnoreRequest(f"{reason}: {request.url} is outside {site.name}'s domains")


class RedirectLoopMiddleware:
    """Sees 3xx answers before RedirectMiddleware and stops those that go back."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not 300 <= response.status < 400 or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        visited = {*request.meta.get("redirect_urls", []), request.url}
        if target in visited:
            self.stats.inc_value("news/discovery/redirect_loop")
            first = request.meta.get("redirect_urls", [request.url])[0]
            logger.info(
                "Redirect loop from %s (%s -> %s): not followed", first, request.url, target
            )
            raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        return response
