"""WarcArchive: every article response (and hub responses, with NEWS_WARC_HUBS) into WARC.

Connected to ``response_downloaded``, which Scrapy sends with the response exactly as the
download handler returned it, before any downloader middleware: the body still
content-encoded (gzip, br...), the headers as the server sent them. The exchange is
appended to the run's open WARC segment (:class:`pipelines.archive.writer.WarcSegments`),
and the request's meta gets ``news_warc`` (file and record id), which the spider copies
into the page and extraction into the record (``warcFile``, ``warcRecordId``).

The batch commit (:class:`crawler.extensions.feedstorage.CommittingFileFeedStorage`) asks
:meth:`WarcArchive.seal` for the sealed segments and commits their renames with the
batch, so a record appears exactly when the WARC file holding its response does. When the
engine stops, the last segment is published: it holds pages no record points to
(dropped, duplicates), which a better cleaner may keep.

The IP address is recorded only for direct connections: through a proxy, Scrapy knows the
proxy's address, not the site's. The body is recorded de-chunked (Scrapy removes the
chunked framing), so ``Transfer-Encoding`` is left out of the recorded headers.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.statscollectors import StatsCollector

from crawler.addon import NewsAddon, news_addon
from crawler.items import DiscoveryHints
from pipelines.archive.records import Exchange
from pipelines.archive.writer import WarcSegments
from pipelines.output.files import FileMove

logger = logging.getLogger(__name__)

META_KEY = "news_warc"


class WarcArchive:
    def __init__(
        self, addon: NewsAddon, stats: StatsCollector, segments: WarcSegments, hubs: bool
    ) -> None:
        self.addon = addon
        self.stats = stats
        self.segments = segments
        self.roles = ("article", "hub") if hubs else ("article",)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        config = addon.config
        if not config.warc:
            raise NotConfigured("NEWS_WARC is off: responses are not archived")
        assert crawler.stats is not None
        segments = WarcSegments(
            addon.output_dir, config.warc_max_bytes, gzip_level=config.warc_gzip_level
        )
        extension = cls(addon, crawler.stats, segments, config.warc_hubs)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def response_downloaded(self, response: Response, request: Request) -> None:
        role = request.meta.get("news_role")
        if role not in self.roles or self.segments.broken is not None:
            return
        try:
            archived = self.segments.write(exchange(request, response))
        except (OSError, ValueError) as exc:  # ValueError: a record warcio cannot encode
            # Every later batch commit fails too (the writer is broken): nothing is
            # emitted whose response is not archived.
            self.addon.fail(
                f"output failed: cannot write the WARC archive ({exc}); records not "
                "archived are not emitted, and the next run emits them",
                reason="output_failed",
            )
            return
        request.meta[META_KEY] = {"file": archived.file, "id": archived.record_id}
        self.stats.inc_value(f"news/warc/archived/{role}")

    def seal(self) -> list[FileMove]:
        """The sealed segments a batch commit must publish; raises OSError when broken."""
        return self.segments.seal()

    def published(self, moves: list[FileMove]) -> None:
        self.segments.published(moves)

    def engine_stopped(self) -> None:
        # After the feed exporter stored its last batch (spider_closed), before the
        # manifest (a later extension) counts the outputs.
        try:
            published = self.segments.close()
        except OSError as exc:
            self.addon.fail(f"output failed: cannot publish the last WARC file: {exc}")
            return
        self.stats.set_value("news/warc/files", self.segments.files)
        if self.segments.exchanges:
            logger.info(
                "Archived %d responses in %d WARC files (%d published at the end)",
                self.segments.exchanges,
                self.segments.files,
                published,
            )


def exchange(request: Request, response: Response) -> Exchange:
    """What went over the wire, as far as Scrapy keeps it."""
    hints = request.cb_kwargs.get("hints")
    proxied = bool(request.meta.get("proxy") or request.meta.get("_auth_proxy"))
    ip = response.ip_address
    return Exchange(
        url=response.url,
        status=response.status,
        response_headers=_header_list(response.headers),
        body=response.body,
        method=request.method,
        request_headers=_header_list(request.headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(ip) if ip is not None and not proxied else None,
        date=datetime.now(UTC),
        site=request.meta.get("news_site"),
        hints=hints if isinstance(hints, DiscoveryHints) else None,
    )


def _header_list(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
