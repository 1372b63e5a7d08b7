"""Expected records of the fixture sites, and the checks tests make against them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.urls import article_id

EXPECTED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "expected"

# Chrome that the samples in shared/samples still carry; no record of ours may.
CHROME_PHRASES = [
    "Skip to content",
    "Share this article",
    "You may also like",
    "Most popular",
    "Advertisement",
    "All rights reserved",
    "We use cookies",
    "Sign up for our newsletter",
    "Leave a Reply",
]
IMAGE_FILE_NAME = re.compile(r"\b[\w-]+\.(?:jpe?g|png|gif|webp)\b", re.IGNORECASE)


@dataclass
class ExpectedArticle:
    site: str
    url: str
    headline: str
    date_published: str
    authors: list[str]
    language: str | None
    must_contain: list[str]
    must_not_contain: list[str]

    @property
    def id(self) -> str:
        return article_id(self.url)


@dataclass
class ExpectedSite:
    site: str
    articles: list[ExpectedArticle]
    not_articles: list[str] = field(default_factory=list)
    too_old: list[str] = field(default_factory=list)
    robots_blocked: list[str] = field(default_factory=list)


def load_expected() -> dict[str, ExpectedSite]:
    sites = {}
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        articles = [
            ExpectedArticle(
                site=data["site"],
                url=a["url"],
                headline=a["headline"],
                date_published=a["datePublished"],
                authors=a.get("authors", []),
                language=a.get("inLanguage"),
                must_contain=a.get("must_contain", []),
                must_not_contain=a.get("must_not_contain", []),
            )
            for a in data["articles"]
        ]
        sites[data["site"]] = ExpectedSite(
            site=data["site"],
            articles=articles,
            not_articles=data.get("not_articles", []),
            too_old=data.get("too_old", []),
            robots_blocked=data.get("robots_blocked", []),
        )
    return sites


def same_date(expected: str, actual: str | None) -> bool:
    """Date-only expectations compare the day; full ones the instant (and zone if given)."""
    if actual is None:
        return False
    if len(expected) == 10:
        return actual[:10] == expected
    want, got = datetime.fromisoformat(expected), datetime.fromisoformat(actual)
    if want.tzinfo is None or got.tzinfo is None:
        return want.replace(tzinfo=None) == got.replace(tzinfo=None)
    return want == got


def chrome_found(text: str) -> list[str]:
    """Chrome lines in a text: lines that are (little more than) a chrome phrase.

    Real sentences may contain the words ("the school's most popular program"),
    so a phrase counts only where it starts a line or makes up most of it.
    """
    found = []
    for line in text.splitlines():
        folded = line.strip().casefold()
        for phrase in CHROME_PHRASES:
            key = phrase.casefold()
            if folded.startswith(key) or (key in folded and len(folded) < len(key) + 40):
                found.append(line.strip())
        found += IMAGE_FILE_NAME.findall(line)
    return found


def squash(text: str) -> str:
    return " ".join(text.split())
