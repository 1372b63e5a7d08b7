"""The one cleaning path: HTML in, a clean :class:`Article` out.

``clean_html`` is what the extraction pipeline and the quality benchmark both call,
so a score measured on any set of pages is the score of the crawler itself::

    from pipelines.cleaning.clean import clean_html
    article = clean_html(html_bytes, "https://example.com/story")

Steps: decode as a browser would, parse once, read the page's declared metadata,
apply per-site rules, extract the body with trafilatura (and readability where it does
better) and clean it with our boilerplate layer, then read the body's images and its
Markdown from the page, and fill metadata from fallbacks (trafilatura, feed/sitemap
hints, byline and dateline lines found in the body) and flag doubtful pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from crawler.discovery.dates import numeric_day_first, parse_date
from crawler.discovery.registry import CleaningRules
from crawler.discovery.urls import article_id
from crawler.items import Article, Author, DiscoveryHints, Image
from pipelines.cleaning.body import Body, extract_body
from pipelines.cleaning.decode import decode_html
from pipelines.cleaning.fallback import Fallback, trafilatura_authors, trafilatura_fallback
from pipelines.cleaning.fields import (
    author_credits,
    authors_from_bylines,
    first_text,
    resolve_canonical,
    resolve_date,
    sanitize_text,
    strip_site_name,
    truncate_headline,
    with_bylines,
)
from pipelines.cleaning.flags import (
    DEFAULT_MIN_WORDS,
    DEFAULT_SHORT_WORDS,
    Limits,
    article_signal,
    page_flags,
)
from pipelines.cleaning.images import body_images
from pipelines.cleaning.language import primary_subtag, record_language
from pipelines.cleaning.lines import is_share_prompt
from pipelines.cleaning.markdown import Paragraph, render_markdown
from pipelines.cleaning.metadata import PageMetadata, extract_page_metadata, shown_headline
from pipelines.cleaning.region import PageIndex
from pipelines.cleaning.siterules import (
    drop_phrases,
    remove_selected,
    selected_elements,
    selected_texts,
)
from pipelines.cleaning.taxonomy import page_taxonomy
from pipelines.cleaning.text import text_fingerprint, word_count

__all__ = ["DEFAULT_MIN_WORDS", "DEFAULT_SHORT_WORDS", "TooDeepError", "clean_html", "parse_html"]

logger = logging.getLogger(__name__)

_NO_RULES = CleaningRules()
_NO_HINTS = DiscoveryHints()
# Control characters (C0 and C1) break lxml and are never text; hostile pages carry them.
# They are removed from the UTF-8 the parser reads, where a C0 control or DEL is one byte
# (never part of another character's bytes) and a C1 control is \xc2 and \x80-\x9f. A
# regex over the text cost over a quarter of the parse itself on real pages.
_C0_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_CONTROLS = re.compile(rb"\xc2[\x80-\x9f]")
# A character that is neither white space nor a control: the page has something to parse.
_VISIBLE = re.compile(r"[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A caption is a line or two: a longer paragraph equal to one is the story quoting it.
_MAX_CAPTION_WORDS = 45


class TooDeepError(ValueError):
    """The page nests deeper than the parser's limit: what lies below was cut off."""


def parse_html(html: str) -> HtmlElement | None:
    """Parse once; None for nothing parseable. Raises :class:`TooDeepError`."""
    if _VISIBLE.search(html) is None:
        return None
    # UTF-8 bytes, not the str: lxml hands a str to libxml2 in its in-memory form (UTF-16 or
    # UCS-4 for most real pages), which libxml2 converts to UTF-8 first. With the controls
    # removed from bytes, this function took 4.3 -> 3.4 ms a page on the readability set,
    # 1.9 -> 1.4 on the throughput bench's pages, for the same trees. Bytes also take an
    # encoding declaration, which lxml refuses in a str. A lone surrogate (only a str from
    # a caller can hold one) becomes "?".
    data = html.encode("utf-8", "replace").translate(None, _C0_CONTROLS)
    if b"\xc2" in data:
        data = _C1_CONTROLS.sub(b"", data)
    # A fresh parser per call: its error log must be this document's alone.
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, collect_ids=False, encoding="utf-8"
    )
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        tree = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise TooDeepError("document nesting exceeds the parser's depth limit")
    return tree


# lxml.html's own lookup is a Python callback, run for every element object lxml creates
# (millions a page between trafilatura, readability and htmldate: 7% of the cleaning's
# CPU); this one is lxml's C lookup. Every element is then an HtmlElement, none of the
# form subclasses (FormElement, InputElement...), whose form-filling API nothing here uses.
_HTML_CLASSES = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


@dataclass
class _SiteFields:
    """What the site's extraction rules found on the page (empty: the rule found nothing)."""

    headline: str | None = None
    dates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    body: list[HtmlElement] = field(default_factory=list)


