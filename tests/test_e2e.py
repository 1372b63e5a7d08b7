"""End to end: the real ``scrapy crawl news`` against the loopback fixture server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.discovery.urls import article_id
from fixtures.harness import PROJECT_ROOT, run_crawl
from fixtures.server import FixtureServer
from pipelines.output.layout import MANIFEST_NAME, TEXT_DIR_NAME
from tests.expected import (
    ExpectedArticle,
    body_paragraphs,
    chrome_found,
    load_expected,
    markdown_paragraphs,
    read_records,
    same_date,
    squash,
)

pytestmark = pytest.mark.e2e

TEXT_NAME = re.compile(r"^\d{3,}_([0-9a-f]{16})\.txt$")
REQUIRED_FIELDS = ("url", "headline", "articleBody", "datePublished", "id")


@dataclass
class Run:
    result: subprocess.CompletedProcess[str]
    run_dir: Path
    records: list[dict[str, Any]]
    texts: dict[str, Path]  # article id -> file
    manifest: dict[str, Any]
    requests: list[str]


def crawl(tmp_path: Path, sites: str | None = None) -> Run:
    run_dir = tmp_path / "run"
    with FixtureServer() as server:
        result = run_crawl(server.proxy_url, run_dir, sites=sites)
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr[-3000:]
    records = read_records(run_dir)
    texts = {}
    for path in (run_dir / TEXT_DIR_NAME).iterdir():
        match = TEXT_NAME.match(path.name)
        assert match, f"unexpected file {path.name}"
        texts[match.group(1)] = path
    manifest = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    return Run(result, run_dir, records, texts, manifest, requests)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return crawl(tmp_path_factory.mktemp("e2e"))


EXPECTED = load_expected()
ALL_ARTICLES = [a for site in EXPECTED.values() for a in site.articles]
ALL_DUPLICATES = [d for site in EXPECTED.values() for d in site.duplicates]
# Which page of a syndicated or exact-copy pair is emitted depends on crawl order.
ORDER_DEPENDENT = {d.of for d in ALL_DUPLICATES if d.kind in ("syndicated", "exact")}


def story_record(run: Run, article: ExpectedArticle) -> dict[str, Any] | None:
    """The record that stands for this article's story: its own, or a copy's where crawl
    order emitted the copy first."""
    copies = {d.id for d in ALL_DUPLICATES if d.of == article.url}
    return next((r for r in run.records if r["id"] in {article.id} | copies), None)


def duplicate_kind(record_id: str) -> str:
    return next(d.kind for d in ALL_DUPLICATES if d.id == record_id)


def test_run_finished_and_manifest_counts_outputs(full_run):
    assert full_run.manifest["finish_reason"] == "finished"
    feed_counts = {k: v for k, v in full_run.manifest["outputs"].items() if k.endswith(".jsonl")}
    assert sum(feed_counts.values()) == len(full_run.records)
    assert full_run.manifest["outputs"][f"{TEXT_DIR_NAME}/"] == len(full_run.texts)
    stats = full_run.manifest["stats"]
    assert stats.get("log_count/ERROR", 0) == 0, "errors in crawl log"


def test_every_record_is_complete_and_has_its_text_file(full_run):
    assert len(full_run.records) >= 30
    for record in full_run.records:
        for name in REQUIRED_FIELDS:
            assert record.get(name), f"{record.get('url')}: missing {name}"
        text = full_run.texts[record["id"]].read_text(encoding="utf-8")
        assert text == f"{squash(record['headline'])}\n\n{record['articleBody'].strip()}\n"
    assert len(full_run.texts) == len(full_run.records)


def test_each_expected_article_emitted_once(full_run):
    ids = [r["id"] for r in full_run.records]
    assert len(ids) == len(set(ids)), "an article was emitted twice"
    missing = [a.url for a in ALL_ARTICLES if a.id not in ids and a.url not in ORDER_DEPENDENT]
    assert not missing
    expected_ids = {a.id for a in ALL_ARTICLES} | {d.id for d in ALL_DUPLICATES}
    extra = [r["url"] for r in full_run.records if r["id"] not in expected_ids]
    assert not extra, f"records for pages that are not expected articles: {extra}"


@pytest.mark.parametrize(
    "duplicate", ALL_DUPLICATES, ids=lambda d: f"{d.kind}-{d.url.split('//')[1]}"
)
def test_each_story_emitted_once_whatever_its_variants(full_run, duplicate):
    group = {article_id(duplicate.of)} | {d.id for d in ALL_DUPLICATES if d.of == duplicate.of}
    records = [r for r in full_run.records if r["id"] in group]
    assert len(records) == 1, [r["url"] for r in records]
    stats = full_run.manifest["stats"]
    assert (
        sum(v for k, v in stats.items() if k.startswith("news/dedup/") and k != "news/dedup/new")
        >= 1
    )


@pytest.mark.parametrize("expected", ALL_ARTICLES, ids=lambda a: a.url.split("//")[1])
def test_record_matches_expected(full_run, expected):
    record = story_record(full_run, expected)
    assert record is not None
    if record["id"] == expected.id or duplicate_kind(record["id"]) == "exact":
        check_record(record, expected)
    else:
        # A syndicated copy has its own site, headline and page chrome around the same body.
        assert record["site"] != expected.site
        check_body(record, expected)
    text = full_run.texts[record["id"]].read_text(encoding="utf-8")
    assert text.startswith(squash(record["headline"]) + "\n\n")
    assert chrome_found(text) == []


def check_record(record: dict[str, Any], expected: ExpectedArticle) -> None:
    """The record's fields as expected: headline, date, site, language, flags, section,
    keywords, its images' captions, and its body."""
    assert squash(record["headline"]) == squash(expected.headline)
    date = record["datePublished"]
    assert same_date(expected.date_published, date, record["fetchedAt"]), date
    assert record["site"] == expected.site
    if expected.language:
        assert record["inLanguage"] == expected.language
    if expected.flags is not None:
        assert record["flags"] == expected.flags
    if expected.section is not None:
        assert record["articleSection"] == expected.section
    if expected.keywords is not None:
        assert record["keywords"] == expected.keywords
    if expected.image_captions is not None:
        assert [image["caption"] for image in record["images"]] == expected.image_captions
        for caption in expected.image_captions:
            assert squash(caption) not in squash(record["articleBody"]), "a caption in the text"
    check_body(record, expected)


