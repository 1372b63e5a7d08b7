"""Re-cleaning archived pages: the crawl's archive, CC-NEWS files, damaged files."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.discovery.registry import load_registry
from fixtures.harness import run_crawl, run_reprocess
from fixtures.server import REGISTRY, FixtureServer
from pipelines.archive.reader import Capture, scan
from pipelines.output.layout import MANIFEST_NAME
from tests.expected import load_expected, read_records, story_problems
from tests.warcs import (
    cc_news_file,
    fixture_file,
    record,
    response,
    warcinfo,
    write_members,
)

pytestmark = pytest.mark.e2e

OVERLAYS = Path(__file__).resolve().parent.parent / "fixtures" / "overlays"
# A site without copies of its stories under other ids: a copy whose text changed is
# judged by its id before its text by the state stores (see the report of issue #19).
CHANGED_SITE = "meridian-times"


def manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))


def news_stats(run_dir: Path) -> dict[str, int]:
    stats = manifest(run_dir)["stats"]
    return {k: v for k, v in stats.items() if k.startswith("news/")}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of the fixture sites, archived: its run directory (state in ``state/``)."""
    run_dir = tmp_path_factory.mktemp("crawl") / "run"
    with FixtureServer() as server:
        result = run_crawl(server.proxy_url, run_dir, settings={"NEWS_BATCH_SIZE": "7"})
    assert result.returncode == 0, result.stderr[-2000:]
    return run_dir


def state_copy(crawled: Path, tmp_path: Path) -> Path:
    state = tmp_path / "state"
    shutil.copytree(crawled / "state", state, ignore=shutil.ignore_patterns("*.lock"))
    return state


def changed_registry(tmp_path: Path) -> Path:
    """The fixture registry with one site's cleaning changed: its texts come out changed."""
    path = tmp_path / "changed.toml"
    path.write_text(
        REGISTRY.read_text(encoding="utf-8")
        + f'\n[sites.{CHANGED_SITE}.cleaning]\ndrop_phrases = [" the "]\n',
        encoding="utf-8",
    )
    return path


def test_every_record_names_the_warc_record_holding_its_response(crawled):
    records = read_records(crawled)
    assert not story_problems(records)
    captures = {
        item.record_id: item
        for path in (crawled / "warc").glob("*.warc.gz")
        for item in scan(path, 10**8)
        if isinstance(item, Capture)
    }
    for record_ in records:
        assert (crawled / record_["warcFile"]).is_file()
        capture = captures[record_["warcRecordId"]]
        assert capture.path.name == Path(record_["warcFile"]).name
        assert capture.url == record_["url"] and capture.status == 200
        assert capture.site == record_["site"]
    assert manifest(crawled)["outputs"]["warc/"] >= 1


def test_hub_responses_are_archived_only_when_the_setting_asks(crawled, tmp_path):
    stats = news_stats(crawled)
    assert stats["news/warc/archived/article"] > 0 and "news/warc/archived/hub" not in stats
    run_dir = tmp_path / "hubs"
    with FixtureServer() as server:
        result = run_crawl(
            server.proxy_url, run_dir, sites="harbor-herald", settings={"NEWS_WARC_HUBS": "True"}
        )
    assert result.returncode == 0, result.stderr[-2000:]
    stats = news_stats(run_dir)
    assert stats["news/warc/archived/hub"] > 0 and stats["news/warc/archived/article"] > 0
    archived = [
        capture.url
        for path in (run_dir / "warc").glob("*.warc.gz")
        for capture in scan(path, 2**24)
        if isinstance(capture, Capture)
    ]
    assert {"http://harborherald.test/feed.xml", "http://harborherald.test/"} <= set(archived)
    assert len(archived) == stats["news/warc/archived/hub"] + stats["news/warc/archived/article"]


def test_an_unchanged_archive_emits_nothing(crawled, tmp_path):
    state = state_copy(crawled, tmp_path)
    run_dir = tmp_path / "again"
    result = run_reprocess([crawled / "warc"], run_dir, state_dir=state)
    assert result.returncode == 0, result.stderr[-2000:]
    assert read_records(run_dir) == []
    stats = news_stats(run_dir)
    assert stats["news/reprocess/pages"] == stats["news/warc/records/response"]
    assert stats["news/dedup/unchanged"] >= len(read_records(crawled))
    assert manifest(run_dir)["health"]["ok"]


