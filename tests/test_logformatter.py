import logging

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.logformatter import NewsLogFormatter


def _formatter(**settings: object) -> NewsLogFormatter:
    return NewsLogFormatter.from_crawler(get_crawler(Spider, settings))


@pytest.mark.parametrize(
    ("settings", "shown"),
    [
        ({"LOG_LEVEL": "INFO"}, False),
        ({"LOG_LEVEL": "warning"}, False),
        ({"LOG_LEVEL": logging.ERROR}, False),
        ({"LOG_LEVEL": "DEBUG"}, True),
        ({"LOG_LEVEL": "DEBUG", "LOG_ENABLED": False}, False),
        ({"LOG_LEVEL": "NO-SUCH-LEVEL"}, True),  # Scrapy refuses it; nothing is hidden
    ],
)
def test_per_page_lines_are_built_only_when_log_level_shows_them(settings, shown):
    formatter = _formatter(**settings)
    spider = Spider("s")
    request = Request("https://harbor-herald.test/a")
    response = Response(request.url, request=request)
    scraped, crawled = (
        formatter.scraped({"a": 1}, response, spider),
        formatter.crawled(request, response, spider),
    )
    assert (scraped is not None, crawled is not None) == (shown, shown)
    if shown:
        assert scraped is not None and scraped["level"] == logging.DEBUG
