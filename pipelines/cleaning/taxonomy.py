"""Section, keywords and breadcrumbs: declared (JSON-LD, meta tags), else from the markup.

Declared values come from :mod:`pipelines.cleaning.metadata`. A page that declares none
still shows them: a breadcrumb trail (schema.org microdata, or a ``breadcrumb`` list of
links), category links (``rel="category"``) and tag links (``rel="tag"``, WordPress and
most CMSs). Links in navigation, sidebars and footers are not the article's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from crawler.items import Breadcrumb
from pipelines.cleaning.jsonld import clean, keyword_list, unique
from pipelines.cleaning.metadata import PageMetadata

_REL_LINKS = etree.XPath("//a[@rel][@href]")
# Attributes are selected, not elements (far cheaper than testing every element), and
# their elements taken from them. Each contains the word given here: a page whose source
# lacks the word has no such attribute, and is not searched.
_TRAIL_TYPE = "BreadcrumbList"
_TRAIL_WORD = "readcrumb"
_MICRODATA_TRAILS = etree.XPath(f"//@itemtype[contains(., '{_TRAIL_TYPE}')]")
_MARKUP_TRAILS = etree.XPath(
    "//@class[contains(., 'breadcrumb')] | //@id[contains(., 'breadcrumb')]"
    " | //@aria-label[contains(., 'readcrumb')]"
)
# Page chrome: links inside these are the site's, not the article's.
_TAXONOMY_RELS = frozenset({"category", "tag"})
_CHROME_TAGS = {"nav", "aside", "footer"}
_CHROME = re.compile(r"sidebar|widget|footer|menu|related|popular|cloud", re.IGNORECASE)
# The first step of most trails is the home page, not a section.
_HOME = {"home", "homepage", "start", "startseite", "accueil", "inicio", "início", "portada"}
_MAX_STEPS = 12
_MAX_NAME_CHARS = 120


@dataclass
class Taxonomy:
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    breadcrumbs: list[Breadcrumb] = field(default_factory=list)


def page_taxonomy(tree: HtmlElement, meta: PageMetadata, page_url: str, source: str) -> Taxonomy:
    """The article's section, keywords and breadcrumb trail (each absent when unknown).

    ``source``: the page's HTML. A page that never writes "BreadcrumbList" or "readcrumb"
    has no item type or class, id or label naming a trail, and its attributes are not
    searched for one (8 real pages in 10 name no trail).
    """
    steps = (
        meta.breadcrumbs
        or (_microdata_trail(tree) if _TRAIL_TYPE in source else [])
        or (_markup_trail(tree) if _TRAIL_WORD in source else [])
    )
    trail = [
        Breadcrumb(name, urljoin(page_url, url) if url and page_url else url)
        for name, url in steps[:_MAX_STEPS]
    ]
    # Only category and tag links are read: the others (rel="nofollow" on every link of
    # some pages) are not looked up in the chrome.
    rel_links = [
        link
        for link in _REL_LINKS(tree)
        if _TAXONOMY_RELS.intersection((link.get("rel") or "").lower().split())
        and not _in_chrome(link)
    ]
    section = (
        meta.section
        or _trail_section(trail, meta.headline, page_url)
        or _first(_link_texts(rel_links, "category"))
    )
    keywords = meta.keywords or keyword_list(
        [t for t in _link_texts(rel_links, "tag", without="category")]
    )
    return Taxonomy(section, unique(keywords), trail)


def _link_texts(links: list[HtmlElement], rel: str, without: str = "") -> list[str]:
    texts = []
    for link in links:
        values = (link.get("rel") or "").lower().split()
        if rel in values and (not without or without not in values):
            text = clean(link.text_content())
            if text and len(text) <= _MAX_NAME_CHARS:
                texts.append(text)
    return texts


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _in_chrome(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _CHROME_TAGS or _CHROME.search(ancestor.get("class", "")):
            return True
    return False


def _trail_section(trail: list[Breadcrumb], headline: str | None, page_url: str) -> str | None:
    """The last step of the trail before the article itself, unless it is the home page."""
    steps = [step for step in trail if step.name]
    if steps and _is_page_itself(steps[-1], headline, page_url):
        steps = steps[:-1]
    if not steps or (steps[-1].name or "").casefold() in _HOME:
        return None
    return steps[-1].name


def _is_page_itself(step: Breadcrumb, headline: str | None, page_url: str) -> bool:
    if step.url is None or (page_url and step.url.rstrip("/") == page_url.rstrip("/")):
        return True
    return headline is not None and clean(step.name or "").casefold() == headline.casefold()


def _microdata_trail(tree: HtmlElement) -> list[tuple[str | None, str | None]]:
    for attribute in _MICRODATA_TRAILS(tree):
        trail = attribute.getparent()
        steps = []
        for item in trail.iterdescendants():
            if not isinstance(item.tag, str) or item.get("itemprop") != "itemListElement":
                continue
            name_element = next(
                (e for e in item.iterdescendants() if e.get("itemprop") == "name"), None
            )
            link = next((e for e in item.iter("a") if e.get("href")), None)
            name = clean((name_element if name_element is not None else item).text_content())
            url = link.get("href") if link is not None else None
            if name or url:
                steps.append((name or None, url))
        if steps:
            return steps
    return []


def _markup_trail(tree: HtmlElement) -> list[tuple[str | None, str | None]]:
    """A breadcrumb list of links: its links, then the current page's own step if shown."""
    for attribute in _MARKUP_TRAILS(tree):
        trail = attribute.getparent()
        links = [link for link in trail.iter("a") if link.get("href")]
        if not links:
            continue
        steps: list[tuple[str | None, str | None]] = [
            (clean(link.text_content()) or None, link.get("href")) for link in links
        ]
        items = [i for i in trail.iter("li") if not any(True for _ in i.iter("a"))]
        if items and items[-1] is not None:
            last = clean(items[-1].text_content())
            if last and len(last) <= _MAX_NAME_CHARS:
                steps.append((last, None))
        if all(urlsplit(url or "").scheme in ("", "http", "https") for _, url in steps):
            return steps
    return []
