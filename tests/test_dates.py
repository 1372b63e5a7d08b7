from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery.date_words import parse_date_words
from crawler.discovery.dates import (
    announced_iso,
    numeric_day_first,
    parse_date,
    parse_date_text,
    parse_duration_or_date,
    to_iso,
)
from tests.timing import cpu_seconds


def _tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 822 / 2822 (RSS pubDate)
        ("Wed, 18 Nov 2026 09:30:00 GMT", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 09:30:00 +0000", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 09:30:00 -0500", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-5))),
        ("Wed, 18 Nov 2026 09:30:00 +05:30", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(5.5))),
        ("Wed, 18 Nov 2026 09:30:00 EST", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-5))),
        ("Wed, 18 Nov 2026 09:30:00 EDT", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-4))),
        ("Sun, 06 Nov 1994 08:49:37 PST", datetime(1994, 11, 6, 8, 49, 37, tzinfo=_tz(-8))),
        ("Sun, 06 Nov 1994 08:49:37 UT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ("18 Nov 2026 09:30 CDT", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-5))),
        ("Wed, 18 Nov 26 09:30:00 GMT", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("Sat, 1 Jan 99 00:00:00 GMT", datetime(1999, 1, 1, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 23:59:60 GMT", datetime(2026, 11, 18, 23, 59, 59, tzinfo=UTC)),
        ("Wed Nov 18 09:30:00 EST 2026", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-5))),
        # ISO 8601 / W3C datetime
        ("2026-11-18T09:30:00Z", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("2026-11-18T09:30:00+01:00", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(1))),
        ("2026-11-18T09:30:00-0330", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-3.5))),
        ("2026-11-18T09:30:00+01", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(1))),
        ("2026-11-18T09:30Z", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("2026-11-18t09:30:00z", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("2026-11-18T09:30:00.5Z", datetime(2026, 11, 18, 9, 30, 0, 500000, tzinfo=UTC)),
        (
            "2026-11-18T09:30:00.123456789+00:00",
            datetime(2026, 11, 18, 9, 30, 0, 123456, tzinfo=UTC),
        ),
        ("2026-11-18 09:30:00", datetime(2026, 11, 18, 9, 30)),
        ("20261118T093000Z", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
        ("2026-11-18", datetime(2026, 11, 18)),
        ("20261118", datetime(2026, 11, 18)),
        ("2026-11", datetime(2026, 11, 1)),
        ("2026/11/18", datetime(2026, 11, 18)),
        # prose datelines
        ("November 23rd, 2015 - 03:45 GMT", datetime(2015, 11, 23, 3, 45, tzinfo=UTC)),
        ("Nov. 18, 2026 9:30 a.m. EST", datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-5))),
        ("Nov. 18, 2026 9:30 p.m. EST", datetime(2026, 11, 18, 21, 30, tzinfo=_tz(-5))),
        ("18 November 2026", datetime(2026, 11, 18)),
        ("Published November 18th, 2026 - 03:45 GMT", datetime(2026, 11, 18, 3, 45, tzinfo=UTC)),
        ("Updated: 2026-11-18 14:02", datetime(2026, 11, 18, 14, 2)),
        (
            "Updated 10:23 AM EST, Wed November 18, 2026",
            datetime(2026, 11, 18, 10, 23, tzinfo=_tz(-5)),
        ),
        ("Tuesday 18 November 2026 12.30 GMT", datetime(2026, 11, 18, 12, 30, tzinfo=UTC)),
        ("18th of November, 2026 at 9pm BST", datetime(2026, 11, 18, 21, tzinfo=_tz(1))),
        ("Sept 1, 2026, 12:05 am", datetime(2026, 9, 1, 0, 5)),
        ("June 1 2026 12 p.m.", datetime(2026, 6, 1, 12)),
        ("18-Nov-2026 07:00 UTC+2", datetime(2026, 11, 18, 7, tzinfo=_tz(2))),
        ("18.11.2026 14:02", datetime(2026, 11, 18, 14, 2)),
        ("11/18/2026", datetime(2026, 11, 18)),
        ("18/11/2026", datetime(2026, 11, 18)),
        ("03/04/2026", datetime(2026, 3, 4)),
        # first date wins; out-of-range "times" are not times
        ("Published 18 Nov 2026, updated 19 Nov 2026", datetime(2026, 11, 18)),
        ("Nov 18, 2026 | 45:00 min read", datetime(2026, 11, 18)),
        ("Nov 18, 2026 | 3.25 million readers", datetime(2026, 11, 18)),
        # unknown or ambiguous zones leave the result naive
        ("18 Nov 2026 09:30 IST", datetime(2026, 11, 18, 9, 30)),
        ("18 Nov 2026 09:30 by Jane", datetime(2026, 11, 18, 9, 30)),
    ],
)
def test_parse_date(text, expected):
    parsed = parse_date(text)
    assert parsed == expected
    assert (parsed.tzinfo is None) == (expected.tzinfo is None)
    if expected.tzinfo is not None:
        assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "offset_hours"),
    [
        ("July 4, 2026 9:30 a.m. ET", -4),
        ("Jan. 4, 2026 9:30 a.m. ET", -5),
        ("Jul 4 2026 1:00 PT", -7),
    ],
)
def test_regional_zones_follow_daylight_saving(text, offset_hours):
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "garbage",
        "yesterday",
        "May 2026",
        "2026-02-30",
        "2026-13-01",
        "31/31/2026",
        "99999999",
        "Wed, 32 Nov 2026 09:30:00 GMT",
        "x" * 10_000,
    ],
)
def test_unparseable_returns_none(text):
    assert parse_date(text) is None
    assert parse_date_text(text) == (None, False)


