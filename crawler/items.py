"""Typed items passed between the spider and the pipelines.

Field names of :class:`Article` follow the zyte-common-items ``Article`` /
schema.org ``NewsArticle`` vocabulary (``headline``, ``articleBody``,
``datePublished``...), so records read the same as other tools' output.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DiscoveryHints:
    """What a feed or sitemap said about a URL before it was fetched."""

    via: str = "page"  # "feed", "sitemap" or "page"
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


@dataclass
class Article:
    """A cleaned news article record."""

    url: str
    headline: str
    articleBody: str = field(repr=False)  # paragraphs separated by one blank line
    canonicalUrl: str = ""
    id: str = ""  # 16 hex digits derived from canonicalUrl
    site: str = ""
    authors: list[str] = field(default_factory=list)
    datePublished: str | None = None  # ISO 8601, with time zone where known
    dateModified: str | None = None
    inLanguage: str | None = None
    description: str | None = None
    mainImage: str | None = None
    wordCount: int = 0
    fingerprint: str = ""  # hash of the normalized text
    fetchedAt: str | None = None
    discoveredVia: str | None = None
    flags: list[str] = field(default_factory=list)
    version: int = 1
    previousFingerprint: str | None = None
    duplicateOf: str | None = None
