"""trafilatura's author search runs only on pages where one of its XPaths could match."""

import hashlib
from pathlib import Path

import lxml.html
import pytest
from trafilatura.metadata import extract_author
from trafilatura.xpaths import AUTHOR_XPATHS

from pipelines.cleaning.fallback import (
    _month_first,
    may_name_author,
    trafilatura_authors,
    trafilatura_fallback,
)
from pipelines.cleaning.metadata import PageMetadata

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The text of trafilatura 2.3's author XPaths, which may_name_author was checked against.
# A new trafilatura that changes them fails here: audit the new expressions, then update.
AUDITED_AUTHOR_XPATHS = "e2b00f1a6ccd057a655a872f5ced8cad3590d8ff42890ab3fe382bc5e6cf52d8"


def page(body: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f"<html><body><article><p>The council met on Monday.</p>{body}</article></body></html>"
    )


@pytest.mark.parametrize(
    "markup",
    [
        '<a rel="author" href="/staff/ines">Ines Roth</a>',
        '<span id="author">Ines Roth</span>',
        '<div class="author">Ines Roth</div>',
        '<span itemprop="author name">Ines Roth</span>',
        '<a data-testid="AuthorURL" href="/staff/ines">Ines Roth</a>',
        '<span class="article-author-name">Ines Roth</span>',
        '<span class="AuthorName">Ines Roth</span>',
        '<p class="byline">Ines Roth</p>',
        '<span class="username">Ines Roth</span>',
        '<span class="byl">Ines Roth</span>',
        '<span class="BBL">Ines Roth</span>',
        '<span itemprop="author">Ines Roth</span>',
        '<div id="post-author-box">Ines Roth</div>',
        '<span class="submitted-by">Ines Roth</span>',
        '<span class="journalist-name">Ines Roth</span>',
        '<em data-component="TextByline">Ines Roth</em>',
        '<em id="Author">Ines Roth</em>',
        '<em class="screenname">Ines Roth</em>',
        '<em class="staff-writer">Ines Roth</em>',
        '<em class="Byline">Ines Roth</em>',
        "<author>Ines Roth</author>",
    ],
)
def test_every_form_the_author_xpaths_match_is_searched(markup):
    tree = page(markup)
    assert extract_author(tree) == "Ines Roth"
    assert may_name_author(tree)
    assert trafilatura_authors(tree) == ["Ines Roth"]


def test_a_page_without_author_markup_is_not_searched():
    tree = page('<p class="credit">By Ines Roth</p><a rel="nofollow" href="/x">Share</a>')
    assert not may_name_author(tree)
    assert extract_author(tree) is None


def test_an_authority_control_box_is_not_an_author():
    navbox = (
        '<div class="navbox authority-control"><table><tr><th>Authority control</th>'
        "<td><a href='/viaf'>VIAF</a></td></tr></table></div>"
    )
    tree = page(navbox)
    found = extract_author(tree)  # what the search would say, and why it is not run
    assert found is not None and found.startswith("Authority control")
    assert not may_name_author(tree)
    assert trafilatura_authors(tree) == []
    # A page that also marks an author is still searched.
    assert may_name_author(page(navbox + '<p class="byline">Ines Roth</p>'))


def test_the_author_xpaths_are_the_audited_ones():
    text = "\x00".join(expression.path for expression in AUTHOR_XPATHS)
    assert hashlib.sha256(text.encode()).hexdigest() == AUDITED_AUTHOR_XPATHS


def test_on_the_fixture_pages_a_skipped_search_would_have_found_nothing():
    pages = sorted(FIXTURES.glob("sites/**/*.html")) + sorted(FIXTURES.glob("pages/*.html"))
    skipped = 0
    for path in pages:
        tree = lxml.html.document_fromstring(path.read_bytes())
        if not may_name_author(tree):
            skipped += 1
            assert extract_author(tree) is None, path
    assert pages and skipped


def _dated(line: str, url: str = "https://example.test/news/ci_7911") -> str | None:
    tree = lxml.html.document_fromstring(
        "<html><head><title>Pilots agree to a contract</title></head><body>"
        f'<div class="articleDate">{line}</div><div class="articleBody"><p>'
        + "The pilots who guide ships into the harbor agreed to a contract. " * 8
        + "</p></div></body></html>"
    )
    return trafilatura_fallback(tree, url, PageMetadata()).date


@pytest.mark.parametrize(
    ("line", "day"),
    [
        # htmldate reads slashes day first; the project reads them month first.
        ("Article Last Updated: 01/09/2008 06:41:12 PM PST", "2008-01-09"),
        ("Published 1/8/2008 - 10:07 a.m.", "2008-01-08"),
        # Not ambiguous: the same in both readings.
        ("Article Last Updated: 01/19/2008 06:41:12 PM PST", "2008-01-19"),
        ("Posted 19/01/2008", "2008-01-19"),
        # Dots are day first in both readers; a two-digit year is left to htmldate.
        ("Published: 01.09.2008", "2008-09-01"),
        ("Posted 09/01/08 10:18", "2008-01-09"),
    ],
)
def test_the_fallback_date_reads_slashes_month_first(line, day):
    assert _dated(line) == day


def test_the_day_in_the_url_or_a_later_day_is_kept_as_htmldate_reads_it():
    assert _dated("Updated 01/09/2008", "https://example.test/2008/09/01/pilots/") == ("2008-09-01")
    tree = lxml.html.document_fromstring("<html><body><p>Updated 12/09/2026</p></body></html>")
    # Read month first, 12/09/2026 is after "today": htmldate's reading is kept.
    assert _month_first("2026-09-12", tree, "2026-12-07", None) == "2026-09-12"
    assert _month_first("2026-09-12", tree, "2026-12-31", None) == "2026-12-09"


def test_a_day_first_page_keeps_htmldate_s_reading():
    tree = lxml.html.document_fromstring(
        "<html><body><div class='date'>Publié le 01/09/2008</div><div><p>"
        + "Le port de Brest rouvre après deux semaines de travaux sur les quais. " * 8
        + "</p></div></body></html>"
    )
    fallback = trafilatura_fallback(tree, "https://example.test/x", PageMetadata(), day_first=True)
    assert fallback.date == "2008-09-01"