def clean_html(
    html: str | bytes,
    url: str | None = None,
    *,
    hints: DiscoveryHints | None = None,
    rules: CleaningRules | None = None,
    language: str | None = None,
    content_type: str | None = None,
    min_words: int = DEFAULT_MIN_WORDS,
    short_words: int = DEFAULT_SHORT_WORDS,
    fetched_at: str | None = None,
    markdown_links: bool = False,
) -> Article | None:
    """Extract a clean article from a page; None when the page has no text at all.

    Doubtful pages are returned with ``flags`` so the caller decides whether to keep them:
    ``too_short`` (fewer than ``min_words`` words, or fewer than ``short_words`` on a page
    with no article signal), ``short`` (an article of ``min_words`` to ``short_words``
    words: a brief, kept by default), ``not_article`` (a hub, listing, profile or error
    page), ``paywall``, ``consent_wall``, ``too_deep``.
    ``language`` is the site's declared language, used when the page says none;
    ``fetched_at`` (ISO 8601) is when the page was downloaded, from which relative dates
    ("3 hours ago") are counted; ``markdown_links`` keeps links in ``articleBodyMarkdown``.
    A field that cannot be known is left empty (None or []), never guessed.
    """
    hints = hints or _NO_HINTS
    rules = rules or _NO_RULES
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    try:
        tree = parse_html(text)
    except TooDeepError:
        return _flagged_only(url, hints, "too_deep")
    if tree is None:
        return None
    meta = extract_page_metadata(tree)
    page_url = url or meta.canonical_url or ""
    site_names = (meta.site_name, meta.publisher)
    ruled = _site_fields(tree, rules)
    declared_language = meta.language or language
    # "05/11/2026" is 5 November on a French or British page, May 11 on an American one.
    day_first = numeric_day_first(meta.language, language, url=page_url)
    fallback = trafilatura_fallback(tree, page_url, meta, day_first=day_first)

    title_headline = strip_site_name(meta.title_tag, site_names) if meta.title_tag else None
    headline = first_text(
        ruled.headline,
        shown_headline(meta),
        meta.h1,
        _trafilatura_title(fallback.title, meta.title_tag, title_headline),
        hints.title,
        title_headline,
    )
    if headline:
        headline = sanitize_text(strip_site_name(headline, site_names))

    remove_selected(tree, rules)
    body = extract_body(
        tree,
        page_url or None,
        headline=headline,
        description=meta.description,
        language=declared_language,
        article_body=meta.article_body,
        container=ruled.body or None,
    )
    paragraphs = _paragraphs(body, rules, headline)
    index = PageIndex.build(tree)
    images = body_images(index.region(p.text for p in paragraphs), page_url)
    paragraphs = _without_captions(paragraphs, images)
    if not paragraphs:
        return None
    article_body = "\n\n".join(p.text for p in paragraphs)

    authors = _authors(tree, meta, ruled, body, site_names, fallback)
    date_languages = (primary_subtag(declared_language),) if declared_language else None
    read_date = partial(
        resolve_date,
        languages=date_languages,
        now=parse_date(fetched_at) if fetched_at else None,
        day_first=day_first,
    )
    date_published = read_date(
        [
            *ruled.dates,
            meta.date_published,
            fallback.date,
            hints.date_published,
            *body.datelines,
            *meta.shown_dates,
        ]
    ) or _byline_date(body.bylines, read_date)
    canonical = resolve_canonical(page_url, meta.canonical_url) if page_url else ""
    words = word_count(article_body)
    in_language, confidence = record_language(declared_language, article_body)
    taxonomy = page_taxonomy(tree, meta, page_url, text)
    flags = page_flags(
        meta,
        body.flags,
        words,
        article_body,
        Limits(min_words, short_words),
        article_signal(meta, hints, len(body.datelines)),
        dated=date_published is not None,
    )
    return Article(
        url=page_url,
        headline=truncate_headline(headline or paragraphs[0].text),
        articleBody=article_body,
        canonicalUrl=canonical,
        id=_safe_id(canonical),
        authors=authors,
        datePublished=date_published,
        dateModified=resolve_date([meta.date_modified, hints.date_modified], day_first=day_first),
        inLanguage=in_language,
        languageConfidence=confidence,
        description=meta.description,
        mainImage=_main_image(meta, page_url),
        images=images,
        articleSection=taxonomy.section,
        keywords=taxonomy.keywords,
        breadcrumbs=taxonomy.breadcrumbs,
        articleBodyMarkdown=render_markdown(paragraphs, index, page_url, links=markdown_links),
        wordCount=words,
        fingerprint=text_fingerprint(article_body),
        discoveredVia=hints.via,
        flags=sorted(flags),
    )


