"""trafilatura's and htmldate's metadata, for only the fields the page did not declare."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params

from pipelines.cleaning.body import without_furniture
from pipelines.cleaning.metadata import PageMetadata

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fallback:
    title: str | None = None
    date: str | None = None
    # The author the page's meta tags or JSON-LD name, as trafilatura reads them; only
    # when they were read (``read``), so trafilatura_authors need not read them again.
    declared_author: str | None = None
    read: bool = False


def trafilatura_fallback(
    tree: HtmlElement, url: str, meta: PageMetadata, *, day_first: bool = False
) -> Fallback:
    """trafilatura's own title and date, for only the fields the page did not declare.

    The steps of trafilatura's ``extract_metadata`` that decide them, in its order, without
    the rest (site name, categories, tags, licence, and the author: see trafilatura_authors).
    ``day_first``: the page writes "05/11/2026" for 5 November, as htmldate reads it.
    """
    need_title = not (meta.headline or meta.h1)
    if not need_title and meta.date_published is not None:
        return Fallback()
    # Not mutated below (htmldate prunes a copy of its own), so a page without comment
    # threads is read as it is.
    page = without_furniture(tree)
    declared = _declared(page)
    if need_title and not declared.title:
        declared.title = extract_title(page)
    date = None
    if meta.date_published is None:
        date_config = set_date_params(False)
        date_config["url"] = declared.url or extract_url(page, url or None)
        date = find_date(page, **date_config)
        if date is not None and not day_first:
            date = _month_first(date, page, date_config["max_date"], date_config["url"])
    # As extract_metadata leaves its fields: unescaped, trimmed, cut at 10,000 characters.
    declared.clean_and_trim()
    return Fallback(declared.title if need_title else None, date, declared.author, read=True)


def trafilatura_authors(page: HtmlElement, fallback: Fallback = Fallback()) -> list[str]:
    """trafilatura's author for a page whose comment threads are gone (prepare_tree).

    A commenter's "comment__author" is not the article's author. extract_author works on a
    copy of its own. ``fallback``: what trafilatura_fallback read of the same page's meta
    tags and JSON-LD before extraction pruned the tree (declared metadata counts wherever
    it sits, even in a hidden element), read here when it did not.
    """
    if fallback.read:
        author = fallback.declared_author
    else:
        declared = _declared(page)
        declared.clean_and_trim()
        author = declared.author
    if not author and may_name_author(page):
        searched = Document(author=extract_author(page))
        searched.clean_and_trim()
        author = searched.author
    return [a.strip() for a in (author or "").split(";") if a.strip()]


def _month_first(date: str, page: HtmlElement, max_date: str, url: str | None) -> str:
    """htmldate's day as the rest of the project reads the page's date.

    htmldate reads "01/09/2008" day first (1 September); crawler.discovery.dates reads
    a/b/yyyy month first unless a > 12, as US sites write it ("Article Last Updated:
    01/09/2008 06:41:12 PM PST"). On l3s-gn1, collected in December 2007 and January 2008,
    8 pages came out dated 2008-MM-01 that way. When the page writes htmldate's day and
    month so, with slashes and the whole year, the month-first day is taken, unless it is
    later than ``max_date`` (today) or the page's URL holds htmldate's day. Dots and dashes
    stay day first in both readers; a two-digit year ("09/01/08", day first on a British
    page, month first on an American one) is a guess the project's reader does not make.
    """
    year, month, day = date[:4], date[5:7], date[8:10]
    if not (day.isdigit() and month.isdigit()) or day == month or int(day) > 12:
        return date
    if url and any(f"{year}{sep}{month}{sep}{day}" in url for sep in ("/", "-", "")):
        return date
    swapped = f"{year}-{day}-{month}"
    if swapped > max_date:
        return date
    written = re.compile(rf"(?<!\d)0?{int(day)}/0?{int(month)}/{year}(?!\d)")
    text = " ".join(page.itertext())
    return swapped if written.search(text) else date


# What an element needs for any of extract_author's XPaths (trafilatura.xpaths.AUTHOR_XPATHS,
# audited for trafilatura 2.3; a test pins their text) to match it: one of these substrings
# in its class or id, rel="author", an itemprop or data-testid naming an author, a
# data-component naming a byline, or to be an <author> (or <rel>) element. Those XPaths
# test every element with EXSLT regexes, which lxml calls back into Python: ~3 ms a page,
# spent in vain on the 7 in 10 pages (l3s-gn1) that have no such element. The test here,
# over the whole document as theirs: the rare attributes and tags in one XPath, then every
# class and every id as one string each, searched once (~0.35 ms a page).
# "authority" is no author: Wikipedia's "authority-control" navbox matches their class
# regex, and the search then returns "Authority control", at ~130 ms on a 1 MB article.
_AUTHOR_CLASS = re.compile(
    "uthor(?!ity)|byl|BBL|yline|username|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by"
    "|journalist-name|screenname|writer"
)
_AUTHOR_ID = re.compile("uthor(?!ity)|zuozhe|bianji|xiaobian")
_AUTHOR_MARKS = etree.XPath(
    "boolean(//author | //rel | //@rel[. = 'author'] | //@itemprop[contains(., 'uthor')]"
    " | //@data-testid[contains(., 'uthor')] | //@data-component[contains(., 'yline')])"
)
_CLASSES = etree.XPath("//@class", smart_strings=False)
_IDS = etree.XPath("//@id", smart_strings=False)


def may_name_author(page: HtmlElement) -> bool:
    """Whether any element of the page could match trafilatura's author XPaths with
    something other than an "authority" container."""
    # Joined by newlines, which no needle holds: a match never spans two values.
    return bool(
        _AUTHOR_MARKS(page)
        or _AUTHOR_CLASS.search("\n".join(_CLASSES(page)))
        or _AUTHOR_ID.search("\n".join(_IDS(page)))
    )


def _declared(page: HtmlElement) -> Document:
    declared = examine_meta(page)
    if declared.author and " " not in declared.author:
        declared.author = None
    try:
        return extract_meta_json(page, declared)
    except Exception:  # trafilatura guards this call the same way (bugs in its JSON reader)
        logger.debug("trafilatura's JSON metadata reader failed", exc_info=True)
        return declared
