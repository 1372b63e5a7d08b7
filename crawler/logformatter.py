"""Scrapy's log messages, without building the per-page ones that LOG_LEVEL throws away."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class NewsLogFormatter(LogFormatter):
    """Scrapy's ``LogFormatter``, whose DEBUG line for every response (``crawled``) and
    every item (``scraped``) is not built at all when ``LOG_LEVEL`` is above DEBUG.

    Scrapy lets every record through its loggers and filters in its log handler, so both
    lines were built for every page (the referer, the spider's name, a ``LogRecord``)
    and thrown away: 2.6% of the crawl process's CPU in a re-cleaning run. ``-L DEBUG``
    brings them back.
    """

    def __init__(self, per_page: bool = True) -> None:
        self.per_page = per_page

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        shown = settings.getbool("LOG_ENABLED") and _level(settings.get("LOG_LEVEL")) <= (
            logging.DEBUG
        )
        return cls(per_page=shown)

    # Scrapy's types say a dict, its engine and scraper take None as "no line".
    def crawled(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider
    ) -> LogFormatterResult | None:
        return super().crawled(request, response, spider) if self.per_page else None

    def scraped(  # type: ignore[override]
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        return super().scraped(item, response, spider) if self.per_page else None


def _level(value: Any) -> int:
    """A LOG_LEVEL as a number; one that is not a level keeps every line (Scrapy says why)."""
    if isinstance(value, int):
        return value
    number = logging.getLevelName(str(value).strip().upper())
    return number if isinstance(number, int) else logging.NOTSET