def test_non_string_returns_none():
    assert parse_date(1700000000) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "has_time"),
    [
        ("2026-11-18", False),
        ("18 November 2026", False),
        ("2026-11-18T00:00:00Z", True),
        ("Wed, 18 Nov 2026 00:00:00 GMT", True),
        ("Nov 18, 2026 9 am", True),
    ],
)
def test_parse_date_text_reports_time(text, has_time):
    parsed, found_time = parse_date_text(text)
    assert parsed is not None
    assert found_time is has_time


def test_to_iso():
    aware = datetime(2026, 11, 18, 9, 30, 0, 123, tzinfo=UTC)
    assert to_iso(aware) == "2026-11-18T09:30:00+00:00"
    assert to_iso(datetime(2026, 11, 18, 9, 30, tzinfo=_tz(-5))) == "2026-11-18T09:30:00-05:00"
    assert to_iso(datetime(2026, 11, 18, 9, 30)) == "2026-11-18T09:30:00"
    assert to_iso(aware, date_only=True) == "2026-11-18"
    assert to_iso(None) is None


_NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6h", _NOW - timedelta(hours=6)),
        ("30m", _NOW - timedelta(minutes=30)),
        ("2d", _NOW - timedelta(days=2)),
        ("1w", _NOW - timedelta(weeks=1)),
        (" 2D ", _NOW - timedelta(days=2)),
        ("0h", _NOW),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T05:00:00Z", datetime(2026, 11, 1, 5, tzinfo=UTC)),
        ("2026-11-01T05:00:00+02:00", datetime(2026, 11, 1, 3, tzinfo=UTC)),
        ("2026-11-01T05:00:00", datetime(2026, 11, 1, 5, tzinfo=UTC)),
    ],
)
def test_parse_duration_or_date(value, expected):
    assert parse_duration_or_date(value, _NOW) == expected


def test_parse_duration_or_date_with_naive_now():
    naive_now = datetime(2026, 11, 18, 12)
    assert parse_duration_or_date("2026-11-01", naive_now) == datetime(2026, 11, 1)
    assert parse_duration_or_date("1d", naive_now) == datetime(2026, 11, 17, 12)


