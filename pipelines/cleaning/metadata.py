"""Article metadata declared by the page: JSON-LD, OpenGraph, meta tags, markup.

Read-only on the parsed tree, and run before body extraction (which mutates it).
Each field keeps the first value found in order of trust: JSON-LD NewsArticle,
then OpenGraph / ``article:*``, then other meta tags, then visible markup.
"""

from __future__ import annotations

import html
import html.entities
import logging
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from pipelines.cleaning.fields import strip_site_name
from pipelines.cleaning.jsonld import (
    breadcrumb_list,
    clean,
    json_ld_objects,
    keyword_list,
    meta_keywords,
    resolve,
    type_names,
    value_text,
)
from pipelines.cleaning.lines import is_share_prompt
from pipelines.cleaning.text import normalize_text

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
    main_image_width: int | None = None
    main_image_height: int | None = None
    main_image_caption: str | None = None
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
    section: str | None = None  # articleSection, article:section
    keywords: list[str] = field(default_factory=list)
    breadcrumbs: list[tuple[str | None, str | None]] = field(default_factory=list)  # name, url
    # Date lines shown with the headline ("Publié le 18 novembre 2026 à 14h30"), as text.
    shown_dates: list[str] = field(default_factory=list)
    shown_bylines: list[str] = field(default_factory=list)  # "Von Anna Schmidt und Jonas Weber"


def extract_page_metadata(tree: HtmlElement) -> PageMetadata:
    meta = PageMetadata()
    objects = list(json_ld_objects(tree))
    # Yoast-style graphs refer to their image, breadcrumb and author objects by @id.
    ids = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    for obj in objects:
        _merge_json_ld(meta, obj, ids)
    tags = _meta_tags(tree)
    meta.headline = meta.headline or tags.get("og:title") or tags.get("twitter:title")
    meta.description = meta.description or tags.get("og:description") or tags.get("description")
    if not meta.main_image and tags.get("og:image"):
        meta.main_image = tags["og:image"]
        meta.main_image_width = _dimension(tags.get("og:image:width"))
        meta.main_image_height = _dimension(tags.get("og:image:height"))
    meta.main_image = meta.main_image or tags.get("twitter:image")
    meta.section = meta.section or tags.get("article:section")
    meta.keywords = meta.keywords or meta_keywords(tree, tags)
    meta.site_name = meta.site_name or tags.get("og:site_name")
    meta.og_type = tags.get("og:type")
    meta.date_published = meta.date_published or _first(tags, _DATE_META)
    meta.date_modified = meta.date_modified or _first(tags, _MODIFIED_META)
    if not meta.authors:
        meta.authors = [a for a in (_first(tags, _AUTHOR_META),) if a and "://" not in a]
    # Every declared text field is read by now; the markup's authors below are shown text.
    _unescape_declared_text(meta)
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
    meta.title_tag = clean(title.text_content()) if title is not None else None
    meta.article_elements = sum(1 for _ in tree.iterfind(".//article"))
    story_h1 = _story_h1(tree, meta)
    if story_h1 is not None:
        element, meta.h1 = story_h1
        meta.shown_dates, meta.shown_bylines = _shown_lines(element)
    return meta


def _story_h1(tree: HtmlElement, meta: PageMetadata) -> tuple[HtmlElement, str] | None:
    """The <h1> that holds the story's headline, with its text.

    Older portal templates have several: the site's name in the masthead, box and rail
    labels ("Top Classifieds", "Other News in Specials", "Kid's TV") before the story's own
    (111 of the 621 l3s-gn1 pages have two or more, and declare no headline). The <title>
    names the story's: of the <h1>s it names, the one that says most of it. When it names
    none of several, none is taken, and the headline is read from the <title> as
    trafilatura reads it. An only <h1> is taken, unless it is a label and a lower heading
    shows the <title>'s headline (:func:`_titled_heading`); so is the first of several on
    a page without a <title>: nothing tells a label from the headline there.
    """
    # A share prompt set as an <h1> ("Save & Share this Article") is no one's headline.
    shown = [
        (h1, text)
        for h1 in tree.iter("h1")
        if (text := clean(h1.text_content())) and not is_share_prompt(text)
    ]
    if not shown or not meta.title_tag:
        return shown[0] if shown else None
    title = _TitleWords.of(meta)
    if len(shown) == 1:
        return _titled_heading(tree, title, shown[0][1]) or shown[0]
    named = [(len(w), h1) for h1 in shown if title.names(w := normalize_text(h1[1]))]
    return max(named, key=itemgetter(0))[1] if named else None


