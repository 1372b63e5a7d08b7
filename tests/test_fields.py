import pytest

from crawler.items import Author
from pipelines.cleaning.clean import _trafilatura_title
from pipelines.cleaning.fields import (
    authors_from_bylines,
    normalize_authors,
    resolve_canonical,
    resolve_date,
    strip_site_name,
    with_bylines,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["By Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
        # A role after the name, with its qualifier, is not a second author.
        (["By Martin Holloway, Political Reporter"], ["Martin Holloway"]),
        (["By Anna Smith, Chief Political Correspondent"], ["Anna Smith"]),
        (["Jane Doe, Health Editor, and John Roe"], ["Jane Doe", "John Roe"]),
        # A newsroom, a wire or a publication beside the writer is not a person.
        (["By Jane Doe, BBC News"], ["Jane Doe"]),
        (["By Patrick Nathanson and agencies"], ["Patrick Nathanson"]),
        (["By Jane Doe | Reuters"], ["Jane Doe"]),
        (["By Evan Lehmann, Eagle Washington Bureau"], ["Evan Lehmann"]),
        (["Jane Doe, The Washington Post"], ["Jane Doe"]),
        (["By AFP"], []),
        (["Mariko Oi BBC News"], ["Mariko Oi"]),
        # Surnames that are also a paper's name stay.
        (["By Emily Post and Li Sun"], ["Emily Post", "Li Sun"]),
        # Date words read into a credit are not names; months that are names stay.
        (["David Lassen Thursday", "December"], ["David Lassen"]),
        (["Friday", "January"], []),
        (["By Theresa May"], ["Theresa May"]),
        (["Jane Doe, Staff Writer"], ["Jane Doe"]),
        (["Jane Doe", "Jane Doe"], ["Jane Doe"]),
        (["https://example.com/author/jane"], []),
        (["Harbor Herald"], []),
        (["Reporting by Ana Ruiz; Editing by Tom Li"], ["Ana Ruiz"]),
    ],
)
def test_normalize_authors(raw, expected):
    assert normalize_authors(raw, exclude=["Harbor Herald"]) == expected


def test_authors_from_bylines():
    assert authors_from_bylines(["By Elizabeth Shim"]) == [
        Author("Elizabeth Shim", "By Elizabeth Shim")
    ]
    assert authors_from_bylines(["Bystanders said it was loud"]) == []


def test_a_meta_line_after_the_byline_names_no_one():
    line = "By Jennifer Agiesta | January 14, 2008; 4:38 PM ET | Post Polls"
    assert authors_from_bylines([line]) == [Author("Jennifer Agiesta", line)]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Von Anna Schmidt und Jonas Weber", ["Anna Schmidt", "Jonas Weber"]),
        ("Par Claire Dubois", ["Claire Dubois"]),
        ("Por María López y Juan Pérez", ["María López", "Juan Pérez"]),
        ("Di Giulia Rossi", ["Giulia Rossi"]),
    ],
)
def test_bylines_in_other_languages_keep_their_line(line, names):
    authors = authors_from_bylines([line])
    assert [a.name for a in authors] == names
    assert {a.nameRaw for a in authors} == {line}


def test_name_raw_is_the_byline_line_that_names_the_author():
    authors = with_bylines([Author("Jane Doe", "Jane Doe")], ["By Jane Doe and John Roe"])
    assert authors == [Author("Jane Doe", "By Jane Doe and John Roe")]
    assert with_bylines([Author("Ann Lee", "Ann Lee")], ["By Jane Doe"]) == [
        Author("Ann Lee", "Ann Lee")
    ]
    assert with_bylines([Author("Ann", "Ann")], ["By Joanne Smith"]) == [Author("Ann", "Ann")]


def test_resolve_date_prefers_first_but_takes_precision_from_same_day():
    assert resolve_date(["2026-11-18", "Wed, 18 Nov 2026 09:30:00 +0000"]) == (
        "2026-11-18T09:30:00+00:00"
    )
    assert resolve_date(["2026-11-18", "Thu, 19 Nov 2026 09:30:00 +0000"]) == "2026-11-18"
    assert resolve_date([None, "garbage", "2026-11-18T09:30:00-05:00"]) == (
        "2026-11-18T09:30:00-05:00"
    )
    assert resolve_date([None, ""]) is None