@pytest.mark.parametrize(
    "value", ["", "yesterday", "6", "h", "6y", "-2d", "1.5h", "2026-13-01", "999999999w"]
)
def test_parse_duration_or_date_rejects(value):
    with pytest.raises(ValueError, match="invalid since value"):
        parse_duration_or_date(value, _NOW)


@settings(max_examples=200, derandomize=True)
@given(st.text(max_size=80))
def test_parse_date_never_raises(text):
    parsed, has_time = parse_date_text(text)
    assert parsed is None or isinstance(parsed, datetime)
    assert isinstance(has_time, bool)


def test_parse_date_is_fast_on_hostile_input():
    hostile = ["1:" * 400, "1 " * 400, "Nov " * 100, "2026-" * 100, "9 a" * 200]
    dateline = "Published on November 18, 2026 at 10:23 AM EST by the desk " * 13
    # As fast as an ordinary dateline of the same length (backtracking would be 1000x).
    assert cpu_seconds(lambda: [parse_date(t) for t in hostile * 20]) < 10 * cpu_seconds(
        lambda: [parse_date(dateline) for _ in hostile * 20]
    )


# --- dates in words and relative dates (dateparser) ------------------------------------

FETCHED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "languages", "expected", "has_time"),
    [
        ("Veröffentlicht am 18. Oktober 2026, 14:30 Uhr", ("de",), "2026-10-18T14:30:00", True),
        ("Mittwoch, 18. November 2026", ("de",), "2026-11-18T00:00:00", False),
        ("Publié le 18 novembre 2026 à 14h30", ("fr",), "2026-11-18T14:30:00", True),
        ("Publicado el 18 de noviembre de 2026", ("es",), "2026-11-18T00:00:00", False),
        ("Atualizado em 3 de dezembro de 2026", ("pt",), "2026-12-03T00:00:00", False),
        ("Pubblicato il 18 novembre 2026 alle 14:30", ("it",), "2026-11-18T14:30:00", True),
        # Without the page's language: the default languages are tried.
        ("le 2 février 2026", None, "2026-02-02T00:00:00", False),
        # Relative: counted back from the fetch time, in UTC.
        ("Aktualisiert vor 3 Stunden", ("de",), "2026-11-20T09:00:00+00:00", True),
        ("Mis à jour il y a 3 heures", ("fr",), "2026-11-20T09:00:00+00:00", True),
        ("hace 2 horas", ("es",), "2026-11-20T10:00:00+00:00", True),
        ("há 2 horas", ("pt",), "2026-11-20T10:00:00+00:00", True),
        ("2 ore fa", ("it",), "2026-11-20T10:00:00+00:00", True),
        ("3 hours ago", ("en",), "2026-11-20T09:00:00+00:00", True),
        # A relative day is a day, not a time; with a time of its own, that time.
        ("gestern", ("de",), "2026-11-19T12:00:00", False),
        ("gestern, 14:30 Uhr", ("de",), "2026-11-19T14:30:00", True),
    ],
)
def test_dates_in_words_and_relative_dates(line, languages, expected, has_time):
    parsed, timed = parse_date_words(line, languages=languages, now=FETCHED)
    assert parsed is not None and parsed.isoformat() == expected
    assert timed is has_time


@pytest.mark.parametrize(
    "line",
    [
        "18. November",  # no year: it would be a guess
        "Mittwoch",  # a weekday alone
        "vor 2 Wochen",  # counted in weeks: not a day
        "Computerworld 1/8/08",  # numbers only: parse_date's, and a two-digit year
        "Le maire a dit mardi que trois personnes",
        "",
    ],
)
def test_vague_or_numeric_dates_are_not_guessed(line):
    assert parse_date_words(line, languages=("de", "fr"), now=FETCHED) == (None, False)


def test_a_relative_date_needs_the_fetch_time():
    assert parse_date_words("vor 3 Stunden", languages=("de",)) == (None, False)
    parsed, _ = parse_date_words("18. Oktober 2026", languages=("de",))
    assert parsed == datetime(2026, 10, 18)