def _titled_heading(
    tree: HtmlElement, title: _TitleWords, h1: str
) -> tuple[HtmlElement, str] | None:
    """The heading that shows the <title>'s headline, where the only <h1> is a label.

    Some templates spend their <h1> on the section or the site ("Domestic news", "Arts",
    "SpringfieldNewsSun.com") and show the story's headline in an <h2>. The <h1> is a label
    when it shares no word with the <title>; the headline is the heading that says the
    <title>'s headline part, whole. Without such a heading the <h1> stays: the <title> may
    be the site's name, or an SEO variant of what the page shows.
    """
    # Words of four letters or more: "and", "the" say nothing.
    words = {w for w in normalize_text(h1).split() if len(w) > 3}
    if not words or words & set(title.title.split()):
        return None
    # A <title> of three words or fewer is as likely the site's name as a headline.
    if title.headline.count(" ") + 1 <= _HEADLINE_WORDS or title.headline in title.sites:
        return None
    for heading in tree.iter("h2", "h3", "h4", "h5", "h6"):
        text = clean(heading.text_content())
        if text and normalize_text(text) == title.headline:
            return heading, text
    return None


def shown_headline(meta: PageMetadata) -> str | None:
    """The declared headline, or the story's <h1> where the <title>'s headline part says
    the <h1> and the <title> does not say the declared one.

    Some CMSs declare a shorter social or search variant (og:title "Nikkei hits highest
    level since 2008") on a page that shows and titles another ("Japan's Nikkei tops 13,000
    for first time since 2008"): a reader knows the story by what the page shows.
    """
    if not (meta.headline and meta.h1 and meta.title_tag):
        return meta.headline
    title = _TitleWords.of(meta)
    shown = title.names(normalize_text(meta.h1), headline_part=True)
    return meta.h1 if shown and not title.names(normalize_text(meta.headline)) else meta.headline


# A label the <title> repeats ("World", "Local News") is shorter than this many words and
# than half the <title>'s headline part.
_HEADLINE_WORDS = 3


@dataclass(frozen=True)
class _TitleWords:
    """The words of a page's <title>, of its headline part (without the site's name) and
    of the site's names."""

    title: str
    headline: str
    sites: frozenset[str]

    @classmethod
    def of(cls, meta: PageMetadata) -> _TitleWords:
        assert meta.title_tag is not None
        sites = (meta.site_name, meta.publisher)
        return cls(
            f" {normalize_text(meta.title_tag)} ",
            normalize_text(strip_site_name(meta.title_tag, sites)),
            frozenset(normalize_text(s) for s in sites if s),
        )

    def names(self, text: str, *, headline_part: bool = False) -> bool:
        """Whether the <title> (or only its headline part) names this text as the headline:
        the text is in it, or the headline part in the text (an <h1> with a kicker or a date
        before the headline), and it is neither a mere label nor the site's name."""
        if not text or not self.headline or text in self.sites:
            return False
        within = f" {self.headline} " if headline_part else self.title
        if f" {text} " not in within and f" {self.headline} " not in f" {text} ":
            return False
        return text.count(" ") + 1 >= _HEADLINE_WORDS or 2 * len(text) >= len(self.headline)


# A character reference, with its semicolon. HTML's legacy references without one ("&copy")
# are left alone: in "?a=1&copy=2" or "R&D" they are not references.
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescaped(text: str | None) -> str | None:
    if text is None or "&" not in text:
        return text
    return _REFERENCE.sub(_character, text)


def _character(found: re.Match[str]) -> str:
    reference = found.group(0)
    # Unknown names stay: html.unescape would read "&notaref;" as "¬aref;".
    if reference[1] != "#" and reference[1:] not in html.entities.html5:
        return reference
    return html.unescape(reference)


def _unescape_declared_text(meta: PageMetadata) -> None:
    """Meta tags and JSON-LD escaped twice by their CMS ("CBS&#8217; reboot", seen on 2% of
    the quality sets' pages: headlines, descriptions, keywords) read as the page shows
    them. Text the page shows (the <h1>, the <title>) is left as it is: a reader sees it so.
    """
    meta.headline = _unescaped(meta.headline)
    meta.description = _unescaped(meta.description)
    meta.section = _unescaped(meta.section)
    meta.site_name = _unescaped(meta.site_name)
    meta.publisher = _unescaped(meta.publisher)
    meta.keywords = [k for k in (_unescaped(k) for k in meta.keywords) if k]
    meta.authors = [a for a in (_unescaped(a) for a in meta.authors) if a]


# --- JSON-LD ------------------------------------------------------------------------