def test_each_record_has_its_debug_line_at_debug_level_only(crawled, tmp_path):
    # The log formatter builds Scrapy's per-item DEBUG line only when LOG_LEVEL shows it.
    debug = tmp_path / "debug"
    settings = {"LOG_LEVEL": "DEBUG"}
    result = run_reprocess([crawled / "warc"], debug, state_dir=tmp_path / "s1", settings=settings)
    assert result.returncode == 0, result.stderr[-2000:]
    log = (debug / "crawl.log").read_text(encoding="utf-8")
    assert log.count("Scraped from ") == len(read_records(debug)) > 0
    assert "'LOG_FORMATTER': 'crawler.logformatter.NewsLogFormatter'" in log


def test_changed_texts_come_out_once_as_new_versions(crawled, tmp_path):
    state = state_copy(crawled, tmp_path)
    registry = changed_registry(tmp_path)
    before = {r["id"]: r for r in read_records(crawled)}
    first, second = tmp_path / "first", tmp_path / "second"
    for run_dir in (first, second):
        result = run_reprocess([crawled / "warc"], run_dir, state_dir=state, registry=registry)
        assert result.returncode == 0, result.stderr[-2000:]
    revised = read_records(first)
    assert revised and {r["site"] for r in revised} == {CHANGED_SITE}
    assert len(revised) == sum(1 for r in before.values() if r["site"] == CHANGED_SITE)
    for record_ in revised:
        old = before[record_["id"]]
        assert record_["version"] == 2
        assert record_["previousFingerprint"] == old["fingerprint"] != record_["fingerprint"]
        assert record_["headline"] == old["headline"]
        # When the page was fetched: the capture's WARC-Date (the crawl's clock ran on).
        fetched = [datetime.fromisoformat(r["fetchedAt"]) for r in (record_, old)]
        assert abs((fetched[1] - fetched[0]).total_seconds()) <= 2
        assert record_["warcRecordId"] == old["warcRecordId"]
        assert Path(record_["warcFile"]).name == Path(old["warcFile"]).name
    assert read_records(second) == [], "a second re-cleaning finds nothing new"


