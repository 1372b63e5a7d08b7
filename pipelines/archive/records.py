"""What our WARC records carry beyond the standard, and how captures are named.

Our response records have two extra named fields (WARC 1.1 allows fields of one's own;
names starting with ``WARC-`` are reserved), so re-cleaning sees a page as the crawl saw
it: the registry site it was fetched for, and what the feed or sitemap said about it (the
cleaner falls back on those hints for headline and dates).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crawler.items import DiscoveryHints

SITE_FIELD = "Newscrawler-Site"
HINTS_FIELD = "Newscrawler-Hints"
SOFTWARE = "newscrawler/0.1 (Scrapy; warcio)"


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as they went over the wire."""

    url: str
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes = field(repr=False)  # as received: content-encoded, not chunked
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    date: datetime | None = None  # when the response arrived (UTC)
    site: str | None = None
    hints: DiscoveryHints | None = None


@dataclass(frozen=True)
class Archived:
    """Where an exchange was archived: the file (relative to the run directory, by its
    final name) and the response record's WARC-Record-ID."""

    file: str
    record_id: str


def hints_field(hints: DiscoveryHints) -> str:
    """One ASCII line of JSON: WARC field values must not break lines."""
    # Its fields are flat strings: vars() is asdict() without the deep copy (a fifth of
    # this archive's record-building time on the throughput bench).
    return json.dumps(vars(hints), ensure_ascii=True, separators=(",", ":"))


def parse_hints(value: str | None) -> DiscoveryHints | None:
    """The hints of our own records; None for anything else (never an exception)."""
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None

    def text(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) else None

    return DiscoveryHints(
        via=text("via") or "page",
        source_url=text("source_url"),
        title=text("title"),
        date_published=text("date_published"),
        date_modified=text("date_modified"),
    )


def warc_date(moment: datetime) -> str:
    """WARC 1.1 dates: UTC, microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