def test_an_announced_day_stays_a_day():
    # A sitemap's <lastmod>2026-11-18</lastmod> is a day, not a time at midnight.
    assert announced_iso(parse_date("2026-11-18")) == "2026-11-18"
    assert announced_iso(parse_date("2026-11-18T09:30:00")) == "2026-11-18T09:30:00"
    assert announced_iso(parse_date("2026-11-18T00:00:00Z")) == "2026-11-18T00:00:00+00:00"
    assert announced_iso(None) is None


@pytest.mark.parametrize(
    ("text", "when"),
    [
        # "17, January 11" was read as 17 January 2011.
        ("By Chris Lane 22:17, January 11th 2008 4 votes", datetime(2008, 1, 11, 22, 17)),
        ("Updated 09:05, March 13th 2026", datetime(2026, 3, 13, 9, 5)),
    ],
)
def test_a_time_s_minutes_and_an_ordinal_are_not_a_day_and_a_year(text, when):
    assert parse_date_text(text) == (when, True)


@pytest.mark.parametrize(
    ("language", "day_first"),
    [
        ("fr", True),
        ("de-DE", True),
        ("pt_BR", True),
        ("en-GB", True),
        ("EN-IE", True),
        ("en-Latn-GB", True),
        ("en", False),
        ("en-US", False),
        ("en-Latn-US", False),
        ("ja", False),
        ("zh-CN", False),
        ("", False),
        (None, False),
    ],
)
def test_numeric_day_first_follows_the_language_and_region(language, day_first):
    assert numeric_day_first(language) is day_first


@pytest.mark.parametrize(
    ("languages", "url", "day_first"),
    [
        (("en", "en-GB"), None, True),  # the site's region, when the page names none
        (("en-US", "en-GB"), None, False),  # the page's own region first
        (("de", "en-US"), None, True),
        ((None, None), "https://www.irishexaminer.ie/news/a.html", True),
        (("en",), "https://www.bbc.co.uk/news/a", True),
        (("en",), "http://user@www.smh.com.au:8080/a", True),
        (("EN",), "https://WWW.EXAMPLE.CO.NZ./a", True),
        (("en-US",), "https://www.bbc.co.uk/news/a", False),
        (("ja",), "https://www.example.de/a", False),
        ((), "https://www.example.com/a", False),
        ((), "https://www.example.us/a", False),
        ((), "https://www.example.ca/a", False),
        ((), "https://www.example.io/a", False),
        ((), "https://www.example.jp/a", False),
        ((), "https://127.0.0.1/a", False),
        ((), "https://[::1/a", False),
        ((), "not a url", False),
        ((), None, False),
    ],
)
def test_numeric_day_first_falls_back_to_the_site_then_its_country_domain(
    languages, url, day_first
):
    assert numeric_day_first(*languages, url=url) is day_first


def test_day_first_reads_slashes_day_first_unless_it_cannot():
    assert parse_date_text("05/11/2026", day_first=True) == (datetime(2026, 11, 5), False)
    assert parse_date_text("05/18/2026", day_first=True) == (datetime(2026, 5, 18), False)
    assert parse_date_text("05/11/2026") == (datetime(2026, 5, 11), False)
    assert parse_date_text("05.11.2026") == (datetime(2026, 11, 5), False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 7 January 2008 was a Monday, 1 July 2008 a Tuesday: the weekday says the order.
        ("By David Richards | Monday | 07/01/2008", datetime(2008, 1, 7)),
        ("Tuesday 07/01/2008", datetime(2008, 7, 1)),
        ("Mon, 07.01.2008", datetime(2008, 1, 7)),
        # A weekday neither reading falls on, or a word that only looks like one, says
        # nothing: the usual order stands.
        ("Friday 07/01/2008", datetime(2008, 7, 1)),
        ("He sat 07/01/2008", datetime(2008, 7, 1)),
    ],
)
def test_a_named_weekday_settles_a_numeric_date_s_order(text, expected):
    assert parse_date_text(text) == (expected, False)