@pytest.mark.parametrize(
    "day", ["21 November 2019", "November 21, 2019", "2019/11/21", "Published 21 November 2019"]
)
def test_a_day_without_a_time_stays_a_day(day):
    # A day in words or another layout was read as a time at midnight, and it then hid the
    # time a later source gives on that day.
    assert resolve_date([day]) == "2019-11-21"
    assert resolve_date(["2019-11-21", day]) == "2019-11-21"
    assert resolve_date([day, "2019-11-21T09:11:00"]) == "2019-11-21T09:11:00"
    assert resolve_date(["2019-11-21T00:00:00", day]) == "2019-11-21T00:00:00"


def test_strip_site_name():
    assert strip_site_name("Port vote set for Tuesday | Harbor Herald", ["Harbor Herald"]) == (
        "Port vote set for Tuesday"
    )
    assert strip_site_name("North Korea denies ties - a long subtitle here that stays", []) == (
        "North Korea denies ties - a long subtitle here that stays"
    )


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        (
            "BBC NEWS | Asia-Pacific | Ball game at China-Japan summit",
            "Ball game at China-Japan summit",
        ),
        ("The Ledger : National : Rail link to port to be ready", "Rail link to port to be ready"),
        ("Harbor Herald - Port vote set for Tuesday | Politics", "Port vote set for Tuesday"),
        # A headline's own short part stays.
        (
            "Analysis: Why the port vote matters to the city",
            "Analysis: Why the port vote matters to the city",
        ),
        # A host name before the headline is the site's, named or not.
        (
            "wjz.com - SFPD: Zoo Attack Victim Admits Taunting Tiger",
            "SFPD: Zoo Attack Victim Admits Taunting Tiger",
        ),
        ("PrairieBuzz.com - Folk duo cancels winter tour", "Folk duo cancels winter tour"),
        ("U.S. - China talks resume in Geneva", "U.S. - China talks resume in Geneva"),
        ("St. Louis - a history of the city", "St. Louis - a history of the city"),
    ],
)
def test_site_name_before_the_headline_is_stripped(title, headline):
    assert strip_site_name(title, ["Harbor Herald"]) == headline


def test_a_tagline_after_the_site_name_is_not_taken_for_the_headline():
    title = "How To Audition | NBC The Voice | Official Casting & Audition Site"
    assert strip_site_name(title, []) == title


@pytest.mark.parametrize(
    ("trafilatura_title", "kept"),
    [
        ("The Hindu : Business", False),  # the site's part: the headline was cut
        ("BSNL offers insurance cover", True),  # it cut more of the site's part than we did
        ("BSNL offers insurance cover to subscribers - The Hindu", True),
    ],
)
def test_trafilatura_s_title_is_passed_over_only_when_it_is_the_site_s_part(
    trafilatura_title, kept
):
    tag = "The Hindu : Business : BSNL offers insurance cover to subscribers - The Hindu"
    headline = "BSNL offers insurance cover to subscribers"
    assert (_trafilatura_title(trafilatura_title, tag, headline) is not None) is kept


def test_resolve_canonical_stays_on_site():
    page = "https://www.example.com/a/story.amp.html"
    assert resolve_canonical(page, "https://example.com/a/story.html") == (
        "https://example.com/a/story.html"
    )
    assert resolve_canonical(page, "/a/story.html") == "https://www.example.com/a/story.html"
    assert resolve_canonical(page, "https://other.org/a/story.html") == page
    assert resolve_canonical(page, "javascript:alert(1)") == page
    assert resolve_canonical(page, None) == page


def test_soft_404_titles_and_real_headlines_with_404():
    from pipelines.cleaning.flags import ERROR_TITLE as _ERROR_TITLE

    for title in ("Page Not Found", "404 - Not Found", "Error 404", "404 error | Site"):
        assert _ERROR_TITLE.search(title), title
    for title in ("Bridge built since 404, when the Romans left", "The road to 404 seats"):
        assert not _ERROR_TITLE.search(title), title