def _merge_json_ld(meta: PageMetadata, obj: dict[str, Any], ids: dict[str, Any]) -> None:
    types = type_names(obj)
    if "breadcrumblist" in types and not meta.breadcrumbs:
        meta.breadcrumbs = breadcrumb_list(obj, ids)
        return
    if types & _NOT_ARTICLE_TYPES and meta.page_type is None:
        meta.page_type = sorted(types & _NOT_ARTICLE_TYPES)[0]
        return
    if not types & ARTICLE_TYPES:
        if types & {"organization", "newsmediaorganization"} and not meta.publisher:
            meta.publisher = value_text(obj.get("name"))
        return
    weak = not (types - _WEAK_TYPES)
    if weak and meta.page_type not in (None, "webpage"):
        return
    if weak:
        # A WebPage object only fills gaps; an article object found later overrides it.
        meta.page_type = meta.page_type or "webpage"
        meta.language = meta.language or value_text(obj.get("inLanguage"))
        return
    meta.page_type = sorted(types - _WEAK_TYPES)[0]
    meta.headline = meta.headline or value_text(obj.get("headline")) or value_text(obj.get("name"))
    meta.date_published = meta.date_published or value_text(obj.get("datePublished"))
    meta.date_modified = meta.date_modified or value_text(obj.get("dateModified"))
    meta.description = meta.description or value_text(obj.get("description"))
    meta.article_body = meta.article_body or _body_text(obj.get("articleBody"))
    meta.language = meta.language or value_text(obj.get("inLanguage"))
    if not meta.main_image:
        _merge_image(meta, resolve(obj.get("image"), ids))
    meta.section = meta.section or value_text(obj.get("articleSection"))
    meta.keywords = meta.keywords or keyword_list(obj.get("keywords"))
    if not meta.authors:
        meta.authors = _person_names(obj.get("author"))
    publisher = obj.get("publisher")
    if isinstance(publisher, dict):
        meta.publisher = meta.publisher or value_text(publisher.get("name"))
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
        name = value_text(item.get("name")) if isinstance(item, dict) else value_text(item)
        if name and "://" not in name:
            names.append(name)
    return names


def _merge_image(meta: PageMetadata, value: Any) -> None:
    if isinstance(value, dict):
        meta.main_image = value_text(value.get("url")) or value_text(value.get("contentUrl"))
        if meta.main_image:
            meta.main_image_width = _dimension(value.get("width"))
            meta.main_image_height = _dimension(value.get("height"))
            meta.main_image_caption = value_text(value.get("caption"))
    else:
        meta.main_image = value_text(value)


def _dimension(value: Any) -> int | None:
    """Pixels as declared: 1024, "1024", "1024px" or {"@type": "QuantitativeValue", ...}."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str):
        return None
    value = value.strip().removesuffix("px")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else None


# --- meta tags and markup -----------------------------------------------------------


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for el in tree.iterfind(".//meta[@content]"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = clean(el.get("content") or "")
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
        name = clean(el.text_content())
        if name and len(name) <= 80 and name not in names:
            names.append(name)
    return names[:5]


def _time_element(tree: HtmlElement) -> str | None:
    for el in tree.xpath(".//article//time[@datetime] | .//time[@pubdate][@datetime]"):
        value = (el.get("datetime") or "").strip()
        if value:
            return str(value)
    return None


# Elements that show the story's date near its headline: <time>, and date, posted-on or
# published classes (WordPress "posted-on", TYPO3 "news-date", Drupal "node__date"...).
_DATE_CLASS = re.compile(r"date|posted|published|updated|time", re.IGNORECASE)
_BYLINE_CLASS = re.compile(r"byline|author", re.IGNORECASE)
_MAX_SHOWN = 3
_MAX_LINE_CHARS = 120


def _shown_lines(h1: HtmlElement) -> tuple[list[str], list[str]]:
    """The date lines and byline lines shown in the story's header: inside the <article> (or
    <header>) that holds the headline. Lists and rails of other stories stay out."""
    holder = next((a for a in h1.iterancestors() if a.tag in ("article", "header")), None)
    dates: list[str] = []
    bylines: list[str] = []
    for element in holder.iter() if holder is not None else ():
        if not isinstance(element.tag, str) or element.tag in ("a", "li", "ul", "ol"):
            continue
        classes = element.get("class", "")
        if element.tag == "time" or _DATE_CLASS.search(classes):
            _add_line(dates, element)
        elif _BYLINE_CLASS.search(classes):
            _add_line(bylines, element)
    return dates, bylines


def _add_line(found: list[str], element: HtmlElement) -> None:
    text = clean(element.text_content())
    fits = text and len(text) <= _MAX_LINE_CHARS and len(found) < _MAX_SHOWN
    if fits and not any(text in f for f in found):
        found.append(text)


def _language(tree: HtmlElement, tags: dict[str, str]) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or tags.get("content-language") or tags.get("og:locale")
    return lang.strip().replace("_", "-") or None if lang else None
