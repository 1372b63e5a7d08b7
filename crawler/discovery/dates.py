"""Lenient date parsing for feeds, sitemaps, structured data and datelines.

One regex-driven parser covers every format we meet: it looks for the earliest calendar
date in the text (ISO ``2026-11-18``, ``18 Nov 2026``, ``November 18th, 2026``,
``18.11.2026``...), then for a time of day (after the date first, then before it, as in
``10:23 AM EST, Wed November 18, 2026``), then for a zone right after that time. RFC 822
pubDates and ISO 8601 timestamps are just particular layouts of that pattern.

Decisions worth knowing:

* A result is aware only when a zone is actually stated; otherwise it is naive.
* ``ET``/``CT``/``MT``/``PT`` resolve through the tz database, so the offset follows DST;
  ``EST``, ``PDT``... are the fixed offsets they name. Ambiguous abbreviations (``IST``,
  ``AST``) are not in the table, so such dates stay naive rather than guess.
* ``CST`` is US Central (RFC 822), not China.
* ``a/b/yyyy`` is month-first unless ``a > 12``, as American sites write it; with
  ``day_first`` (a page in a language or region that writes the day first, see
  :func:`numeric_day_first`) it is day-first unless ``b > 12``. ``a.b.yyyy`` and
  ``a-b-yyyy`` are day-first.
* Two-digit years (RFC 822 ``18 Nov 26``) map to 2000-2049 / 1950-1999.
* An out-of-range time ("45:00 min read") is ignored and the date alone is kept.

That parser reads numbers and English month names, which is what feeds, sitemaps and
metadata use. Dates written in words in other languages ("18. Oktober 2026", "le 18
novembre 2026 à 14h30") and relative dates ("vor 2 Stunden", "3 hours ago", "ayer") are
read by :func:`crawler.discovery.date_words.parse_date_words`, with dateparser (its locale
data, not a table of ours).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "parse_date",
    "parse_date_text",
    "parse_duration_or_date",
    "to_iso",
]

# Datelines are short; bounding the input keeps regex cost flat on hostile strings.
_MAX_INPUT = 300

_MONTH_NUMBERS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"

_ISO_DATE = re.compile(
    r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"
)
# The common machine-written layout, handed to the C parser before any regex search.
_ISO_STRICT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?P<time>T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)
_ISO_BASIC = re.compile(
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?(?:[.,](?P<frac>\d{1,9}))?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_YEAR_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")
# Not a time's minutes as the day ("22:17, January 11th 2008"), nor an ordinal as a
# two-digit year: that text says 11 January 2008, not 17 January 2011.
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w.:])(?P<day>\d{{1,2}}){_ORDINAL}\.?(?:\s+of)?[\s/.,-]*{_MONTH}[\s/.,-]*"
    r"(?P<year>\d{4}(?![\d:])|\d{2}(?![\w:]))",
    re.IGNORECASE,
)
# The optional middle part accepts asctime layouts ("Wed Nov 18 09:30:00 EST 2026"); the
# time inside is found again by the time-of-day search.
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![a-z]){_MONTH}\s*(?P<day>\d{{1,2}}){_ORDINAL}(?!\d)"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+[A-Za-z]{1,5})?)?\s*,?\s*(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d./-])(?P<first>\d{1,2})(?P<sep>[/.-])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\d)"
)
_PROSE_DATES = (_ISO_DATE, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC_DATE)
# A weekday beside a numeric date settles its order: "Monday | 07/01/2008" is 7 January
# (a Monday), not 1 July (a Tuesday). Abbreviations count only with a stop or comma after
# them ("Mon, 07/01/2008"): "sat" and "wed" are words too.
_WEEKDAY = re.compile(
    r"\b(?:(?P<full>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|(?P<short>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[.,])",
    re.IGNORECASE,
)
_WEEKDAY_NUMBERS = {
    name: number for number, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
}

_MERIDIEM = r"\s*(?P<{name}>[ap])\.?\s?m\b\.?"
# "12.30" is British style, but also looks like a decimal or "18.11.2026"; only accept it
# when a meridiem or a capitalised zone follows.
_TIME = re.compile(
    r"(?<![\d:.])(?P<hour>\d{1,2})(?:"
    r":(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?(?!\d)"
    rf"(?:{_MERIDIEM.format(name='meridiem')})?"
    r"|\.(?P<dot_minute>\d{2})(?![\d.])"
    rf"(?:{_MERIDIEM.format(name='dot_meridiem')}|(?=\s*(?-i:[A-Z]{{2,5}})\b))"
    rf"|{_MERIDIEM.format(name='meridiem_only')}"
    r")",
    re.IGNORECASE,
)
_ZONE = re.compile(
    r"\s*\(?\s*(?:"
    r"(?:UTC|GMT|UT)\s*(?P<named_sign>[+-])\s*(?P<named_hours>\d{1,2})(?::?(?P<named_minutes>\d{2}))?"
    r"|(?P<sign>[+-])(?P<hours>\d{2})(?::?(?P<minutes>\d{2}))?"
    r"|(?P<name>[A-Za-z]{1,5})(?![A-Za-z])"
    r")(?!\d)",
    re.IGNORECASE,
)

_UTC_NAMES = frozenset({"UT", "UTC", "GMT", "Z"})
# Minutes east of UTC. RFC 822 obsolete names plus abbreviations common in English news.
_FIXED_ZONES = {
    **dict.fromkeys(_UTC_NAMES, 0),
    "WET": 0,
    "BST": 60,
    "CET": 60,
    "WEST": 60,
    "WAT": 60,
    "CEST": 120,
    "EET": 120,
    "CAT": 120,
    "SAST": 120,
    "EEST": 180,
    "MSK": 180,
    "EAT": 180,
    "PKT": 300,
    "WIB": 420,
    "HKT": 480,
    "SGT": 480,
    "AWST": 480,
    "JST": 540,
    "KST": 540,
    "ACST": 570,
    "ACDT": 630,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
}
# AP style "9:30 a.m. ET" means whichever of EST/EDT applies on that date.
_REGION_ZONES = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}

_DURATION = re.compile(r"(?P<amount>\d{1,9})\s*(?P<unit>[mhdw])", re.IGNORECASE)
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ISO_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str | None) -> datetime | None:
    """Parse a date or datetime in any supported layout; None when there is none.

    Aware when the text names a zone or offset, naive otherwise. Never raises.
    """
    return parse_date_text(value)[0]


def parse_date_text(value: str | None, *, day_first: bool = False) -> tuple[datetime | None, bool]:
    """Like :func:`parse_date`, also telling whether the text carried a time of day.

    Returns ``(datetime, has_time)``. A date without a time comes back as naive midnight
    with ``has_time=False``, so callers can emit ``to_iso(dt, date_only=True)`` instead of
    inventing a midnight timestamp. ``(None, False)`` when nothing parses.
    """
    if not isinstance(value, str):
        return None, False
    text = value.strip()[:_MAX_INPUT]
    if not text:
        return None, False
    try:
        return _parse(text, day_first)
    except (ValueError, OverflowError):
        return None, False


def to_iso(dt: datetime | None, date_only: bool = False) -> str | None:
    """Format as ISO 8601 with second precision; a naive datetime gets no offset."""
    if dt is None:
        return None
    if date_only:
        return dt.date().isoformat()
    return dt.isoformat(timespec="seconds")


# English in these regions writes numeric dates month first (the United States and the
# territories and states that follow its usage); so does English with no region, as read
# everywhere else in this module. Chinese, Japanese and Korean write the year first.
_MONTH_FIRST_REGIONS = frozenset({"us", "ph", "pr", "gu", "vi", "as", "mp", "um", "fm", "mh", "pw"})
_YEAR_FIRST_LANGUAGES = frozenset({"zh", "ja", "ko"})
# Country domains that say nothing of the country: sold worldwide as vanity names
# (".io", ".tv", ".ai", ".me"...), or a country that writes both orders (".ca") or the
# year first (".cn", ".jp", ".kr", ".tw").
_NO_COUNTRY_DOMAINS = frozenset(
    {"ac", "ai", "am", "cc", "co", "gg", "io", "la", "ly", "me", "nu", "sh", "so"}
    | {"tk", "to", "tv", "ws", "ca", "cn", "jp", "kr", "tw"}
)


def _language_day_first(language: str | None) -> bool | None:
    """Whether a BCP 47 tag settles the order: None for English without a region."""
    if not language or not language.strip():
        return None
    primary, *subtags = language.strip().lower().replace("_", "-").split("-")
    if primary in _YEAR_FIRST_LANGUAGES:
        return False
    if primary != "en":
        return bool(primary)
    # The region follows the language and an optional script ("en-Latn-US").
    region = next((t for t in subtags if len(t) == 2 or (len(t) == 3 and t.isdigit())), "")
    return (region not in _MONTH_FIRST_REGIONS) if region else None


def _domain_day_first(url: str | None) -> bool:
    """Whether the URL's host is in a country that writes the day first (".co.uk", ".ie")."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return False
    country = host.rstrip(".").rsplit(".", 1)[-1]
    return (
        len(country) == 2
        and country.isalpha()
        and country not in _MONTH_FIRST_REGIONS
        and country not in _NO_COUNTRY_DOMAINS
    )


