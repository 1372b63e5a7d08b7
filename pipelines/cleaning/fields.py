"""Choosing and normalizing record fields from several candidate sources."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from crawler.discovery.date_words import parse_date_words
from crawler.discovery.dates import parse_date_text, to_iso
from crawler.discovery.urls import site_host
from crawler.items import Author
from pipelines.cleaning.vocabulary import AGENCIES, WEB_ADDRESS_RE

# --- authors ------------------------------------------------------------------------

_BY_PREFIX = re.compile(
    r"^(?:(?:written|reported|reporting|words|story|text|posted)\s+)?(?:by|von|par|por|di)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\|)\s*", re.IGNORECASE)
_ROLE_SUFFIX = re.compile(
    r"\s*(?:[-–—,|]\s*)?\b(?:staff\s+(?:writer|reporter)|correspondent|editor|reporter|"
    r"contributor|columnist|senior\s+\w+|for\s+.+|in\s+[A-Z][\w ]+)$",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(r"https?://|www\.|@|\d{3,}|^\W+$")
# A newsroom, a wire or a publication credited beside the writer ("By Jane Doe, BBC News",
# "... and agencies", "By AFP"): not a person. Words that are also surnames (Post, Sun,
# Star, Mail) are left out: "Emily Post" is a writer.
_ORGANISATION = re.compile(
    r"^(?:the\s.+|.*\.(?:com|net|org|co\.uk)|(?:.+\s)?(?:news|times|herald|telegraph|journal"
    r"|tribune|gazette|chronicle|agency|agencies|wires?|service|bureau|desk|staff|network|media"
    r"|online|newsroom|reporters|correspondents|editors|writers|association)|"
    + AGENCIES
    # Wires and broadcasters that credit stories, not pictures.
    + r"|efe|ansa|cnn|bbc|itn|pti|ians|ani|kyodo|yonhap|tass|aap|ap staff)$",
    re.IGNORECASE,
)
# "Mariko Oi BBC News": the writer, then the newsroom from its acronym on.
_PERSON_THEN_NEWSROOM = re.compile(
    r"^(?P<person>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}) [A-Z]{2,}\b.*$"
)
# Date words left in a credit ("David Lassen Thursday", "Pakistan January"); months and
# days that are also names (May, June, August, Sun) are not among them.
_DATE_WORD = re.compile(
    r"\b(?:january|february|september|october|november|december|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri)\b",
    re.IGNORECASE,
)
# Credits that name people who did not write the piece.
_NOT_AUTHOR_CREDIT = re.compile(
    r"^(?:edit(?:ing|ed)|photos?|photograph(?:y|s)|graphics?|illustrations?|video)\s+by\b", re.I
)


def normalize_authors(raw: Iterable[str], exclude: Iterable[str | None] = ()) -> list[str]:
    """Plain person names: no "By", no roles, no site or publisher name, no duplicates."""
    return [author.name for author in author_credits(raw, exclude)]


def author_credits(raw: Iterable[str], exclude: Iterable[str | None] = ()) -> list[Author]:
    """Authors as :func:`normalize_authors` names them, each with the text it came from."""
    excluded = {e.casefold().strip() for e in exclude if e}
    authors: list[Author] = []
    names: list[str] = []
    for original in raw:
        value = original
        credits = [c for c in re.split(r"[;|]", value) if not _NOT_AUTHOR_CREDIT.match(c.strip())]
        value = _BY_PREFIX.sub("", ";".join(credits).strip())
        for index, part in enumerate(_SPLIT_AUTHORS.split(value)):
            name = _ROLE_SUFFIX.sub("", part).strip(" .:-–—|")
            # "Jane Doe, Political Reporter": after a name, or left with one word, a part
            # that ends in a role is the role ("Political"), not a second author.
            if name != part.strip(" .:-–—|") and (index > 0 or len(name.split()) == 1):
                continue
            name = _BY_PREFIX.sub("", name).strip()
            if not name or _NOT_A_NAME.search(name) or len(name.split()) > 5:
                continue
            person = _PERSON_THEN_NEWSROOM.match(name)
            if person and _ORGANISATION.match(name[person.end("person") :].strip()):
                name = person.group("person")
            dated = _DATE_WORD.search(name)
            if dated:  # "David Lassen Thursday": the name before the date
                name = name[: dated.start()].strip(" ,.-–—")
                if len(name.split()) < 2:
                    continue
            if _ORGANISATION.match(name):
                continue
            if name.casefold() in excluded or name in names:
                continue
            names.append(name)
            authors.append(Author(name, " ".join(original.split()) or None))
    return authors


# "By", and its equivalents in the languages of the vocabulary's byline rule.
_BYLINE = re.compile(
    r"^\s*(?:(?:written|reported)\s+)?(?:by|von|par|por|di|door|de)\s*:?\s+"
    r"(?P<names>[^\n]{2,120})$",
    re.IGNORECASE,
)


def authors_from_bylines(lines: Iterable[str], exclude: Iterable[str | None] = ()) -> list[Author]:
    """Authors of byline lines the body cleaner moved out ("By Elizabeth Shim", "Par Claire
    Dubois"), each with its line as ``nameRaw``. What follows a bar is the rest of a meta
    line ("By Jane Doe | 14 March 2008 | Business"), not more names."""
    matched = [line for line in lines if _BYLINE.match(line)]
    names = author_credits([line.partition("|")[0] for line in matched], exclude)
    return with_bylines(names, matched)


def with_bylines(authors: list[Author], bylines: Iterable[str]) -> list[Author]:
    """Each author's ``nameRaw``: the page's byline line that names them, where there is one
    ("By Jane Doe and John Roe"), else the text the name was read from."""
    lines = [" ".join(line.split()) for line in bylines if _BYLINE.match(line)]
    result = []
    for author in authors:
        named = re.compile(rf"(?<!\w){re.escape(author.name)}(?!\w)", re.IGNORECASE)
        line = next((b for b in lines if named.search(b)), None)
        result.append(Author(author.name, line or author.nameRaw))
    return result


# --- dates --------------------------------------------------------------------------


def resolve_date(
    candidates: Iterable[str | None],
    *,
    languages: tuple[str, ...] | None = None,
    now: datetime | None = None,
    day_first: bool = False,
) -> str | None:
    """The first parseable date, made more precise by a later one on the same day.

    Page metadata often says only the day (htmldate) while a feed says the minute and
    zone: the day from the most trusted source wins, the time from the most precise.
    A date in words in another language, or a relative one ("vor 2 Stunden", counted from
    ``now``, the fetch time), is read with the page's ``languages``; "05/11/2026" as 5
    November with ``day_first`` (see crawler.discovery.dates.numeric_day_first).
    """
    best: tuple[datetime, int] | None = None
    for raw in candidates:
        if not raw:
            continue
        # A day without a time ("2019-11-21", "21 November 2019") is less precise than any
        # time on that day: it never becomes midnight.
        parsed, has_time = parse_date_text(raw, day_first=day_first)
        if parsed is None:
            parsed, has_time = parse_date_words(raw, languages=languages, now=now)
            if parsed is None:
                continue
        precision = (2 if parsed.tzinfo is not None else 1) if has_time else 0
        more_precise = best is not None and precision > best[1]
        if best is None or (more_precise and parsed.date() == best[0].date()):
            best = (parsed, precision)
        if best[1] == 2:
            break
    if best is None:
        return None
    return to_iso(best[0], date_only=best[1] == 0)


# --- headline -----------------------------------------------------------------------

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")


def strip_site_name(title: str, site_names: Iterable[str | None]) -> str:
    """ "Headline | Site Name" -> "Headline", and the older prefix form, "Site : Section :
    Headline" -> "Headline"; leaves titles without a known site part alone."""
    names = {n.casefold() for n in site_names if n}
    parts = _TITLE_SEPARATORS.split(title)
    first = _TITLE_SEPARATORS.search(title)
    # A prefix is the site's when it is named, or when short parts lead to a last one
    # as long as all of them (a headline's own "Analysis: ..." is one short part, not
    # two; "Headline | Site | Its tagline" ends in a tagline shorter than the rest). A host
    # name ("wjz.com", "PrairieBuzz.com") names the site too.
    if first is not None and (parts[0].casefold() in names or WEB_ADDRESS_RE.fullmatch(parts[0])):
        rest = title[first.end() :]
        if len(rest.split()) >= 3:
            return _strip_suffix(rest, names)
    if (
        len(parts) >= 3
        and all(len(p.split()) <= 3 for p in parts[:-1])
        and len(parts[-1].split()) >= _MIN_PREFIXED_HEADLINE_WORDS
        and len(parts[-1].split()) >= sum(len(p.split()) for p in parts[:-1])
    ):
        return parts[-1].strip()
    return _strip_suffix(title, names)


def _strip_suffix(title: str, names: set[str]) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1 and (parts[-1].casefold() in names or len(parts[-1].split()) <= 3):
        head = " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
        if len(head.split()) >= 3:
            return head.strip()
    return title.strip()


_MIN_PREFIXED_HEADLINE_WORDS = 4


MAX_HEADLINE = 300
# Controls and invisible formatting marks; zero-width (non-)joiners (U+200C/D) stay:
# emoji sequences and several scripts need them.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
)


def sanitize_text(text: str) -> str:
    """Text without control or invisible characters, on one line."""
    return " ".join(_INVISIBLE.sub("", text).split())


def truncate_headline(text: str) -> str:
    """At most MAX_HEADLINE characters, cut at a word boundary."""
    if len(text) <= MAX_HEADLINE:
        return text
    head = text[:MAX_HEADLINE]
    cut = head.rsplit(" ", 1)[0] if " " in head else head
    return cut.rstrip(" ,;:-") + "…"


def first_text(*candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate.strip()
    return None


# --- URLs ---------------------------------------------------------------------------


def resolve_canonical(page_url: str, declared: str | None) -> str:
    """The page's declared canonical URL when it stays on the same site, else the URL."""
    if not declared:
        return page_url
    absolute = urljoin(page_url, declared.strip())
    if urlsplit(absolute).scheme not in ("http", "https"):
        return page_url
    try:
        if site_host(absolute) != site_host(page_url):
            return page_url
    except ValueError:
        return page_url
    return absolute