def check_body(record: dict[str, Any], expected: ExpectedArticle) -> None:
    """The body's snippets and its Markdown as expected."""
    body = record["articleBody"]
    for snippet in expected.must_contain:
        assert squash(snippet) in squash(body), f"missing: {snippet!r}"
    for snippet in expected.must_not_contain:
        assert squash(snippet) not in squash(body), f"noise kept: {snippet!r}"
    assert markdown_paragraphs(record["articleBodyMarkdown"]) == body_paragraphs(body)


def test_short_briefs_and_galleries_are_emitted_flagged_short(full_run):
    short = [a for a in ALL_ARTICLES if a.flags and "short" in a.flags]
    assert len(short) >= 3  # two news briefs and a gallery post
    by_id = {r["id"]: r for r in full_run.records}
    for expected in short:
        record = by_id[expected.id]
        assert record["flags"] == ["short"] and 40 <= record["wordCount"] < 100
    others = [r for r in full_run.records if r["id"] not in {a.id for a in short}]
    assert all("short" not in r["flags"] for r in others)
    assert full_run.manifest["stats"]["news/clean/flag/short"] >= len(short)


def test_authors_right_for_at_least_95_percent(full_run):
    by_id = {r["id"]: r for r in full_run.records}
    present = [a for a in ALL_ARTICLES if a.id in by_id]
    names = {i: [author["name"] for author in r["authors"]] for i, r in by_id.items()}
    right = [a for a in present if names[a.id] == a.authors]
    wrong = {a.url: names[a.id] for a in present if a not in right}
    assert len(right) >= 0.95 * len(present), wrong