def test_the_newest_capture_of_a_url_wins(tmp_path):
    """Archives of a crawl and of a later one that saw edited pages, re-cleaned together:
    the edited pages are re-cleaned from their later capture only, so nothing changed."""
    state = tmp_path / "state"
    with FixtureServer() as server:
        assert run_crawl(server.proxy_url, tmp_path / "run1", state_dir=state).returncode == 0
    with FixtureServer(overlays=[OVERLAYS / "update"]) as server:
        assert run_crawl(server.proxy_url, tmp_path / "run3", state_dir=state).returncode == 0
    assert read_records(tmp_path / "run3"), "the overlay edits pages"
    result = run_reprocess(
        [tmp_path / "run1" / "warc", tmp_path / "run3" / "warc"], tmp_path / "re", state_dir=state
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert read_records(tmp_path / "re") == []
    assert news_stats(tmp_path / "re")["news/reprocess/superseded"] >= 1


def test_a_cc_news_file_is_filtered_and_emits_each_story_once(tmp_path):
    warc = tmp_path / "CC-NEWS-20261120100000-00000.warc.gz"
    counts = cc_news_file(warc)
    run_dir = tmp_path / "cc"
    result = run_reprocess([warc], run_dir, state_dir=tmp_path / "state")
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_records(run_dir)
    assert not story_problems(records)
    assert {r["site"] for r in records} == set(load_registry(REGISTRY))
    assert all(r["warcFile"] == str(warc.resolve()) for r in records)
    assert all(r["discoveredVia"] == "archive" for r in records)
    stats = news_stats(run_dir)
    assert stats["news/reprocess/not_html"] == counts["not_html"]
    assert stats["news/reprocess/not_ok"] == counts["not_ok"]
    assert stats["news/reprocess/other_host"] == counts["other_host"]
    assert stats["news/reprocess/pages"] == counts["article"]
    # Again, with every host and a date window: only the new host's pages are new.
    again = tmp_path / "all-hosts"
    result = run_reprocess(
        [warc],
        again,
        state_dir=tmp_path / "state",
        arguments={"all_hosts": "1", "since": "2026-11-20", "until": "2026-11-21T23:59:59Z"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert {r["site"] for r in read_records(again)} == {"elsewhere.test"}
    assert news_stats(again)["news/reprocess/out_of_window"] > 0


def test_damaged_files_are_counted_by_reason_and_the_rest_re_cleaned(tmp_path):
    story = load_expected()[CHANGED_SITE].articles[0]
    page = response(story.url, fixture_file(story.url).read_bytes())
    other = response("http://harborherald.test/2026/11/01/other/")
    members = [gzip.compress(m) for m in (warcinfo(), page, other)]
    damaged = tmp_path / "warcs"
    damaged.mkdir()
    (damaged / "cut.warc.gz").write_bytes(b"".join(members)[:-40])
    liar = record("http://harborherald.test/liar/", b"HTTP/1.1 200 OK\r\n\r\n<html>", length=900)
    write_members(damaged / "liar.warc.gz", [warcinfo(), liar])
    write_members(damaged / "dns.warc.gz", [record("dns:harborherald.test", b"192.0.2.1")])
    latin = response(
        "http://harborherald.test/latin/",
        "<html><body><p>Café déjà vu</p></body></html>".encode("cp1252"),
        content_type="text/html",
    )
    write_members(damaged / "latin.warc.gz", [latin])
    (damaged / "junk.warc").write_bytes(b"\x00not a warc at all\n" * 100)
    run_dir = tmp_path / "run"
    result = run_reprocess([damaged], run_dir, state_dir=tmp_path / "state")
    assert result.returncode == 0, result.stderr[-2000:]
    log = (run_dir / "crawl.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    stats = news_stats(run_dir)
    assert stats["news/warc/truncated"] == 1
    assert stats["news/warc/bad_length"] == 1
    assert stats["news/warc/not_http"] == 1
    assert stats["news/warc/bad_record"] == 1
    assert stats["news/warc/not_utf8"] == 1
    assert log.count("WARC record skipped") == 4
    assert [r["url"] for r in read_records(run_dir)] == [story.url]


def test_bad_arguments_stop_before_anything(tmp_path):
    for paths, arguments, message in (
        ([tmp_path / "nowhere"], {}, "no such file or directory"),
        ([tmp_path], {}, "no WARC files"),
        ([REGISTRY], {"all_hosts": "maybe"}, "-a all_hosts='maybe'"),
        ([REGISTRY], {"colour": "red"}, "unknown argument -a colour="),
    ):
        result = run_reprocess(
            paths, tmp_path / "run", state_dir=tmp_path / "state", arguments=arguments
        )
        assert result.returncode == 2, result.stderr[-2000:]
        assert result.stderr.startswith("error: ") and message in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "state").exists()


def test_a_failed_commit_stops_the_re_cleaning_and_the_next_run_emits_it(crawled, tmp_path):
    state = state_copy(crawled, tmp_path)
    registry = changed_registry(tmp_path)
    holder = sqlite3.connect(state / "state.sqlite3", isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")  # another program writes and does not let go
    try:
        failed = run_reprocess(
            [crawled / "warc"],
            tmp_path / "locked",
            state_dir=state,
            registry=registry,
            settings={"NEWS_STATE_TIMEOUT": "1", "NEWS_BATCH_SIZE": "2"},
            timeout=120,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert failed.returncode == 1, failed.stderr[-2000:]
    log = (tmp_path / "locked" / "crawl.log").read_text(encoding="utf-8")
    assert "stayed locked" in log and "Traceback" not in log
    assert read_records(tmp_path / "locked") == []
    rest = tmp_path / "rest"
    result = run_reprocess([crawled / "warc"], rest, state_dir=state, registry=registry)
    assert result.returncode == 0, result.stderr[-2000:]
    changed = [r for r in read_records(crawled) if r["site"] == CHANGED_SITE]
    assert sorted(r["id"] for r in read_records(rest)) == sorted(r["id"] for r in changed)
