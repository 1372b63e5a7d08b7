"""The least a Scrapy process can do the job with: download every URL, yield one small item.

``python -m bench.peers.scrapy_floor URLS OUT``: no extraction, no dedup, no robots.txt, only
the download middlewares a proxied crawl needs. Its CPU a page is Scrapy's own floor on this
machine, which the crawl's Scrapy process cannot go below, whatever it moves elsewhere.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class FloorSpider(scrapy.Spider):
    name = "floor"
    urls: list[str] = []  # noqa: RUF012 - set before the crawl, read by start()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url)

    def parse(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {"url": response.url, "text": str(len(response.body))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    FloorSpider.urls = args.urls.read_text().split()
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "DOWNLOADER_MIDDLEWARES_BASE": {
                "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
                "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
            },
            "SPIDER_MIDDLEWARES_BASE": {"scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25},
            "EXTENSIONS_BASE": {
                "scrapy.extensions.corestats.CoreStats": 0,
                "scrapy.extensions.feedexport.FeedExporter": 0,
            },
            "FEEDS": {str(args.out): {"format": "jsonlines"}},
        }
    )
    process.crawl(FloorSpider)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
