"""RevisitMiddleware: article pages already settled are not downloaded again.

A known URL (emitted, a duplicate, or judged not to be an article) is fetched again
only when a feed or sitemap now gives it a later modification date than when it was
fetched, or when the site's ``revisit_hours`` window has passed. Everything else is
skipped before download and counted under ``news/revisit/skipped``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.addon import NewsAddon, news_addon
from crawler.discovery.dates import parse_date
from crawler.discovery.registry import Registry, Site
from crawler.discovery.urls import url_identity_key
from crawler.extensions.ledger import LedgerExtension
from crawler.items import DiscoveryHints
from pipelines.state.store import StoreError, UrlState

logger = logging.getLogger(__name__)


def _aware(value: str | None) -> datetime | None:
    parsed = parse_date(value) if value else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def needs_visit(
    state: UrlState, hints: DiscoveryHints | None, site: Site | None, now: datetime
) -> bool:
    """Whether a settled page is worth downloading again."""
    announced = _aware(hints.date_modified) if hints else None
    if announced is not None:
        known = _aware(state.modified_hint)
        if known is None or announced > known:
            return True
    if site is not None and site.revisit_hours is not None:
        last = _aware(state.last_seen)
        if last is None or now - last >= timedelta(hours=site.revisit_hours):
            return True
    return False


class RevisitMiddleware:
    def __init__(
        self, addon: NewsAddon, ledger: LedgerExtension, registry: Registry, stats: StatsCollector
    ) -> None:
        self.addon = addon
        self.ledger = ledger
        self.registry = registry
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        if not addon.config.revisit_rules:
            raise NotConfigured("NEWS_REVISIT_RULES is off: every article is downloaded")
        ledger = crawler.get_extension(LedgerExtension)
        if ledger is None:
            raise NotConfigured("the LedgerExtension is not enabled: nothing is known")
        assert crawler.stats is not None
        return cls(addon, ledger, addon.registry, crawler.stats)

    def process_request(self, request: Request) -> None:
        if request.meta.get("news_role") != "article":
            return
        try:
            key = url_identity_key(request.url)
        except ValueError:
            return
        try:
            state = self.ledger.store.url_state(key)
        except StoreError as exc:
            self.addon.fail(f"state store failed: {exc}", reason="state_failed")
            raise IgnoreRequest(f"state store failed: {request.url}") from exc
        if state is None:
            return
        site_name = request.meta.get("news_site")
        hints = request.cb_kwargs.get("hints")
        site = self.registry.get(site_name) if site_name else None
        if needs_visit(state, hints, site, datetime.now(UTC)):
            self.stats.inc_value("news/revisit/revisited")
            return
        self.stats.inc_value("news/revisit/skipped")
        self.stats.inc_value(f"news/site/{site_name}/skipped_known")
        raise IgnoreRequest(f"already settled, unchanged: {request.url}")
