"""Article URL patterns from examples: generalise sampled article URLs into regexes.

Article URLs of one site share a shape: ``/2026/11/12/sewer-overflow-sensor-pilot/``,
``/stories/4402.html``, ``/world/2026/11/20/aid-convoys-ceasefire-talks/``. Samples are
grouped by shape (number of path segments, trailing slash, file extension) and each
group becomes one regex, segment by segment: a value shared by every sample stays
literal, numbers become ``\\d{n}`` (a year is never literal: next year's articles must
match too), slugs a character class, anything else ``[^/]+``. The regex is anchored on
the whole path, so a section front (``/world/``) or a tag archive cannot match it by
being a part of an article's path.

A pattern must match every sample of its group and none of the hub pages (sections,
tags, authors, menus) seen on the site; when a hub matches, the pattern is made more
specific step by step: slugs must have as many words as the samples' shortest, then
segments with a few values (sections) list them.

Deny patterns come from a vocabulary of paths that are never articles on news sites
(tag and author archives, search, log-in, video, live blogs...), proposed only for those
the site actually links to and only when they match no sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.discovery.urls import strip_tracking, url_identity_key

# Path segments that are never an article on a news site, nor a hub worth following:
# archives by tag or author (thousands of near-identical listings), pagination, search,
# accounts, and the non-text formats. Sections and categories are not here: they are
# the hubs a follow_depth of 2 is for.
NON_ARTICLE_SEGMENTS = (
    "tag",
    "tags",
    "author",
    "authors",
    "people",
    "page",
    "search",
    "login",
    "account",
    "subscribe",
    "newsletter",
    "newsletters",
    "video",
    "videos",
    "live",
    "gallery",
    "galleries",
    "podcast",
    "podcasts",
    "wp-admin",
)
# A group needs this many samples to become a pattern, unless it is the only group: one
# odd URL in a feed (an event page, a video) should not widen the allow list.
_MIN_GROUP = 2
# A segment with at most this many distinct values may be listed (sections).
_MAX_LISTED_VALUES = 12
_MAX_REQUIRED_WORDS = 3
_EXTENSION = re.compile(r"^(?P<stem>.+)\.(?P<ext>[A-Za-z0-9]{1,5})$")
_NUMERIC_SUFFIX = re.compile(r"^(?P<head>.*?[A-Za-z].*?)(?P<sep>[-_])(?P<digits>\d{3,})$")
_PREFIXED_NUMBER = re.compile(r"^(?P<head>[A-Za-z]+)(?P<digits>\d{3,})$")
_URL_START = r"^https?://[^/]+"
_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\|()]")


@dataclass(frozen=True)
class _Shape:
    depth: int  # path segments
    slash: bool  # the path ends with "/"
    ext: str | None  # file extension of the last segment


@dataclass
class PatternProposal:
    """What :func:`propose_patterns` proposes, and how well it fits what was seen."""

    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    samples: int = 0  # distinct sampled article URLs
    unmatched: list[str] = field(default_factory=list)  # samples no allow pattern matches
    hubs: int = 0  # hub pages checked
    matched_hubs: list[str] = field(default_factory=list)  # hubs an allow pattern matches

    def is_article_url(self, url: str) -> bool:
        """What the crawler would decide for a link on a start page."""
        url = strip_tracking(url)
        if any(re.search(p, url) for p in self.deny):
            return False
        return any(re.search(p, url) for p in self.allow)


def propose_patterns(
    samples: Iterable[str], hubs: Iterable[str] = (), links: Iterable[str] = ()
) -> PatternProposal:
    """Allow patterns matching every sample and no hub; deny patterns for ``links``.

    ``samples`` are article URLs (feed and news-sitemap entries), ``hubs`` pages known
    not to be articles, ``links`` every link seen on the site (for the deny proposal).
    """
    paths = _distinct_paths(samples)
    hub_urls = sorted({strip_tracking(h) for h in hubs} - {url for url, _ in paths})
    proposal = PatternProposal(samples=len(paths), hubs=len(hub_urls))
    groups: dict[_Shape, list[str]] = {}
    for _, path in paths:
        groups.setdefault(_shape(path), []).append(path)
    kept = [g for g in groups.values() if len(g) >= _MIN_GROUP] or list(groups.values())
    for group in sorted(kept, key=len, reverse=True):
        pattern = _fitting_pattern(group, hub_urls)
        proposal.allow.append(pattern)
    compiled = [re.compile(p) for p in proposal.allow]
    proposal.unmatched = [url for url, _ in paths if not any(p.search(url) for p in compiled)]
    proposal.matched_hubs = [h for h in hub_urls if any(p.search(h) for p in compiled)]
    proposal.deny = propose_deny([url for url, _ in paths], links)
    return proposal


def propose_deny(samples: Sequence[str], links: Iterable[str]) -> list[str]:
    """``/<segment>/`` for each non-article segment the site links to, matching no sample."""
    seen: set[str] = set()
    vocabulary = set(NON_ARTICLE_SEGMENTS)
    for link in links:
        try:
            segments = [s.lower() for s in urlsplit(link).path.split("/")[1:-1]]  # directories
        except ValueError:
            continue
        # The outermost one only: /account/login/ needs /account/, not /login/ as well.
        seen.update([s for s in segments if s in vocabulary][:1])
    deny = []
    for segment in NON_ARTICLE_SEGMENTS:
        pattern = f"/{_literal(segment)}/"
        if segment in seen and not any(re.search(pattern, s) for s in samples):
            deny.append(pattern)
    return deny


def _distinct_paths(samples: Iterable[str]) -> list[tuple[str, str]]:
    """(URL, path) per article identity: AMP and tracking variants are one article."""
    by_identity: dict[str, tuple[str, str]] = {}
    for sample in samples:
        url = strip_tracking(sample)
        try:
            key = url_identity_key(url)
            path = urlsplit(url).path or "/"
        except ValueError:
            continue
        if path == "/":
            continue  # a home page in a feed: nothing to generalise
        known = by_identity.get(key)
        # The shortest spelling is the canonical one (/story/ rather than /story/amp/).
        if known is None or len(path) < len(known[1]):
            by_identity[key] = (url, path)
    return sorted(by_identity.values())


def _shape(path: str) -> _Shape:
    segments = _segments(path)
    match = _EXTENSION.match(segments[-1]) if segments else None
    return _Shape(len(segments), path.endswith("/"), match.group("ext") if match else None)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _fitting_pattern(paths: list[str], hubs: list[str]) -> str:
    """The most general pattern of the group that matches no hub (or the most specific)."""
    pattern = ""
    for level in range(3):
        pattern = _group_pattern(paths, level)
        compiled = re.compile(pattern)
        if not any(compiled.search(h) for h in hubs):
            break
    return pattern


def _group_pattern(paths: list[str], level: int) -> str:
    shape = _shape(paths[0])
    columns = list(zip(*(_segments(p) for p in paths), strict=True))
    parts = []
    for index, values in enumerate(columns):
        last = index == len(columns) - 1
        if last and shape.ext:
            stems = [_EXTENSION.match(v).group("stem") for v in values]  # type: ignore[union-attr]
            parts.append(_segment_pattern(stems, level) + r"\." + _literal(shape.ext))
        else:
            parts.append(_segment_pattern(list(values), level))
    return _URL_START + "/" + "/".join(parts) + ("/" if shape.slash else "") + "$"


def _segment_pattern(values: list[str], level: int) -> str:
    distinct = sorted(set(values))
    if all(v.isdigit() for v in distinct):
        return _digits(distinct)
    if len(distinct) == 1:
        return _literal(distinct[0])
    prefixed = [_PREFIXED_NUMBER.match(v) for v in distinct]
    if all(prefixed):
        prefixes = {m.group("head") for m in prefixed if m}
        if len(prefixes) == 1:
            numbers = [m.group("digits") for m in prefixed if m]
            return _literal(prefixes.pop()) + _digits(numbers)
    if level >= 2 and len(distinct) <= _MAX_LISTED_VALUES and len(values) > len(distinct):
        return "(?:" + "|".join(_literal(v) for v in distinct) + ")"
    suffixed = [_NUMERIC_SUFFIX.match(v) for v in distinct]
    if all(suffixed):
        seps = {m.group("sep") for m in suffixed if m}
        if len(seps) == 1:
            heads = [m.group("head") for m in suffixed if m]
            digits = [m.group("digits") for m in suffixed if m]
            return _word_pattern(heads, level) + _literal(seps.pop()) + _digits(digits, open_=True)
    return _word_pattern(distinct, level)


def _literal(text: str) -> str:
    """``text`` as a regex, escaping only what is special outside a character class
    (``re.escape`` also escapes ``-``: ``live\\-updates`` reads badly in a registry)."""
    return _SPECIAL.sub(r"\\\g<0>", text)


def _digits(values: list[str], open_: bool = False) -> str:
    lengths = {len(v) for v in values}
    if open_:
        return rf"\d{{{min(lengths)},}}"
    if len(lengths) == 1:
        return rf"\d{{{lengths.pop()}}}"
    return rf"\d{{{min(lengths)},{max(lengths)}}}"


def _word_pattern(values: list[str], level: int) -> str:
    """A character class for slugs (and sections); from level 1, with at least as many
    words as the samples' shortest. Digits and '-' are always in: a slug of next week
    may have a number where none of today's has."""
    chars = set("".join(values))
    if not all(c.isascii() and (c.isalnum() or c in "-_.~%") for c in chars):
        return "[^/]+"
    word = "a-z" if any(c.islower() for c in chars) else ""
    word += "A-Z" if any(c.isupper() for c in chars) else ""
    word += "0-9" + "".join(c for c in "_.~%" if c in chars)
    if level >= 1:
        words = min(v.count("-") for v in values)
        if words:
            required = min(words, _MAX_REQUIRED_WORDS)
            return f"[{word}]+(?:-[{word}]+){{{required},}}"
    return f"[{word}-]+"
