"""Politeness over time: per-site delay floors that AutoThrottle cannot undercut.

Scrapy parses robots.txt ``Crawl-delay`` but never applies it, retries without
honouring ``Retry-After``, and AutoThrottle knows only one global minimum delay.
:class:`PolitenessMiddleware` keeps a floor per download slot, the largest of

- the site's ``min_delay`` from the registry,
- the ``Crawl-delay`` robots.txt gives our user agent (capped by ``NEWS_MAX_CRAWL_DELAY``),
- a ``Retry-After`` a 429 or 503 answer asked for (capped by ``NEWS_MAX_RETRY_AFTER``),
  until that time has passed,

and raises the slot's delay to it before each request.
:class:`crawler.extensions.throttle.FloorAwareAutoThrottle` adapts delays as AutoThrottle
does, never below a slot's floor.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.addon import news_addon

logger = logging.getLogger(__name__)

_BACKOFF_STATUSES = (429, 503)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def apply_floor(slot: Slot, floor: float) -> None:
    """Raise the slot's delay to ``floor``, and narrow its jitter so no draw is below it."""
    if floor <= 0:
        return
    slot.delay = max(slot.delay, floor)
    if slot.jitter and slot.delay * (1 - slot.jitter) < floor:
        slot.jitter = max(0.0, 1 - floor / slot.delay)


class PolitenessMiddleware:
    def __init__(
        self,
        crawler: Crawler,
        site_floors: dict[str, float],
        max_crawl_delay: float,
        max_retry_after: float,
    ) -> None:
        self.crawler = crawler
        self.site_floors = site_floors
        self.max_crawl_delay = max_crawl_delay
        self.max_retry_after = max_retry_after
        self.robots_floors: dict[str, float] = {}  # by host
        self.backoff: dict[str, tuple[float, float]] = {}  # slot key -> (until, delay)
        self.slot_floors: dict[str, float] = {}  # slot key -> site/robots floor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        sites = addon.registry.sites
        middleware = cls(
            crawler,
            {name: site.min_delay for name, site in sites.items() if site.min_delay},
            addon.config.max_crawl_delay,
            addon.config.max_retry_after,
        )
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        user_agent = self.crawler.settings.get("USER_AGENT", "")
        crawl_delay = getattr(robotparser, "crawl_delay", None)
        delay = crawl_delay(user_agent) if callable(crawl_delay) else None
        if delay:
            host = urlsplit(request.url).hostname or ""
            self.robots_floors[host] = min(float(delay), self.max_crawl_delay)
            logger.info("robots.txt of %s asks for a Crawl-delay of %ss", host, delay)

    def floor(self, slot_key: str) -> float:
        floor = self.slot_floors.get(slot_key, 0.0)
        until, delay = self.backoff.get(slot_key, (0.0, 0.0))
        if time.monotonic() < until:
            floor = max(floor, delay)
        return floor

    def _slot(self, request: Request) -> tuple[str, Slot | None]:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def process_request(self, request: Request) -> None:
        key, slot = self._slot(request)
        host = urlsplit(request.url).hostname or ""
        site_floor = self.site_floors.get(request.meta.get("news_site", ""), 0.0)
        static = max(site_floor, self.robots_floors.get(host, 0.0))
        if static:
            self.slot_floors[key] = max(static, self.slot_floors.get(key, 0.0))
        if slot is not None:
            apply_floor(slot, self.floor(key))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in _BACKOFF_STATUSES:
            return response
        header = response.headers.get(b"Retry-After")
        wait = parse_retry_after(header.decode("latin-1") if header else None)
        if wait is None:
            return response
        wait = min(wait, self.max_retry_after)
        key, slot = self._slot(request)
        self.backoff[key] = (time.monotonic() + wait, wait)
        if slot is not None:
            apply_floor(slot, wait)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("news/politeness/retry_after")
        logger.info("%s answered %d, Retry-After %.0fs: slowing down", key, response.status, wait)
        return response
