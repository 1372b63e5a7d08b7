"""What onboarding reads off a site's pages: links, declared feeds, robots.txt sitemaps.

Links are read as the crawler's start-page parsing reads them (``<a>`` and ``<area>``
``href``, resolved against the page and its ``<base>``), with one more fact: whether a
link sits in the page's navigation (``<nav>``, ``<header>``, ``<footer>``, an ARIA
navigation or menu), which is where hubs live. Feeds are those the page declares
(``<link rel="alternate">`` with a feed type); links that look like one ("RSS",
``/feed.json``) are kept apart: they are tried, and may turn out to be pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
from lxml import etree

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
_NAV_ROLES = frozenset({"navigation", "menubar", "menu"})
_FRAME_TAGS = frozenset({"header", "footer"})
_FRAME_ROLES = frozenset({"banner", "contentinfo"})
_CONTENT_TAGS = frozenset({"article", "main"})
_FEED_HREF = re.compile(r"(?:^|/)(?:feeds?|rss|atom)(?:[./_-]|$)|\.(?:rss|atom|rdf)$", re.I)
_FEED_TEXT = re.compile(r"^\W*(?:rss|atom|json feed|feed|subscribe via rss)\W*$", re.I)
# Links the crawler never fetches as pages (its LinkExtractor skips these extensions too).
_NOT_PAGE = re.compile(
    r"\.(?:css|js|json|xml|rss|atom|rdf|txt|jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|mp3|mp4|"
    r"m4a|mov|avi|webm|woff2?|ttf|eot)$",
    re.I,
)


@dataclass(frozen=True)
class Link:
    url: str  # absolute, without fragment
    in_nav: bool  # inside the page's navigation, header or footer


@dataclass
class PageLinks:
    """What a listing page (the home page, a section front) offers."""

    links: list[Link] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)  # declared: <link rel="alternate">
    feed_links: list[str] = field(default_factory=list)  # links that look like a feed
    language: str | None = None  # <html lang>, as given


def read_page(body: bytes, url: str) -> PageLinks:
    """Links, feeds and language of an HTML page; empty for what is not HTML."""
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return PageLinks()
    base = url
    for element in root.iter("base"):
        if element.get("href"):
            base = urljoin(url, element.get("href", "").strip())
            break
    result = PageLinks(language=(root.get("lang") or "").strip() or None)
    seen: set[str] = set()
    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            _add(result.feeds, base, element.get("href"))
    for element in root.iter("a", "area"):
        absolute = _absolute(base, element.get("href"))
        if absolute is None:
            continue
        text = element.text_content() if isinstance(element, lxml.html.HtmlElement) else ""
        if _FEED_HREF.search(urlsplit(absolute).path) or _FEED_TEXT.match(text.strip()):
            _add(result.feed_links, base, absolute)
        if absolute not in seen:
            seen.add(absolute)
            result.links.append(Link(absolute, _in_nav(element)))
    return result


def is_page_link(url: str) -> bool:
    """Whether a link may lead to an HTML page (not a stylesheet, image, feed...)."""
    try:
        return not _NOT_PAGE.search(urlsplit(url).path)
    except ValueError:
        return False


def robots_sitemaps(body: bytes) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, in order."""
    parser = RobotFileParser()
    parser.parse(body.decode("utf-8", "replace").splitlines())
    found: list[str] = []
    for url in parser.site_maps() or ():
        if url not in found:
            found.append(url)
    return found


def feed_format(body: bytes) -> str:
    """A name for the feed's format, for the report."""
    head = body[:2048].lstrip().lower()
    if head.startswith(b"{"):
        return "JSON Feed"
    if b"<rdf:rdf" in head:
        return "RSS 1.0"
    if b"<feed" in head:
        return "Atom"
    return "RSS"


def _add(urls: list[str], base: str, href: str | None) -> None:
    absolute = _absolute(base, href)
    if absolute is not None and absolute not in urls:
        urls.append(absolute)


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        url = urldefrag(urljoin(base, href.strip()))[0]
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _in_nav(element: etree._Element) -> bool:
    """In a <nav> or menu; in a page header or footer, but not an article's own."""
    in_frame = False
    for ancestor in element.iterancestors():
        tag = ancestor.tag.lower() if isinstance(ancestor.tag, str) else ""
        role = (ancestor.get("role") or "").lower()
        if tag in _CONTENT_TAGS:
            return False
        if tag == "nav" or role in _NAV_ROLES:
            return True
        if tag in _FRAME_TAGS or role in _FRAME_ROLES:
            in_frame = True
    return in_frame
