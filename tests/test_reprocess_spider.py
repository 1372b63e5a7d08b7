"""The re-cleaning spider's start(): pages kept in flight, and an end the engine sees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any, cast
from unittest import mock

from crawler.items import FetchedPage
from crawler.spiders.reprocess import ReprocessSpider
from fixtures.server import REGISTRY
from tests.crawlers import spider_crawler
from tests.warcs import response, warcinfo, write_members

HOST = "http://harborherald.test"  # a fixture registry site


def spider_over(tmp_path: Path, pages: int, **settings: Any) -> ReprocessSpider:
    warc = write_members(
        tmp_path / "pages.warc.gz",
        [warcinfo(), *(response(f"{HOST}/2026/11/20/story-{n}/") for n in range(pages))],
    )
    crawler = spider_crawler(ReprocessSpider, tmp_path, NEWS_REGISTRY=str(REGISTRY), **settings)
    spider = ReprocessSpider.from_crawler(crawler, paths=[str(warc)])
    # Running, never backing out: as during a re-cleaning run with room in the scraper.
    crawler.engine = mock.Mock(needs_backout=mock.Mock(return_value=False))
    return spider


def test_start_ends_only_once_its_last_page_is_done(tmp_path):
    """The engine looks for idleness when start() ends: ending with pages still in the
    pipelines would leave the run waiting for the engine's 5-second heartbeat."""

    async def main() -> list[bool]:
        spider = spider_over(tmp_path, 2)
        start = spider.start()
        pages = [await anext(start), await anext(start)]
        assert all(isinstance(p, FetchedPage) for p in pages)
        end = asyncio.ensure_future(anext(start))
        states = []
        for page in pages:
            await asyncio.sleep(0.05)
            states.append(end.done())
            spider.page_done(page)
        try:
            await asyncio.wait_for(end, timeout=5)
        except StopAsyncIteration:
            states.append(True)
        return states

    assert asyncio.run(main()) == [False, False, True]


def test_start_keeps_a_window_of_pages_per_worker_in_flight(tmp_path):
    async def main() -> tuple[int, bool]:
        spider = spider_over(tmp_path, 12, NEWS_EXTRACT_WORKERS=2)
        start = cast(AsyncGenerator[FetchedPage, None], spider.start())
        window = [await anext(start) for _ in range(8)]
        blocked = asyncio.ensure_future(anext(start))
        await asyncio.sleep(0.05)
        waited = not blocked.done()
        spider.page_done(window[0])
        await asyncio.wait_for(blocked, timeout=5)
        await start.aclose()
        return spider.in_flight, waited

    assert asyncio.run(main()) == (8, True)
