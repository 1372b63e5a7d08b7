"""Across runs: a second crawl over unchanged sites emits nothing; edits come back as versions."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from crawler.discovery.registry import load_registry
from fixtures.harness import run_crawl
from fixtures.server import REGISTRY, FixtureServer
from pipelines.output.layout import MANIFEST_NAME
from tests import syndication
from tests.expected import (
    EXPECTED_DIR,
    load_expected,
    load_overlay_expected,
    read_records,
    squash,
)

pytestmark = pytest.mark.e2e

OVERLAYS = Path(__file__).resolve().parent.parent / "fixtures" / "overlays"


@pytest.mark.skipif(
    not (EXPECTED_DIR / "overlays" / "update.json").exists(), reason="update overlay not built"
)
def test_rerun_emits_nothing_then_only_new_and_edited(tmp_path):
    state = tmp_path / "state"
    with FixtureServer() as server:
        first = run_crawl(server.proxy_url, tmp_path / "run1", state_dir=state)
        assert first.returncode == 0, first.stderr[-2000:]
        requests_before = len(server.requests)
        second = run_crawl(server.proxy_url, tmp_path / "run2", state_dir=state)
        assert second.returncode == 0, second.stderr[-2000:]
        second_requests = server.requests[requests_before:]
    with FixtureServer(overlays=[OVERLAYS / "update"]) as server:
        third = run_crawl(server.proxy_url, tmp_path / "run3", state_dir=state)
        assert third.returncode == 0, third.stderr[-2000:]

    assert len(read_records(tmp_path / "run1")) >= 30
    assert read_records(tmp_path / "run2") == []
    article_urls = {a.url for site in load_expected().values() for a in site.articles}
    fetched = {line.split(" ", 1)[1] for line in second_requests}
    assert not fetched & article_urls, "run 2 downloaded article pages again"
    stats = json.loads((tmp_path / "run2" / MANIFEST_NAME).read_text())["stats"]
    feeds = sum(len(site.feeds) for site in load_registry(REGISTRY).values())
    assert stats["news/discovery/not_modified"] >= feeds
    emitted = {r["url"]: r for r in read_records(tmp_path / "run3")}
    expected = load_overlay_expected("update")
    assert sorted(emitted) == sorted(a.url for a in expected)
    for article in expected:
        record = emitted[article.url]
        assert record["version"] == article.version
        assert squash(record["headline"]) == squash(article.headline)
        for snippet in article.must_contain:
            assert squash(snippet) in squash(record["articleBody"])
        if article.version > 1:
            assert record["previousFingerprint"]


# --- a syndicated copy across runs --------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One article page of a small synthetic site, and its Atom feed (one entry)."""

    host: str
    name: str
    slug: str
    headline: str
    paragraphs: list[str]

    @property
    def url(self) -> str:
        return f"http://{self.host}/news/{self.slug}.html"

    def write(self, root: Path, updated: str) -> None:
        """The page and the feed announcing it as modified at ``updated``."""
        site = root / self.host
        (site / "news").mkdir(parents=True, exist_ok=True)
        published = "2026-11-20T08:00:00Z"
        metadata = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.headline,
            "datePublished": published,
            "dateModified": updated,
            "author": [{"@type": "Person", "name": "Dana Whitfield"}],
            "mainEntityOfPage": self.url,
        }
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)
        (site / "news" / f"{self.slug}.html").write_text(
            f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(self.headline)} | {self.name}</title>
<link rel="canonical" href="{self.url}">
<script type="application/ld+json">{json.dumps(metadata)}</script>
</head><body>
<header><a href="/">{self.name}</a> <nav><a href="/news/">News</a></nav></header>
<main><article>
<h1>{html.escape(self.headline)}</h1>
<p class="byline">By Dana Whitfield, <time datetime="{published}">November 20, 2026</time></p>
{body}
</article></main>
<footer><p>{self.name}, 12 Harbor Street</p></footer>
</body></html>
""",
            encoding="utf-8",
        )
        (site / "feed.atom").write_text(
            f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{self.name}</title>
  <id>http://{self.host}/feed.atom</id>
  <updated>{updated}</updated>
  <entry>
    <title>{html.escape(self.headline)}</title>
    <link rel="alternate" type="text/html" href="{self.url}"/>
    <id>{self.url}</id>
    <published>{published}</published>
    <updated>{updated}</updated>
  </entry>
</feed>
""",
            encoding="utf-8",
        )


