"""robots.txt obeyed by every request, also those that wait for the file together.

Scrapy 2.19's ``RobotsTxtMiddleware`` (scrapy/scrapy#6802) makes the requests that arrive
while a host's robots.txt is being fetched await the pending Deferred itself. Awaiting a
Deferred through ``maybe_deferred_to_future`` consumes its result: the first waiter gets
the parser, every later one gets None, and None means "no robots.txt, allow all". A crawl
that starts with many requests for one host at once (a resumed JOBDIR queue, a sitemap
read before the first page) then fetches pages robots.txt forbids. Each waiter here gets
its own Deferred, fed from the shared one without consuming it.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        own: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            own.callback(parser)
            return parser  # left in the chain for the next waiter

        pending.addCallback(relay)
        return await maybe_deferred_to_future(own)
