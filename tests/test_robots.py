"""robots.txt is obeyed by requests that wait for the file together (scrapy/scrapy#6802)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.robots import SharedRobotsTxtMiddleware

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class _Engine:
    """Holds the robots.txt download open until the test answers it."""

    def __init__(self) -> None:
        self.pending: list[asyncio.Future[TextResponse]] = []

    async def download_async(self, request: Request) -> TextResponse:
        answer: asyncio.Future[TextResponse] = asyncio.get_running_loop().create_future()
        self.pending.append(answer)
        return await answer


def _outcomes(middleware_class: type[RobotsTxtMiddleware]) -> list[str]:
    """Four requests wait for one robots.txt; then it arrives. Run as a crawl runs them:
    in an asyncio loop (Scrapy's default reactor), where the defect shows."""

    async def crawl() -> list[str]:
        crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
        engine = _Engine()
        crawler.engine = engine  # type: ignore[assignment]
        middleware = middleware_class.from_crawler(crawler)
        waiting = [
            asyncio.ensure_future(middleware.process_request(Request(f"http://example.test{p}")))
            for p in ("/private/a", "/private/b", "/private/c", "/public")
        ]
        while not engine.pending:
            await asyncio.sleep(0)
        robots = Request("http://example.test/robots.txt")
        engine.pending[0].set_result(TextResponse(robots.url, body=ROBOTS, request=robots))
        results = await asyncio.gather(*waiting, return_exceptions=True)
        return ["refused" if isinstance(r, IgnoreRequest) else "allowed" for r in results]

    return asyncio.run(crawl())


def test_every_waiting_request_is_judged_by_robots_txt():
    assert sorted(_outcomes(SharedRobotsTxtMiddleware)) == ["allowed"] + ["refused"] * 3


def test_scrapys_own_middleware_lets_waiting_requests_through():
    """The defect the subclass exists for; when Scrapy fixes it, drop the subclass."""
    outcomes = _outcomes(RobotsTxtMiddleware)
    if sorted(outcomes) == ["allowed"] + ["refused"] * 3:
        pytest.fail("Scrapy's RobotsTxtMiddleware is fixed: use it again (crawler/settings.py)")
    assert outcomes.count("allowed") > 1
