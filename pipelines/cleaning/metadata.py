"""Article metadata declared by the page: JSON-LD, OpenGraph, meta tags, markup.

Read-only on the parsed tree, and run before body extraction (which mutates it).
Each field keeps the first value found in order of trust: JSON-LD NewsArticle,
then OpenGraph / ``article:*``, then other meta tags, then visible markup.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "liveblogposting",
    "scholarlyarticle",
    "report",
    "webpage",
}
# WebPage is a weak signal: only used when no article type is present.
_WEAK_TYPES = {"webpage"}
_NOT_ARTICLE_TYPES = {"collectionpage", "itemlist", "searchresultspage", "profilepage"}

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "article.published",
    "published_time",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")


@dataclass
class PageMetadata:
    headline: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None  # raw value as declared
    date_modified: str | None = None
    description: str | None = None
    main_image: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    amp_url: str | None = None
    site_name: str | None = None
    publisher: str | None = None
    title_tag: str | None = None
    h1: str | None = None
    page_type: str | None = None  # schema.org @type of the main entity, lowercased
    og_type: str | None = None
    accessible_for_free: bool | None = None
    # schema.org articleBody: on about a third of news pages; sometimes only a teaser.
    article_body: str | None = None
    # <article> elements: one on a story page; hubs show each teaser in its own.
    article_elements: int = 0


def extract_page_metadata(tree: HtmlElement) -> PageMetadata:
    meta = PageMetadata()
    for obj in _json_ld_objects(tree):
        _merge_json_ld(meta, obj)
    tags = _meta_tags(tree)
    meta.headline = meta.headline or tags.get("og:title") or tags.get("twitter:title")
    meta.description = meta.description or tags.get("og:description") or tags.get("description")
    meta.main_image = meta.main_image or tags.get("og:image") or tags.get("twitter:image")
    meta.site_name = meta.site_name or tags.get("og:site_name")
    meta.og_type = tags.get("og:type")
    meta.date_published = meta.date_published or _first(tags, _DATE_META)
    meta.date_modified = meta.date_modified or _first(tags, _MODIFIED_META)
    if not meta.authors:
        meta.authors = [a for a in (_first(tags, _AUTHOR_META),) if a and "://" not in a]
    if not meta.authors:
        meta.authors = _markup_authors(tree)
    if tags.get("og:url") and not meta.canonical_url:
        meta.canonical_url = tags["og:url"]
    for link in tree.iterfind(".//link[@rel][@href]"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and not meta.canonical_url:
            meta.canonical_url = link.get("href", "").strip() or None
        elif "amphtml" in rel and not meta.amp_url:
            meta.amp_url = link.get("href", "").strip() or None
    if meta.date_published is None:
        meta.date_published = _time_element(tree)
    meta.language = meta.language or _language(tree, tags)
    title = tree.find(".//title")
    meta.title_tag = _clean(title.text_content()) if title is not None else None
    meta.article_elements = sum(1 for _ in tree.iterfind(".//article"))
    h1s = tree.findall(".//h1")
    if len(h1s) >= 1:
        meta.h1 = _clean(h1s[0].text_content())
    return meta


# --- JSON-LD ------------------------------------------------------------------------


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = (script.text or "").strip().rstrip(";")
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            logger.debug("Unparseable JSON-LD block skipped")
            continue
        yield from _walk(data, 0)


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        if "@graph" in data:
            yield from _walk(data["@graph"], depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def _merge_json_ld(meta: PageMetadata, obj: dict[str, Any]) -> None:
    types = _types(obj)
    if types & _NOT_ARTICLE_TYPES and meta.page_type is None:
        meta.page_type = sorted(types & _NOT_ARTICLE_TYPES)[0]
        return
    if not types & ARTICLE_TYPES:
        if types & {"organization", "newsmediaorganization"} and not meta.publisher:
            meta.publisher = _text(obj.get("name"))
        return
    weak = not (types - _WEAK_TYPES)
    if weak and meta.page_type not in (None, "webpage"):
        return
    if weak:
        # A WebPage object only fills gaps; an article object found later overrides it.
        meta.page_type = meta.page_type or "webpage"
        meta.language = meta.language or _text(obj.get("inLanguage"))
        return
    meta.page_type = sorted(types - _WEAK_TYPES)[0]
    meta.headline = meta.headline or _text(obj.get("headline")) or _text(obj.get("name"))
    meta.date_published = meta.date_published or _text(obj.get("datePublished"))
    meta.date_modified = meta.date_modified or _text(obj.get("dateModified"))
    meta.description = meta.description or _text(obj.get("description"))
    meta.article_body = meta.article_body or _body_text(obj.get("articleBody"))
    meta.language = meta.language or _text(obj.get("inLanguage"))
    meta.main_image = meta.main_image or _image_url(obj.get("image"))
    if not meta.authors:
        meta.authors = _person_names(obj.get("author"))
    publisher = obj.get("publisher")
    if isinstance(publisher, dict):
        meta.publisher = meta.publisher or _text(publisher.get("name"))
    entity = obj.get("mainEntityOfPage")
    url = entity.get("@id") if isinstance(entity, dict) else entity
    if isinstance(url, str) and url.startswith("http") and not meta.canonical_url:
        meta.canonical_url = url
    free = obj.get("isAccessibleForFree")
    if free is not None and meta.accessible_for_free is None:
        meta.accessible_for_free = str(free).strip().lower() not in ("false", "0", "no")


def _body_text(value: Any) -> str | None:
    """articleBody as declared: its line breaks are kept (paragraphs), markup is not read."""
    if isinstance(value, list):
        value = " ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _person_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name and "://" not in name:
            names.append(name)
    return names


def _image_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return _text(value)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str):
        return _clean(value) or None
    return None


# --- meta tags and markup -----------------------------------------------------------


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for el in tree.iterfind(".//meta[@content]"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = _clean(el.get("content") or "")
        if key and content:
            tags.setdefault(key.strip().lower(), content)
    return tags


def _first(tags: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if tags.get(key):
            return tags[key]
    return None


# Attributes, not elements, are selected (far cheaper than testing every element); the class
# tokens are checked in Python on the few candidates.
_AUTHOR_ATTRIBUTES = etree.XPath(
    "//@rel[. = 'author'] | //@itemprop[. = 'author'] | //@class[contains(., 'author-name')"
    " or contains(., 'byline__name')]"
)
_AUTHOR_CLASSES = {"author-name", "byline__name"}


def _markup_authors(tree: HtmlElement) -> list[str]:
    names: list[str] = []
    for found in _AUTHOR_ATTRIBUTES(tree):
        el = found.getparent()
        if found.attrname == "class" and _AUTHOR_CLASSES.isdisjoint(str(found).split()):
            continue
        name = _clean(el.text_content())
        if name and len(name) <= 80 and name not in names:
            names.append(name)
    return names[:5]


def _time_element(tree: HtmlElement) -> str | None:
    for el in tree.xpath(".//article//time[@datetime] | .//time[@pubdate][@datetime]"):
        value = (el.get("datetime") or "").strip()
        if value:
            return str(value)
    return None


def _language(tree: HtmlElement, tags: dict[str, str]) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or tags.get("content-language") or tags.get("og:locale")
    return lang.strip().replace("_", "-") or None if lang else None


_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