def numeric_day_first(*languages: str | None, url: str | None = None) -> bool:
    """Whether a page writes "05/11/2026" for 5 November.

    ``languages`` are BCP 47 tags ("fr", "en-GB", "pt_BR"), most specific source first
    (the page's, then its site's). The first that settles it decides: every language but
    English writes the day first (Chinese, Japanese and Korean write the year first), and
    English does outside the United States and the places that follow its usage. English
    with no region settles nothing; then the URL's country domain decides (an Irish or
    British site that declares only "en", or nothing), and without one the month comes
    first, as American sites write it.
    """
    for language in languages:
        decided = _language_day_first(language)
        if decided is not None:
            return decided
    return _domain_day_first(url)


def announced_iso(dt: datetime | None) -> str | None:
    """A date a feed or sitemap announces, as ISO 8601: a naive midnight as the day alone.

    A date without a time ("2026-11-18", common in sitemaps' ``<lastmod>``) parses to a
    naive midnight; written with its time, it would be a time the source never gave. A
    source that states exactly 00:00:00 and no zone loses nothing but that time.
    """
    if dt is None:
        return None
    return to_iso(dt, date_only=dt.tzinfo is None and dt.time() == time())


def parse_duration_or_date(value: str, now: datetime) -> datetime:
    """Resolve a ``since`` argument: a date, an ISO datetime, or a duration before ``now``.

    Durations are ``<n>m`` (minutes), ``<n>h``, ``<n>d`` or ``<n>w``. A naive date or
    datetime takes ``now``'s zone, so it can be compared with ``now`` and with parsed dates.
    """
    text = value.strip()
    duration = _DURATION.fullmatch(text)
    try:
        if duration:
            unit = _DURATION_UNITS[duration["unit"].lower()]
            return now - timedelta(**{unit: int(duration["amount"])})
        if _ISO_PREFIX.match(text):
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None and now.tzinfo is not None:
                parsed = parsed.replace(tzinfo=now.tzinfo)
            return parsed
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"invalid since value {value!r}: {exc}") from exc
    raise ValueError(
        f"invalid since value {value!r}: expected a date (2026-11-01), an ISO datetime "
        "(2026-11-01T12:00:00Z) or a duration such as 30m, 6h, 2d or 1w"
    )


