"""Per-site extraction rules ([sites.<name>.extract]) on a page generic cleaning gets wrong.

fixtures/pages/site_rules.html is an old newspaper CMS: its <h1> is the masthead, the
author meta tag names the newsroom, the byline says "Story:", the only machine-readable
date is in a data attribute, and a column of readers' letters sits beside the story. The
generic path gets every one of those fields wrong or leaves it empty; the rules fix each.
"""

from pathlib import Path

import pytest

from crawler.discovery.registry import load_registry
from pipelines.cleaning.clean import clean_html

PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "site_rules.html"
URL = "https://lakesidecourier.example/news/ferry-fares-frozen"
RULES = """
[sites.courier]
domains = ["lakesidecourier.example"]
start_urls = ["https://lakesidecourier.example/"]

[sites.courier.extract]
body = "css:div.copy"
headline = "css:.story-title"
date = "xpath://span[@class='stamp']/@data-ts"
authors = ["css:.byline a", "css:.credit-line a"]
"""
LETTER = "I have taken the ferry to the mainland every weekday for eleven years"
STORY = [
    "Passengers on the north shore ferry will pay the same fares next year",
    "A single crossing will stay at $4.50 for adults",
    "The board will review fares again next autumn",
]


@pytest.fixture
def rules(tmp_path):
    registry = tmp_path / "sites.toml"
    registry.write_text(RULES, encoding="utf-8")
    return load_registry(registry)["courier"].cleaning


def test_generic_cleaning_gets_this_page_wrong():
    article = clean_html(PAGE.read_bytes(), URL)
    assert article is not None
    assert article.headline == "The Lakeside Courier"  # the masthead
    # The author meta tag names the newsroom, which is not a person: no author at all.
    assert article.authors == []
    assert article.datePublished == "2026-10-02"  # the readers' letters' date
    assert LETTER in article.articleBody


def test_the_sites_rules_fix_every_field(rules):
    article = clean_html(PAGE.read_bytes(), URL, rules=rules)
    assert article is not None
    assert article.headline == "Ferry fares frozen for another year"
    # The first authors rule matches nothing on this page; the second one is used.
    assert [a.name for a in article.authors] == ["Mara Lind"]
    assert article.datePublished == "2026-11-19T07:45:00-06:00"
    body = article.articleBody
    assert all(sentence in body for sentence in STORY)
    assert LETTER not in body and "From our readers" not in body
    assert "Story: Mara Lind" not in body and "Thu 19/11" not in body
    assert article.flags == []


def test_a_rule_that_matches_nothing_leaves_the_field_to_generic_cleaning(tmp_path):
    registry = tmp_path / "sites.toml"
    registry.write_text(
        RULES.replace("css:div.copy", "css:div.no-such-class").replace(
            "css:.story-title", "xpath://h2[@id='none']"
        ),
        encoding="utf-8",
    )
    article = clean_html(PAGE.read_bytes(), URL, rules=load_registry(registry)["courier"].cleaning)
    assert article is not None
    assert article.headline == "The Lakeside Courier"
    assert all(sentence in article.articleBody for sentence in STORY)