def _site_fields(tree: HtmlElement, rules: CleaningRules) -> _SiteFields:
    """The fields the site's extraction rules find, read on the page as served."""
    if not (rules.headline or rules.date or rules.authors or rules.body):
        return _SiteFields()
    headlines = selected_texts(tree, rules.headline)
    return _SiteFields(
        headline=headlines[0] if headlines else None,
        dates=selected_texts(tree, rules.date, "datetime", "content"),
        authors=selected_texts(tree, rules.authors, "content"),
        body=selected_elements(tree, rules.body),
    )


def _trafilatura_title(
    title: str | None, title_tag: str | None, headline: str | None
) -> str | None:
    """trafilatura's title, unless it kept the site's part of the ``<title>`` and cut the
    headline ("Site : Section : Headline" read as "Site : Section"), or took an only
    ``<h1>`` that is a share prompt ("Save & Share this Article")."""
    if title and is_share_prompt(title):
        return None
    if not (title and title_tag and headline and title in title_tag):
        return title
    # Two different parts of the <title>: trafilatura's is the site's.
    return title if title in headline or headline in title else None


def _paragraphs(body: Body, rules: CleaningRules, headline: str | None) -> list[Paragraph]:
    """The body's paragraphs with their kinds, without the site's phrases, invisible
    characters, and the headline said again."""
    kept = []
    for kind, paragraph in zip(body.kinds, body.paragraphs, strict=True):
        for cut in drop_phrases([paragraph], rules):
            text = _text_paragraph(cut)
            if text and not _same_text(text, headline):
                kept.append(Paragraph(kind, text))
    return kept


def _without_captions(paragraphs: list[Paragraph], images: list[Image]) -> list[Paragraph]:
    """Captions belong to their images, once: never also in the text."""
    captions = set()
    for image in images:
        for text in (image.caption, f"{image.caption} {image.credit}" if image.credit else None):
            if text:
                captions.add(sanitize_text(text).casefold())
    if not captions:
        return paragraphs
    return [
        p
        for p in paragraphs
        if len(p.text.split()) > _MAX_CAPTION_WORDS
        or sanitize_text(p.text).casefold() not in captions
    ]


def _authors(
    tree: HtmlElement,
    meta: PageMetadata,
    ruled: _SiteFields,
    body: Body,
    site_names: tuple[str | None, str | None],
    fallback: Fallback,
) -> list[Author]:
    """The site's rule, else the page's metadata, else a byline line of the body, else
    trafilatura's search; each with the byline text it came from where the page shows one."""
    authors = author_credits(ruled.authors, exclude=site_names)
    if not authors:
        authors = author_credits(meta.authors, exclude=site_names)
    if not authors:
        authors = authors_from_bylines(body.bylines, exclude=site_names)
    if not authors:
        # trafilatura's author search, the dearest part of its metadata, only when neither
        # the page's metadata nor a byline names one; on the tree as extraction left it
        # (hidden elements and comment threads removed, which it would ignore anyway).
        authors = author_credits(trafilatura_authors(tree, fallback), exclude=site_names)
    return with_bylines(authors, [*body.bylines, *meta.shown_bylines])


def _byline_date(bylines: list[str], read_date: Callable[[list[str]], str | None]) -> str | None:
    """The date of the first byline that has one ("By Jane Doe | 14 March 2008"), for a page
    that dates itself nowhere else. Only the first: readers' comments below the story are
    signed like bylines, and their times must not refine the story's."""
    return next((found for line in bylines if (found := read_date([line]))), None)


def _main_image(meta: PageMetadata, page_url: str) -> Image | None:
    if not meta.main_image:
        return None
    return Image(
        urljoin(page_url, meta.main_image) if page_url else meta.main_image,
        caption=meta.main_image_caption,
        width=meta.main_image_width,
        height=meta.main_image_height,
    )


_WORD_CHARACTER = re.compile(r"\w")


def _text_paragraph(paragraph: str) -> str:
    """A paragraph without invisible characters; empty if it has no word at all."""
    lines = [sanitize_text(line) for line in paragraph.splitlines()]
    text = "\n".join(line for line in lines if line)
    return text if _WORD_CHARACTER.search(text) else ""


def _same_text(paragraph: str, headline: str | None) -> bool:
    return headline is not None and paragraph.casefold() == headline.casefold()


def _flagged_only(url: str | None, hints: DiscoveryHints, flag: str) -> Article:
    """A record that carries only the reason it cannot be trusted (dropped by default)."""
    return Article(
        url=url or "",
        headline=hints.title or "",
        articleBody="",
        canonicalUrl=url or "",
        id=_safe_id(url or ""),
        discoveredVia=hints.via,
        flags=[flag],
    )


def _safe_id(canonical: str) -> str:
    if not canonical:
        return ""
    try:
        return article_id(canonical)
    except ValueError:
        return ""