def _parse(text: str, day_first: bool = False) -> tuple[datetime | None, bool]:
    strict = _ISO_STRICT.fullmatch(text)
    if strict:
        try:
            return datetime.fromisoformat(text), strict["time"] is not None
        except ValueError:
            pass  # e.g. a leap second; the lenient path copes
    basic = _ISO_BASIC.fullmatch(text)
    if basic:
        return _from_iso_basic(basic)
    year_month = _YEAR_MONTH.fullmatch(text)
    if year_month:
        return datetime(int(year_month["year"]), int(year_month["month"]), 1), False

    candidates = [m for m in (p.search(text) for p in _PROSE_DATES) if m]
    # The earliest date wins: "Published <date>, updated <date>" is about publication.
    for match in sorted(candidates, key=lambda m: m.start()):
        ymd = _year_month_day(match, text, day_first)
        try:
            datetime(*ymd)
        except ValueError:
            continue
        return _attach_time(text, match, ymd)
    return None, False


def _from_iso_basic(match: re.Match[str]) -> tuple[datetime, bool]:
    date = datetime(int(match["year"]), int(match["month"]), int(match["day"]))
    if match["hour"] is None:
        return date, False
    clock = _clock(match["hour"], match["minute"], match["second"], match["frac"], None)
    if clock is None:
        return date, False
    hour, minute, second, micro = clock
    zone = _zone_from_match(_ZONE.fullmatch(match["zone"]) if match["zone"] else None)
    moment = date.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    return moment.replace(tzinfo=zone), True


