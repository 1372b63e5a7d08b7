"""Read RSS 2.0, RSS 1.0 (RDF), Atom and JSON Feed documents into a flat list of entries.

Only what discovery needs is kept: the article URL, its title and its dates. Bodies
(``content:encoded``, ``summary``...) are ignored; the page itself is fetched later.

XML is parsed with entity expansion, DTD loading and network access disabled, in lxml's
recover mode, so a sloppy feed still yields what can be read. It is streamed through a pull
parser and each entry is dropped once read, like a sitemap: a firehose feed costs the crawl
process no tree of its own, and parsing stops at ``max_entries``. libxml2 aborts on entity
amplification (billion laughs), leaving at most the entries before the attack.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any

from lxml import etree

from crawler.discovery.dates import parse_date
from crawler.discovery.xmltools import (
    SAFE_PARSER_OPTIONS,
    EntryCap,
    absolute_http_url,
    element_children,
    forget,
    local_name,
    slices,
)

__all__ = ["FeedEntry", "FeedError", "looks_like_feed", "parse_feed"]

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 4096
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_ROOT_TAG = re.compile(
    r"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*<(?:[\w.-]+:)?([\w.-]+)",
    re.DOTALL | re.IGNORECASE,
)
_ALTERNATE = "alternate"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class FeedEntry:
    """One feed item, as announced by the feed."""

    url: str  # absolute, resolved against base_url / xml:base
    title: str | None
    published: datetime | None
    modified: datetime | None


class FeedError(ValueError):
    """The body is not a feed, or nothing in it could be read."""


def looks_like_feed(body: bytes) -> bool:
    """Cheaply tell whether ``body`` starts like an RSS, RDF, Atom or JSON feed."""
    head = _decode_head(body[:_SNIFF_BYTES]).lstrip()
    if head.startswith("{"):
        return "jsonfeed.org" in head
    match = _ROOT_TAG.match(head)
    if match is None:
        return False
    root = match[1].lower()
    lowered = head.lower()
    if root == "rss":
        return True
    if root == "rdf":
        return "purl.org/rss" in lowered or "netscape.com/rdf" in lowered
    if root == "feed":
        return "www.w3.org/2005/atom" in lowered or "purl.org/atom" in lowered
    return False


def parse_feed(body: bytes, base_url: str, *, max_entries: int = 5000) -> list[FeedEntry]:
    """Parse a feed into entries with absolute http(s) URLs, in document order.

    Entries without a usable URL are skipped; at most ``max_entries`` are returned.
    Raises :class:`FeedError` when the body is not a feed or cannot be read at all.
    """
    if not body.strip():
        raise FeedError("empty feed body")
    if _declares_entities(body):
        raise FeedError("feed declares XML entities (a possible entity-expansion bomb)")
    if _decode_head(body[:64]).lstrip().startswith("{"):
        return _capped(_json_feed_entries(body, base_url), base_url, max_entries)
    return _xml_feed_entries(body, base_url, max_entries)


def _capped(candidates: Iterator[FeedEntry], base_url: str, max_entries: int) -> list[FeedEntry]:
    cap: EntryCap[FeedEntry] = EntryCap("Feed", base_url, max_entries, logger)
    for entry in candidates:
        if not cap.add(entry):
            break
    return cap.entries


def _declares_entities(body: bytes) -> bool:
    """An ``<!ENTITY`` in the prolog: no real feed needs one, entity bombs do."""
    prolog = body[: body.find(b"<rss")] if b"<rss" in body[:65536] else body[:4096]
    return b"<!ENTITY" in prolog.upper() or b"<!\x00E\x00N\x00T" in prolog


# --- XML feeds ---------------------------------------------------------------------------

_FEED_KINDS = frozenset({"rss", "RDF", "feed"})
# Only entries produce events: a Python round trip for every <title> or <link> would
# dominate the parse time.
_EVENT_TAGS = ("{*}item", "{*}entry")


@dataclass
class _EntryCollector:
    """Turns pull-parser end events into entries, dropping each element once read.

    A firehose feed of 100,000 items would otherwise be a tree of some 100 MB in the crawl
    process; read this way, memory holds one item at a time and parsing stops at the cap.
    """

    base_url: str
    cap: EntryCap[FeedEntry]
    _root: etree._Element | None = field(default=None, init=False)
    _entry_tag: str = field(default="", init=False)

    def consume(self, events: Iterable[tuple[str, etree._Element]]) -> None:
        for _, element in events:
            # An <item> or <entry> as the root fails this check: every event after it has
            # a parent.
            if self._root is None:
                self.check_root(element.getroottree().getroot())
            # Only entries are dropped: an <item> nested in an entry (an extension's) is
            # still part of that entry, and the channel holds the items to come.
            if self._is_entry(element, element.getparent()):
                self._take(element)
                if self.cap.full:
                    return
                forget(element)

    def check_root(self, root: etree._Element | None) -> None:
        if self._root is not None:
            return
        if root is None:
            raise FeedError("feed is not parseable XML: no root element")
        kind = local_name(root)
        if kind not in _FEED_KINDS:
            raise FeedError(f"not a feed: root element is <{kind}>")
        self._root, self._entry_tag = root, "entry" if kind == "feed" else "item"

    def _is_entry(self, element: etree._Element, parent: etree._Element) -> bool:
        # RSS 2.0 nests items in <channel>; RSS 1.0 puts them beside it. Take both.
        if local_name(element) != self._entry_tag:
            return False
        if parent is self._root:
            return True
        return (
            self._entry_tag == "item"
            and local_name(parent) == "channel"
            and parent.getparent() is self._root
        )

    def _take(self, element: etree._Element) -> None:
        read_entry = _atom_entry if self._entry_tag == "entry" else _rss_item
        entry = read_entry(element, self.base_url)
        if entry is not None:
            self.cap.add(entry)


def _xml_feed_entries(body: bytes, base_url: str, max_entries: int) -> list[FeedEntry]:
    parser = etree.XMLPullParser(
        events=("end",), tag=_EVENT_TAGS, base_url=base_url, **SAFE_PARSER_OPTIONS
    )
    collector = _EntryCollector(base_url, EntryCap("Feed", base_url, max_entries, logger))
    text = _html_entities_to_numeric(body)
    try:
        for chunk in slices(text):
            parser.feed(chunk)
            collector.consume(parser.read_events())
            if collector.cap.full:
                return collector.cap.entries
        # libxml2 reports an end tag as soon as its ">" is fed, so an entry whose end only
        # comes with close() was cut off by the end of the input (a truncated download):
        # its link may be a truncated URL. Those events are dropped.
        collector.check_root(parser.close())
    except etree.XMLSyntaxError as exc:
        if collector.cap.entries:
            logger.warning("Feed %s is truncated or malformed: %s", base_url, exc)
            return collector.cap.entries
        raise FeedError(f"feed is not parseable XML: {exc}") from exc
    fatal = parser.feed_error_log.filter_from_fatals()
    if fatal:
        logger.debug("Recovered from %d fatal XML errors in feed %s", len(fatal), base_url)
        if not collector.cap.entries:
            raise FeedError(f"feed is malformed XML and no entry could be read: {fatal[0].message}")
    return collector.cap.entries


def _html_entities_to_numeric(body: bytes) -> bytes:
    """Rewrite HTML named entities (``&eacute;``) as character references.

    Feeds often use them without declaring them. libxml2's recovery from such an undeclared
    entity silently drops every later ``&amp;``, corrupting query strings in links.
    """
    if b"&" not in body:
        return body

    def replace(match: re.Match[bytes]) -> bytes:
        name = match[1].decode("ascii")
        value = _HTML5_ENTITIES.get(name + ";")
        if name in _XML_PREDEFINED or value is None:
            return match[0]
        return "".join(f"&#{ord(char)};" for char in value).encode("ascii")

    return _NAMED_ENTITY.sub(replace, body)


def _rss_item(item: etree._Element, base_url: str) -> FeedEntry | None:
    fields = _fields(item)
    url = None
    # FeedBurner's origLink is the real article; <link> points at a tracking redirect.
    for element in fields.get("origLink", []) + fields.get("link", []):
        # An Atom <link> inside an item carries href; only its alternate is the article.
        href = element.get("href") if _is_alternate(element) else None
        url = _resolve(element, _text(element) or href, base_url)
        if url:
            break
    if url is None:
        for guid in fields.get("guid", []):
            if guid.get("isPermaLink", "true").strip().lower() != "false":
                url = _permalink_id(_text(guid))
                break
    if url is None:
        return None
    return FeedEntry(
        url=url,
        title=_title(fields, "title"),
        published=_first_date(fields, "pubDate", "date", "issued", "created", "published"),
        modified=_first_date(fields, "modified", "updated"),
    )


def _atom_entry(entry: etree._Element, base_url: str) -> FeedEntry | None:
    fields = _fields(entry)
    url = _atom_link(fields.get("link", []), base_url)
    if url is None:
        # Many Atom feeds use the permalink as the entry id.
        for element in fields.get("id", []):
            url = _permalink_id(_text(element))
            if url:
                break
    if url is None:
        return None
    return FeedEntry(
        url=url,
        title=_title(fields, "title"),
        published=_first_date(fields, "published", "issued", "created"),
        modified=_first_date(fields, "updated", "modified"),
    )


def _atom_link(links: list[etree._Element], base_url: str) -> str | None:
    alternates = [link for link in links if _is_alternate(link)]
    # An HTML alternate is the article page; others may be e.g. an audio version.
    alternates.sort(key=lambda link: (link.get("type") or "text/html") not in _HTML_TYPES)
    for link in alternates:
        url = _resolve(link, link.get("href"), base_url)
        if url:
            return url
    return None


def _is_alternate(link: etree._Element) -> bool:
    return (link.get("rel") or _ALTERNATE).strip().lower() == _ALTERNATE


def _fields(element: etree._Element) -> dict[str, list[etree._Element]]:
    fields: dict[str, list[etree._Element]] = {}
    for child in element_children(element):
        fields.setdefault(local_name(child), []).append(child)
    return fields


def _title(fields: dict[str, list[etree._Element]], name: str) -> str | None:
    for element in fields.get(name, []):
        title = _clean_text(_text(element))
        if title:
            return title
    return None


def _first_date(fields: dict[str, list[etree._Element]], *names: str) -> datetime | None:
    for name in names:
        for element in fields.get(name, []):
            parsed = parse_date(_text(element))
            if parsed is not None:
                return parsed
    return None


def _resolve(element: etree._Element, raw: str | None, base_url: str) -> str | None:
    # element.base follows xml:base on the element and its ancestors.
    return absolute_http_url(element.base or base_url, raw)


def _permalink_id(text: str) -> str | None:
    # Ids are often opaque ("12345") even when nothing says so; resolving one against the
    # feed URL would invent a page, so only an absolute URL is taken.
    candidate = text.strip()
    if not candidate.lower().startswith(("http://", "https://")):
        return None
    return absolute_http_url(candidate, candidate)


def _text(element: etree._Element) -> str:
    # Unresolved entity references come back as "&name;" and are decoded by _clean_text.
    return "".join(element.itertext())


# --- JSON Feed ---------------------------------------------------------------------------


def _json_feed_entries(body: bytes, base_url: str) -> Iterator[FeedEntry]:
    try:
        document = json.loads(_decode_json(body))
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"JSON feed is not valid JSON: {exc}") from exc
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise FeedError("not a JSON feed: no 'items' list")
    for item in items:
        if isinstance(item, dict):
            entry = _json_item(item, base_url)
            if entry is not None:
                yield entry


def _json_item(item: dict[str, Any], base_url: str) -> FeedEntry | None:
    url = absolute_http_url(base_url, _string(item.get("url"))) or absolute_http_url(
        base_url, _string(item.get("external_url"))
    )
    if url is None:
        return None
    return FeedEntry(
        url=url,
        title=_clean_text(_string(item.get("title")) or ""),
        published=parse_date(_string(item.get("date_published"))),
        modified=parse_date(_string(item.get("date_modified"))),
    )


def _decode_json(body: bytes) -> str:
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16")
    return body.decode("utf-8-sig")


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


# --- shared helpers ----------------------------------------------------------------------


def _clean_text(text: str) -> str | None:
    # Titles are often double-escaped or carry escaped markup (Atom type="html").
    unescaped = _TAG.sub("", html.unescape(text))
    collapsed = " ".join(unescaped.split())
    return collapsed or None


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("utf-8-sig", errors="replace")
