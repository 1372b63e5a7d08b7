"""Expected records of the fixture sites, and the checks tests make against them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.discovery.urls import article_id
from pipelines.output.layout import feed_files

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
    version: int = 1
    flags: list[str] | None = None  # None: not checked
    section: str | None = None
    keywords: list[str] | None = None
    image_captions: list[str] | None = None  # the body's images' captions, in order

    @property
    def id(self) -> str:
        return article_id(self.url)


@dataclass(frozen=True)
class ExpectedDuplicate:
    url: str  # a variant that must not add a record of its own
    of: str  # the original's URL
    kind: str  # tracking, amp, print, syndicated, exact

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
    duplicates: list[ExpectedDuplicate] = field(default_factory=list)
    other_language: list[str] = field(default_factory=list)  # dropped by the language filter


def _article(data: dict[str, Any], site: str) -> ExpectedArticle:
    return ExpectedArticle(
        site=data.get("site", site),
        url=data["url"],
        headline=data["headline"],
        date_published=data["datePublished"],
        authors=data.get("authors", []),
        language=data.get("inLanguage"),
        must_contain=data.get("must_contain", []),
        must_not_contain=data.get("must_not_contain", []),
        version=data.get("version", 1),
        flags=data.get("flags"),
        section=data.get("articleSection"),
        keywords=data.get("keywords"),
        image_captions=data.get("image_captions"),
    )


def load_expected(directory: Path = EXPECTED_DIR) -> dict[str, ExpectedSite]:
    """The expected records of the sites of fixtures/registry.toml (``expected/*.json``), or
    of another registry's (``expected/intl/``)."""
    sites = {}
    for path in sorted(directory.glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        sites[data["site"]] = ExpectedSite(
            site=data["site"],
            articles=[_article(a, data["site"]) for a in data["articles"]],
            not_articles=data.get("not_articles", []),
            too_old=data.get("too_old", []),
            robots_blocked=data.get("robots_blocked", []),
            duplicates=[ExpectedDuplicate(**d) for d in data.get("duplicates", [])],
            other_language=data.get("other_language", []),
        )
    return sites


def load_overlay_expected(name: str) -> list[ExpectedArticle]:
    """Records a crawl must emit after the overlay ``name`` is served on top."""
    path = EXPECTED_DIR / "overlays" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [_article(a, "") for a in data["articles"]]


def same_date(expected: str, actual: str | None, fetched_at: str | None = None) -> bool:
    """Date-only expectations compare the day; full ones the instant (and zone if given).

    "-2h" is a relative date ("vor 2 Stunden"): two hours before ``fetched_at``, the minute.
    """
    if actual is None:
        return False
    if expected.startswith("-") and expected.endswith("h"):
        assert fetched_at, "a relative date needs the record's fetchedAt"
        want = datetime.fromisoformat(fetched_at) - timedelta(hours=int(expected[1:-1]))
        return abs(datetime.fromisoformat(actual) - want) < timedelta(minutes=1)
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


def read_records(run_dir: Path) -> list[dict[str, Any]]:
    """Every record of a run's JSON Lines batch files, in order."""
    records = []
    for feed in feed_files(run_dir):
        lines = feed.read_text(encoding="utf-8").splitlines()
        records += [json.loads(line) for line in lines if line.strip()]
    return records


def story_problems(records: list[dict[str, Any]]) -> list[str]:
    """Why ``records`` (of one or more runs together) are not each fixture story once."""
    ids = [r["id"] for r in records]
    problems = [f"emitted twice: {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    expected = load_expected()
    stories = {a.id for site in expected.values() for a in site.articles}
    original_of = {d.id: article_id(d.of) for site in expected.values() for d in site.duplicates}
    emitted = [original_of.get(i, i) for i in ids]
    problems += [
        f"story emitted twice (two variants): {s}"
        for s in {s for s in emitted if emitted.count(s) > 1}
    ]
    problems += [f"never emitted: {s}" for s in sorted(stories - set(emitted))]
    problems += [f"not a story: {s}" for s in sorted(set(emitted) - stories)]
    return problems


def markdown_paragraphs(markdown: str) -> list[str]:
    """The text of each block of a Markdown body, as CommonMark renders it (markdown-it-py):
    markup gone, escapes resolved, whitespace folded. Compared with articleBody's paragraphs."""
    from markdown_it import MarkdownIt

    blocks = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "inline":
            text = "".join(
                child.content if child.type in ("text", "code_inline") else " "
                for child in token.children or []
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            blocks.append(squash(text))
        elif token.type in ("fence", "code_block"):
            blocks.append(squash(token.content))
    return blocks


def body_paragraphs(body: str) -> list[str]:
    return [squash(p) for p in body.split("\n\n") if p.strip()]
