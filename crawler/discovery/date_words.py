"""Dates written in words in other languages, and relative dates, read with dateparser.

:mod:`crawler.discovery.dates` reads numbers and English month names (feeds, sitemaps,
metadata). A dateline in a page's own language ("18. November 2026, 14:30 Uhr", "le 18
novembre 2026 à 14h30") or a relative one ("vor 2 Stunden", "3 hours ago") is read here,
with dateparser's locale data rather than a month table of ours. dateparser is imported
lazily: the crawl process never reads datelines (the extraction workers do).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

__all__ = ["WORD_LANGUAGES", "parse_date_words"]

# Datelines are short; bounding the input keeps the cost flat on hostile strings.
_MAX_INPUT = 300

# Languages tried when the page's is unknown (or one dateparser does not know).
WORD_LANGUAGES = ("en", "de", "fr", "es", "pt", "it")
# Tokens of a line a date may start at, besides digits: words opening a relative date
# ("vor", "il", "hace"...), the relative days ("gestern", "hier"...), month and weekday names.
_START_KEYS = (
    "ago", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
# A date line is short: this many tokens at most are tried, and so many cuts of them.
_MAX_TOKENS = 16
_MAX_ATTEMPTS = 24
# The second reading's reference: a relative date moves with it, an absolute one does not.
_SHIFT = timedelta(days=1, minutes=37)
_DAY = timedelta(days=1)
# "vor 2 Wochen", "il y a 1 mois": counted in weeks or months, a relative date is not a day.
_MAX_RELATIVE = timedelta(days=6, hours=23)
_TRIM = " ,;:|-–—()[]"
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def parse_date_words(
    value: str | None, *, languages: tuple[str, ...] | None = None, now: datetime | None = None
) -> tuple[datetime | None, bool]:
    """A date written in words, or a relative date, in a line such as "Publié le 18 novembre
    2026 à 14h30" or "Aktualisiert vor 3 Stunden"; ``(datetime, has_time)`` as
    :func:`crawler.discovery.dates.parse_date_text`, ``(None, False)`` when there is none.

    A date needs a day, a month and a year ("18. November" alone is not read: the year would
    be a guess). A relative date needs ``now`` (the fetch time); it comes back aware, in
    UTC, when it counts hours or minutes, and as a day when it counts days ("yesterday").
    """
    if not isinstance(value, str) or not value.strip():
        return None, False
    tokens = value.strip()[:_MAX_INPUT].split()[:_MAX_TOKENS]
    known = _known_languages(languages)
    starts = _start_words(known)
    base = (now or _NO_REFERENCE).astimezone(UTC).replace(tzinfo=None)
    attempts = 0
    for start in _starts(tokens, starts):
        for end in range(len(tokens), start, -1):
            attempts += 1
            if attempts > _MAX_ATTEMPTS:
                return None, False
            words = [t.strip(_TRIM).casefold() for t in tokens[start:end]]
            if not any(w in starts and w.isalpha() for w in words):
                break  # numbers only: the numeric layouts are parse_date's, not guessed here
            text = " ".join(tokens[start:end]).strip(_TRIM)
            found = _read(known, text, base)
            if found is None:
                continue
            relative = found[2]
            if relative and now is None:
                return None, False  # nothing to count from
            if not relative and not _YEAR.search(text):
                return None, False  # "1/8/08": a two-digit year is a guess
            return found[0], found[1]
    return None, False


# Without a fetch time, relative dates are refused; this reference only detects them.
_NO_REFERENCE = datetime(2000, 1, 3, 12, 0, tzinfo=UTC)


def _read(
    languages: tuple[str, ...], text: str, base: datetime
) -> tuple[datetime, bool, bool] | None:
    """``(date, has_time, relative)`` of a text that is one date, or None."""
    if not text or not any(c.isalnum() for c in text):
        return None
    first = _date_obj(languages, text, base)
    if first is None:
        return None
    second = _date_obj(languages, text, base + _SHIFT)
    if second is None:
        return None
    moved = second - first
    if moved == timedelta(0):
        # Absolute: the page's own clock, zone unknown unless dateparser read one.
        return first, (first.hour, first.minute) != (0, 0), False
    if moved == _SHIFT:
        ago = base - first
        if ago > _MAX_RELATIVE:
            return None
        if ago % _DAY == timedelta(0):
            return first, False, True  # "yesterday", "3 days ago": a day, not a time
        return first.replace(tzinfo=UTC), True, True
    if moved == _DAY:
        return first, True, True  # "yesterday, 14:30": that day, at the page's clock time
    return None  # weekdays, weeks, months: too vague to be a date


def _date_obj(languages: tuple[str, ...], text: str, base: datetime) -> datetime | None:
    from dateparser.date import DateDataParser

    # A parser costs microseconds; the languages it loads are cached by dateparser.
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    try:
        parser = DateDataParser(languages=list(languages), settings=settings)
        data = parser.get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    result = data.date_obj if data else None
    return result if isinstance(result, datetime) else None


def _starts(tokens: list[str], words: frozenset[str]) -> list[int]:
    found = [
        i
        for i, token in enumerate(tokens)
        if any(c.isdigit() for c in token) or token.strip(_TRIM).casefold() in words
    ]
    return found[:3]


def _known_languages(languages: tuple[str, ...] | None) -> tuple[str, ...]:
    from dateparser.languages.loader import default_loader

    wanted = tuple(code for code in languages or () if code)
    known = tuple(code for code in wanted if code in _all_locales(default_loader))
    return known or WORD_LANGUAGES


@lru_cache(maxsize=1)
def _all_locales(loader: Any) -> frozenset[str]:
    return frozenset(loader.get_locale_map())


@lru_cache(maxsize=32)
def _start_words(languages: tuple[str, ...]) -> frozenset[str]:
    """The words a date may start with in these languages, from dateparser's locale data."""
    from dateparser.languages.loader import default_loader

    starts: set[str] = set()
    for locale in default_loader.get_locales(languages=list(languages)):
        info = locale.info
        for key in _START_KEYS:
            starts.update(str(w).split()[0].casefold() for w in info.get(key, []) if w.strip())
        for words in info.get("relative-type", {}).values():
            starts.update(str(w).split()[0].casefold() for w in words if w.strip())
    return frozenset(starts)
