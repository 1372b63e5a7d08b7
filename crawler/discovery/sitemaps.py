"""Read XML sitemaps, sitemap indexes and Google News sitemaps, plain or gzipped.

The body is streamed through a pull parser in chunks and each ``<url>``/``<sitemap>`` is
discarded once read, so memory stays flat for a 50,000-URL sitemap and a gzip bomb is
cut off at ``max_size`` inflated bytes instead of being expanded. XML is parsed with
entity expansion, DTD loading and network access disabled, in recover mode.

Plain-text sitemaps (one URL per line, allowed by sitemaps.org) are read as a urlset.
URLs are resolved against ``base_url`` but not filtered by host: the sitemap protocol's
same-host rule is the caller's policy to apply.
"""

from __future__ import annotations

import html
import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Literal

from lxml import etree

from crawler.discovery.dates import parse_date
from crawler.discovery.xmltools import (
    CHUNK,
    SAFE_PARSER_OPTIONS,
    EntryCap,
    absolute_http_url,
    forget,
    local_name,
    slices,
)

__all__ = ["DEFAULT_MAX_SIZE", "Sitemap", "SitemapEntry", "SitemapError", "parse_sitemap"]

logger = logging.getLogger(__name__)

# The sitemaps.org limit for an uncompressed sitemap.
DEFAULT_MAX_SIZE = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ROOT_KINDS: dict[str, Literal["index", "urlset"]] = {"sitemapindex": "index", "urlset": "urlset"}
_ENTRY_TAG = {"index": "sitemap", "urlset": "url"}
_EVENT_TAGS = ("{*}urlset", "{*}sitemapindex", "{*}url", "{*}sitemap")


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` of a urlset or one ``<sitemap>`` of an index."""

    url: str
    lastmod: datetime | None
    news_title: str | None  # news:news/news:title
    news_published: datetime | None  # news:news/news:publication_date


@dataclass(frozen=True)
class Sitemap:
    kind: Literal["index", "urlset"]
    entries: list[SitemapEntry]


class SitemapError(ValueError):
    """The body is not a sitemap, is corrupt, or inflates beyond the size limit."""


def parse_sitemap(
    body: bytes,
    base_url: str,
    *,
    max_entries: int = 50000,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Sitemap:
    """Parse a sitemap or sitemap index; gzip is detected from its magic bytes.

    Entries without an http(s) URL are skipped; at most ``max_entries`` are returned.
    Raises :class:`SitemapError` for non-sitemaps, corrupt gzip, or more than ``max_size``
    bytes of (inflated) XML.
    """
    chunks = _inflate(body, max_size) if body.startswith(_GZIP_MAGIC) else _slices(body, max_size)
    first = next((chunk for chunk in chunks if chunk.strip()), b"")
    if not first:
        raise SitemapError("empty sitemap body")
    if b"<!ENTITY" in first[:65536].upper():
        # No real sitemap declares entities; billion-laughs bombs do.
        raise SitemapError("sitemap declares XML entities (a possible entity-expansion bomb)")
    stream = chain([first], chunks)
    if first.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] not in (b"<", b"\xff", b"\xfe", b"\x00"):
        return _parse_text(stream, base_url, max_entries)
    return _parse_xml(stream, base_url, max_entries)


# --- XML ---------------------------------------------------------------------------------


@dataclass
class _Collector:
    """Turns pull-parser end events into entries, dropping each element once read."""

    base_url: str
    cap: EntryCap[SitemapEntry]
    kind: Literal["index", "urlset"] | None = None
    _root: etree._Element | None = field(default=None, init=False)
    _entry_tag: str = field(default="", init=False)

    def consume(self, events: Iterable[tuple[str, etree._Element]]) -> None:
        for _, element in events:
            parent = element.getparent()
            if parent is None:
                self.check_root(element)
                continue
            if self._root is None:
                self.check_root(element.getroottree().getroot())
            # Entries nested deeper than the root's children are not part of the protocol.
            if parent is self._root:
                self._take(element)
                if self.cap.full:
                    return

    def check_root(self, root: etree._Element | None) -> None:
        if self._root is not None:
            return
        if root is None:
            raise SitemapError("sitemap is not parseable XML: no root element")
        name = local_name(root)
        kind = _ROOT_KINDS.get(name)
        if kind is None:
            raise SitemapError(f"not a sitemap: root element is <{name}>")
        self._root, self.kind, self._entry_tag = root, kind, _ENTRY_TAG[kind]

    def _take(self, element: etree._Element) -> None:
        if local_name(element) == self._entry_tag:
            entry = _entry(element, self.base_url)
            if entry is not None and not self.cap.add(entry):
                return
        forget(element)


def _parse_xml(chunks: Iterator[bytes], base_url: str, max_entries: int) -> Sitemap:
    parser = etree.XMLPullParser(
        # Only entry and root elements produce events: a Python round trip for every
        # <loc> or <image:image> would dominate the parse time.
        events=("end",),
        tag=_EVENT_TAGS,
        **SAFE_PARSER_OPTIONS,
    )
    collector = _Collector(base_url, EntryCap("Sitemap", base_url, max_entries, logger))
    try:
        for chunk in chunks:
            parser.feed(chunk)
            collector.consume(parser.read_events())
            if collector.cap.full:
                break
        else:
            # libxml2 reports an end tag as soon as its ">" is fed, so an element whose end
            # only comes with close() was cut off by the end of the input (a truncated
            # download): its <loc> may be a truncated URL. Those events are dropped.
            collector.check_root(parser.close())
    except etree.XMLSyntaxError as exc:
        if collector.kind is None:
            raise SitemapError(f"sitemap is not parseable XML: {exc}") from exc
        # Keep what was read before the damage, like recover mode does for smaller faults.
        logger.warning("Sitemap %s is truncated or malformed: %s", base_url, exc)
    if collector.kind is None:
        raise SitemapError("sitemap is not parseable XML: no root element")
    return Sitemap(kind=collector.kind, entries=collector.cap.entries)


def _entry(element: etree._Element, base_url: str) -> SitemapEntry | None:
    fields = _fields(element)
    url = absolute_http_url(base_url, _text(fields.get("loc")))
    if url is None:
        return None
    news = _fields(fields["news"]) if "news" in fields else {}
    title = " ".join(html.unescape(_text(news.get("title"))).split())
    return SitemapEntry(
        url=url,
        lastmod=parse_date(_text(fields.get("lastmod"))),
        news_title=title or None,
        news_published=parse_date(_text(news.get("publication_date"))),
    )


def _fields(element: etree._Element) -> dict[str, etree._Element]:
    """First child element per local name; namespaces and prefixes are ignored.

    Only direct children are looked at, so ``image:loc`` or ``video:title`` nested in
    their own containers never shadow the entry's ``loc`` or the news ``title``.
    """
    fields: dict[str, etree._Element] = {}
    for child in element:
        if isinstance(child.tag, str):
            fields.setdefault(local_name(child), child)
    return fields


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


# --- plain text --------------------------------------------------------------------------


def _parse_text(chunks: Iterator[bytes], base_url: str, max_entries: int) -> Sitemap:
    text = b"".join(chunks).decode("utf-8-sig", errors="replace")
    cap: EntryCap[SitemapEntry] = EntryCap("Sitemap", base_url, max_entries, logger)
    for line in text.splitlines():
        candidate = line.strip()
        if not candidate.lower().startswith(("http://", "https://")):
            continue
        url = absolute_http_url(base_url, candidate)
        if url is None:
            continue
        if not cap.add(SitemapEntry(url=url, lastmod=None, news_title=None, news_published=None)):
            break
    if not cap.entries:
        raise SitemapError("not a sitemap: neither XML nor a list of URLs")
    return Sitemap(kind="urlset", entries=cap.entries)


# --- body decoding -----------------------------------------------------------------------


def _slices(body: bytes, max_size: int) -> Iterator[bytes]:
    if len(body) > max_size:
        raise SitemapError(f"sitemap is larger than {max_size} bytes")
    yield from slices(body)


def _inflate(body: bytes, max_size: int) -> Iterator[bytes]:
    """Gunzip in bounded steps, so output is never produced past ``max_size``."""
    total = 0
    pending = body
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    while True:
        try:
            out = decompressor.decompress(pending, CHUNK)
        except zlib.error as exc:
            raise SitemapError(f"corrupt gzip sitemap: {exc}") from exc
        total += len(out)
        if total > max_size:
            raise SitemapError(f"gzipped sitemap inflates beyond {max_size} bytes")
        if out:
            yield out
        pending = decompressor.unconsumed_tail
        if decompressor.eof:
            # Concatenated gzip members are one valid stream; anything else is padding.
            pending = decompressor.unused_data
            if not pending.startswith(_GZIP_MAGIC):
                return
            decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif not pending and len(out) < CHUNK:
            # A full chunk may leave output buffered in zlib; only a short one means done.
            logger.warning("Gzipped sitemap ends before the end of its gzip stream")
            return