def _registry(path: Path, pages: list[Page]) -> Path:
    tables = [
        f"[sites.{page.host.split('.')[0]}]\n"
        f'domains = ["{page.host}"]\n'
        f'feeds = ["http://{page.host}/feed.atom"]\n'
        "article_allow = ['/news/[a-z0-9-]+\\.html$']\n"
        'max_age_days = 3650\nlanguage = "en"\n'
        for page in pages
    ]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def test_a_syndicated_copy_edited_then_rewritten_across_runs(tmp_path):
    """Round 1: a wire story and a paper's copy of it, one record. Round 2: the copy is
    touched up, still a copy: nothing. Round 3: the copy is replaced by a story of the
    paper's own: exactly that one record.

    Which page of the pair comes out in round 1 depends on crawl order (as for the bundled
    fixture sites); the other one is the copy, and is the page that changes.
    """
    wire = Page(
        "regionalwire.test",
        "Regional Wire Service",
        "northfield-reservoir-vote",
        "Northfield water board votes to expand Cedar Hollow reservoir",
        syndication.WIRE_STORY,
    )
    paper = Page(
        "lakesidecourier.test",
        "Lakeside Courier",
        "cedar-hollow-lake-to-grow",
        "Cedar Hollow lake to grow after Northfield vote",
        syndication.SYNDICATED_COPY,
    )
    touched_up = {wire.host: syndication.CORRECTED_WIRE_STORY, paper.host: syndication.EDITED_COPY}
    registry = _registry(tmp_path / "registry.toml", [wire, paper])
    state = tmp_path / "state"
    rounds = [tmp_path / f"round{n}" for n in (1, 2, 3)]
    for page in (wire, paper):
        page.write(rounds[0], "2026-11-20T08:00:00Z")

    def crawl(number: int) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
        run_dir = tmp_path / f"run{number}"
        overlays = rounds[1:number][::-1]  # the latest round's files first
        with FixtureServer(sites_dir=rounds[0], overlays=overlays) as server:
            result = run_crawl(server.proxy_url, run_dir, registry=registry, state_dir=state)
            requests = list(server.requests)
        assert result.returncode == 0, result.stderr[-2000:]
        stats = json.loads((run_dir / MANIFEST_NAME).read_text())["stats"]
        return read_records(run_dir), stats, requests

    first, _, _ = crawl(1)
    assert len(first) == 1, [r["url"] for r in first]
    copy = paper if first[0]["url"] == wire.url else wire

    replace(copy, paragraphs=touched_up[copy.host]).write(rounds[1], "2026-11-21T09:30:00Z")
    second, stats, requests = crawl(2)
    assert f"GET {copy.url}" in requests, "the changed copy was not downloaded again"
    assert second == []
    assert stats.get("news/dedup/near_duplicate") == 1
    assert "news/dedup/revised" not in stats and "news/dedup/new" not in stats

    own = replace(
        copy,
        headline="Cedar Hollow campground to close for two summers",
        paragraphs=syndication.LOCAL_STORY,
    )
    own.write(rounds[2], "2026-11-22T07:15:00Z")
    third, stats, _ = crawl(3)
    assert [r["url"] for r in third] == [copy.url]
    record = third[0]
    assert (record["version"], record["previousFingerprint"], record["duplicateOf"]) == (
        1,
        None,
        None,
    )
    assert squash("the lakeside campground at Cedar Hollow will close") in squash(
        record["articleBody"]
    )
    assert stats.get("news/dedup/new") == 1
