"""Typed items passed between the spider and the pipelines.

Field names of :class:`Article` follow the zyte-common-items ``Article`` /
schema.org ``NewsArticle`` vocabulary (``headline``, ``articleBody``,
``datePublished``...), so records read the same as other tools' output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from itemadapter import ItemAdapter

# Doubts the cleaner records in ``Article.flags``; NEWS_DROP_FLAGS picks those that drop.
ARTICLE_FLAGS = (
    "paywall",  # the page declares itself not free to read
    "short",  # an article, but a brief: fewer words than usual
    "too_short",  # too little text to be an article
    "not_article",  # a hub, listing, error or other non-article page
    "consent_wall",  # a cookie/consent wall instead of the text
    "too_deep",  # nested beyond the parser's limit: text may be cut off
)


@dataclass(frozen=True)
class DiscoveryHints:
    """What a feed or sitemap said about a URL before it was fetched."""

    via: str = "page"  # "feed", "sitemap", "page", or "archive" (a foreign WARC file)
    source_url: str | None = None
    title: str | None = None
    date_published: str | None = None  # ISO 8601
    date_modified: str | None = None  # ISO 8601


@dataclass
class FetchedPage:
    """A downloaded page, before extraction. The spider's only output."""

    url: str
    site: str
    # Kept out of repr: Scrapy logs dropped items, and a page does not belong in a log.
    body: bytes = field(repr=False)
    fetched_at: str = ""  # ISO 8601, UTC
    status: int = 200
    content_type: str | None = None
    hints: DiscoveryHints = field(default_factory=DiscoveryHints)
    # Where the raw response is archived (NEWS_WARC, or the file scrapy reprocess read).
    warc_file: str | None = None
    warc_record_id: str | None = None


@dataclass(frozen=True)
class Author:
    """An author, as zyte-common-items' ``Author``: the name, and the text it came from."""

    name: str
    nameRaw: str | None = None


@dataclass(frozen=True)
class Image:
    """An image, as zyte-common-items' ``Image`` (its ``url``) plus what the page says of it."""

    url: str
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Breadcrumb:
    """One step of the page's breadcrumb trail, as zyte-common-items' ``Breadcrumb``."""

    name: str | None = None
    url: str | None = None


@dataclass
class Article:
    """A cleaned news article record."""

    url: str
    headline: str
    articleBody: str = field(repr=False)  # paragraphs separated by one blank line
    canonicalUrl: str = ""
    id: str = ""  # 16 hex digits derived from canonicalUrl
    site: str = ""
    authors: list[Author] = field(default_factory=list)
    datePublished: str | None = None  # ISO 8601, with time zone where known
    dateModified: str | None = None
    inLanguage: str | None = None
    languageConfidence: float | None = None  # of a detected language; None when declared
    description: str | None = None
    mainImage: Image | None = None
    images: list[Image] = field(default_factory=list)  # inside the body, captions apart
    articleSection: str | None = None
    keywords: list[str] = field(default_factory=list)
    breadcrumbs: list[Breadcrumb] = field(default_factory=list)
    # The same paragraphs as articleBody, with headings, lists, quotes and emphasis.
    articleBodyMarkdown: str | None = None
    wordCount: int = 0
    fingerprint: str = ""  # hash of the normalized text
    fetchedAt: str | None = None
    discoveredVia: str | None = None
    flags: list[str] = field(default_factory=list)
    version: int = 1
    previousFingerprint: str | None = None
    duplicateOf: str | None = None
    warcFile: str | None = None  # the WARC file holding the raw response
    warcRecordId: str | None = None  # its response record's WARC-Record-ID


def as_fetched_page(item: Any) -> FetchedPage | None:
    """The page an item carries: a FetchedPage, or any item with a ``url`` and a ``body``."""
    if isinstance(item, FetchedPage):
        return item
    if not ItemAdapter.is_item(item):
        return None
    adapter = ItemAdapter(item)
    body, url = adapter.get("body"), adapter.get("url")
    if not isinstance(body, bytes) or not isinstance(url, str):
        return None
    return FetchedPage(
        url=url,
        site=str(adapter.get("site") or ""),
        body=body,
        fetched_at=str(adapter.get("fetched_at") or ""),
        content_type=adapter.get("content_type"),
        warc_file=adapter.get("warc_file"),
        warc_record_id=adapter.get("warc_record_id"),
    )


_ARTICLE_FIELDS = frozenset(f.name for f in dataclasses.fields(Article))


def as_article(item: Any) -> Article | None:
    """The article an item carries: an Article, or any item (dict, attrs, scrapy.Item...)
    with at least ``url``, ``headline``, ``articleBody`` and ``id`` in its fields."""
    if isinstance(item, Article):
        return item
    if not ItemAdapter.is_item(item):
        return None
    adapter = ItemAdapter(item)
    values = {k: v for k, v in adapter.items() if k in _ARTICLE_FIELDS}
    required = ("url", "headline", "articleBody", "id")
    if not all(isinstance(values.get(name), str) for name in required):
        return None
    values["authors"] = [_author(a) for a in values.get("authors") or ()]
    values["images"] = [_image(i) for i in values.get("images") or ()]
    values["breadcrumbs"] = [_breadcrumb(b) for b in values.get("breadcrumbs") or ()]
    if values.get("mainImage") is not None:
        values["mainImage"] = _image(values["mainImage"])
    return Article(**values)


def _fields(cls: type[Any], value: Any) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in ItemAdapter(value).items() if k in names}


def _author(value: Any) -> Author:
    return (
        value
        if isinstance(value, Author)
        else (Author(value) if isinstance(value, str) else Author(**_fields(Author, value)))
    )


def _image(value: Any) -> Image:
    return (
        value
        if isinstance(value, Image)
        else (Image(value) if isinstance(value, str) else Image(**_fields(Image, value)))
    )


def _breadcrumb(value: Any) -> Breadcrumb:
    return value if isinstance(value, Breadcrumb) else Breadcrumb(**_fields(Breadcrumb, value))