def _named_weekday(text: str) -> int | None:
    """The weekday the text names (Monday is 0), if it names one."""
    match = _WEEKDAY.search(text)
    if match is None:
        return None
    return _WEEKDAY_NUMBERS[(match["full"] or match["short"])[:3].lower()]


def _year_month_day(match: re.Match[str], text: str, day_first: bool) -> tuple[int, int, int]:
    groups = match.groupdict()
    year = int(match["year"])
    if year < 100:
        year += 2000 if year < 50 else 1900
    if "first" in groups:
        first, second = int(match["first"]), int(match["second"])
        # Only a date that reads both ways looks for a weekday in its text.
        if first <= 12 and second <= 12 and first != second:
            weekday = _named_weekday(text)
            fits = [
                (year, month, day)
                for month, day in ((first, second), (second, first))
                if datetime(year, month, day).weekday() == weekday
            ]
            if len(fits) == 1:
                return fits[0]
        if match["sep"] == "/" and (second > 12 or (first <= 12 and not day_first)):
            return year, first, second
        return year, second, first
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else _MONTH_NUMBERS[month_text[:3].lower()]
    return year, month, int(match["day"])


def _attach_time(
    text: str, date_match: re.Match[str], ymd: tuple[int, int, int]
) -> tuple[datetime, bool]:
    date = datetime(*ymd)
    # Dates never contain "h:mm", so a time anywhere in the text is fair game; the one after
    # the date is preferred. Searching from 0 also finds asctime's time inside the date span.
    time_match = _TIME.search(text, date_match.end()) or _TIME.search(text)
    if time_match is None:
        return date, False
    meridiem = time_match["meridiem"] or time_match["dot_meridiem"] or time_match["meridiem_only"]
    clock = _clock(
        time_match["hour"],
        time_match["minute"] or time_match["dot_minute"],
        time_match["second"],
        time_match["frac"],
        meridiem,
    )
    if clock is None:
        return date, False
    hour, minute, second, micro = clock
    zone = _zone_from_match(_ZONE.match(text, time_match.end()))
    moment = date.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    return moment.replace(tzinfo=zone), True


def _clock(
    hour_text: str,
    minute_text: str | None,
    second_text: str | None,
    frac_text: str | None,
    meridiem: str | None,
) -> tuple[int, int, int, int] | None:
    hour = int(hour_text)
    minute = int(minute_text) if minute_text else 0
    # Leap seconds are real in feeds generated from NTP clocks; datetime cannot hold them.
    second = min(int(second_text), 59) if second_text else 0
    micro = int(frac_text[:6].ljust(6, "0")) if frac_text else 0
    if meridiem and 1 <= hour <= 12:
        hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute, second, micro


def _zone_from_match(match: re.Match[str] | None) -> tzinfo | None:
    if match is None:
        return None
    if match["name"]:
        return _named_zone(match["name"])
    if match["sign"]:
        sign, hours, minutes = match["sign"], match["hours"], match["minutes"]
    else:
        sign, hours, minutes = match["named_sign"], match["named_hours"], match["named_minutes"]
    offset = int(hours) * 60 + (int(minutes) if minutes else 0)
    if int(hours) > 23 or offset >= 24 * 60:
        return None
    if offset == 0:
        return UTC
    return timezone(timedelta(minutes=-offset if sign == "-" else offset))


def _named_zone(name: str) -> tzinfo | None:
    upper = name.upper()
    # Zone abbreviations are written in capitals; this keeps words such as "eat" or "est"
    # after a time from being read as zones.
    if name != upper and upper not in _UTC_NAMES:
        return None
    if upper in _REGION_ZONES:
        try:
            return ZoneInfo(_REGION_ZONES[upper])
        except ZoneInfoNotFoundError:
            return None
    minutes = _FIXED_ZONES.get(upper)
    if minutes is None:
        return None
    if minutes == 0:
        return UTC
    return timezone(timedelta(minutes=minutes))
