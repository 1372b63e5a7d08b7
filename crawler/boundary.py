"""SiteBoundaryMiddleware: a site's requests never leave the site's domains.

The spider checks the URLs it discovers, but a redirect can still point anywhere:
followed, it would crawl (and attribute to this site) another site's pages. Every
request tagged with a site, redirects included, must stay on that site's domains.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector

from crawler.registry import Site, load_registry
from crawler.spiders.news import registry_path
from crawler.urls import same_site

logger = logging.getLogger(__name__)


class SiteBoundaryMiddleware:
    def __init__(self, sites: dict[str, Site], stats: StatsCollector) -> None:
        self.sites = sites
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(load_registry(registry_path(crawler.settings)), crawler.stats)

    def process_request(self, request: Request) -> None:
        site = self.sites.get(request.meta.get("news_site", ""))
        if site is None or same_site(request.url, site.domains):
            return
        reason = "offsite_redirect" if request.meta.get("redirect_urls") else "offsite"
        self.stats.inc_value(f"news/discovery/{reason}")
        logger.info("Not following %s off site %s: %s", reason, site.name, request.url)
        raise IgnoreRequest(f"{reason}: {request.url} is outside {site.name}'s domains")