def test_skipped_pages_are_not_emitted_and_old_or_blocked_not_fetched(full_run):
    emitted = {r["url"] for r in full_run.records}
    fetched = {line.split(" ", 1)[1] for line in full_run.requests}
    for site in EXPECTED.values():
        for url in site.not_articles:
            assert url not in emitted
        for url in site.too_old + site.robots_blocked:
            assert url not in emitted
            assert url not in fetched, f"{url} should not have been downloaded"
    stats = full_run.manifest["stats"]
    assert stats.get("news/discovery/too_old", 0) >= len(EXPECTED)
    assert (
        sum(
            v
            for k, v in stats.items()
            if k.startswith("news/clean/") and "flag" not in k and k != "news/clean/extracted"
        )
        >= 1
    )


def test_one_site_can_be_chosen(tmp_path):
    name = sorted(EXPECTED)[0]
    run = crawl(tmp_path, sites=name)
    assert run.records
    assert {r["site"] for r in run.records} == {name}
    # Either page of an exact or syndicated pair may be the one emitted.
    original_of = {d.id: article_id(d.of) for d in EXPECTED[name].duplicates}
    emitted_stories = {original_of.get(r["id"], r["id"]) for r in run.records}
    assert emitted_stories == {a.id for a in EXPECTED[name].articles}


def scrapy(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_scrapy_list_shows_the_spider():
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    assert "news" in result.stdout.split()


@pytest.mark.parametrize(
    ("registry_text", "args", "expected"),
    [
        (
            "[sites.x]\ndomains = ['x.test']\nfeeds = ['http://x.test/f']\nmax_age_days = 'old'\n",
            [],
            "'max_age_days'",
        ),
        ("[sites.x\n", [], "not valid TOML"),
        (
            "[sites.x]\ndomains = ['x.test']\nfeeds = ['http://x.test/f']\n",
            ["-a", "site=nope"],
            "unknown site 'nope'",
        ),
        (
            "[sites.x]\ndomains = ['x.test']\nfeeds = ['http://x.test/f']\n",
            ["-a", "since=yesterday"],
            "since",
        ),
    ],
)
def test_bad_registry_or_argument_is_one_clear_line(tmp_path, registry_text, args, expected):
    registry = tmp_path / "bad.toml"
    registry.write_text(registry_text, encoding="utf-8")
    output = tmp_path / "out"
    result = scrapy(
        "crawl", "news", "-s", f"NEWS_REGISTRY={registry}", "-s", f"NEWS_OUTPUT_DIR={output}", *args
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
    assert not output.exists(), "a refused run must not create output"


@pytest.mark.parametrize("feed_args", ["-O", "-o", "FEEDS"])
def test_a_users_own_feed_never_replaces_the_run_directory(tmp_path, feed_args):
    mine = tmp_path / "mine.jsonl"
    if feed_args == "FEEDS":
        extra = ["-s", "FEEDS=" + json.dumps({str(mine): {"format": "jsonlines"}})]
    else:
        extra = [feed_args, str(mine)]
    run_dir = tmp_path / "run"
    with FixtureServer() as server:
        result = run_crawl(server.proxy_url, run_dir, extra_args=extra)
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_records(run_dir)
    assert len(records) >= 36
    assert len(list((run_dir / TEXT_DIR_NAME).glob("*.txt"))) == len(records)
    manifest = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["records"] == len(records) and manifest["health"]["ok"]
    theirs = [json.loads(line) for line in mine.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in theirs) == sorted(r["id"] for r in records)


def test_every_record_is_a_zyte_common_items_article(full_run):
    from zyte_common_items import Article as ZyteArticle

    for record in full_run.records:
        article = ZyteArticle.from_dict(record)
        assert article.url == record["url"] and article.headline == record["headline"]
        assert [a.name for a in article.authors or []] == [a["name"] for a in record["authors"]]
