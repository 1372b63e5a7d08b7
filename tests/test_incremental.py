"""Across runs: a second crawl over unchanged sites emits nothing; edits come back as versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.discovery.registry import load_registry
from fixtures.harness import run_crawl
from fixtures.server import REGISTRY, FixtureServer
from pipelines.output.layout import MANIFEST_NAME
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
