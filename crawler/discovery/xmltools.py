"""What the feed and sitemap parsers share: safe XML parsing and URL and name helpers.

Feeds and sitemaps come from sites we do not control: XML is parsed with entity
expansion, DTD loading and network access disabled (a billion-laughs document expands
nothing), without libxml2's huge-tree allowance, and in recover mode, so a sloppy
document still yields what can be read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any, Generic, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree

SAFE_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "recover": True,
}
# Nearly every URL in a sitemap is already absolute: urljoin + urlsplit would double the
# parse time of a large one.
_PLAIN_HTTP_URL = re.compile(
    r"https?://[a-z0-9][a-z0-9.-]*(?::\d{1,5})?(?:[/?#][^\s]*)?\Z", re.IGNORECASE
)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: feeds and sitemaps mix prefixes freely."""
    return str(element.tag).rpartition("}")[2]


def element_children(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements only: comments, processing instructions and entities have other tags."""
    return (child for child in element if isinstance(child.tag, str))


T = TypeVar("T")


class EntryCap(Generic[T]):
    """The entries of one document, up to ``limit``: the first one past it is logged once
    and marks the list ``full``, so the reader can stop."""

    def __init__(self, document: str, source: str, limit: int, log: logging.Logger) -> None:
        self.entries: list[T] = []
        self.full = False
        self._document, self._source, self._limit, self._log = document, source, limit, log

    def add(self, entry: T) -> bool:
        """Keep ``entry``; False, and nothing kept, once the list is full."""
        if len(self.entries) >= self._limit:
            if not self.full:
                self._log.warning(
                    "%s %s has more than %d entries; ignoring the rest",
                    self._document,
                    self._source,
                    self._limit,
                )
            self.full = True
            return False
        self.entries.append(entry)
        return True


# What a streaming parser is fed at a time.
CHUNK = 64 * 1024


def slices(body: bytes) -> Iterator[bytes]:
    """``body`` in pieces of :data:`CHUNK` bytes, for a pull parser."""
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        yield bytes(view[start : start + CHUNK])


def forget(element: etree._Element) -> None:
    """Free an element a streaming parser has read, and its earlier siblings.

    Later siblings may already be parsed (or still being built) in the same batch of
    events, so only this element and those before it are dropped.
    """
    element.clear()
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def absolute_http_url(base: str, raw: str | None) -> str | None:
    """``raw`` resolved against ``base``, if it is an http(s) URL with a host; else None."""
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    if _PLAIN_HTTP_URL.match(raw):
        return raw
    try:
        url = urljoin(base, raw)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
