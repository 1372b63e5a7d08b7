"""Crawl-delay, per-site delay floors and Retry-After, against a loopback site."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.middlewares.politeness import parse_retry_after
from fixtures.harness import run_crawl
from fixtures.server import FixtureServer

HOST = "slow.test"
ARTICLE = """<html><head><title>Story {n}</title>
<meta property="article:published_time" content="2026-11-20T10:00:00Z"></head>
<body><article><h1>Story {n}</h1>{paragraphs}</article></body></html>"""


def test_parse_retry_after():
    assert parse_retry_after("120") == 120
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(30)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def make_site(root: Path, robots: str) -> None:
    site = root / HOST
    (site / "news").mkdir(parents=True)
    (site / "robots.txt").write_text(robots)
    items = []
    for n in range(4):
        # Distinct texts: similar ones would be (rightly) dropped as near duplicates.
        rng = random.Random(n)
        paragraphs = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(30)) + ".</p>" for _ in range(10)
        )
        (site / "news" / f"{n}.html").write_text(ARTICLE.format(n=n, paragraphs=paragraphs))
        items.append({"url": f"http://{HOST}/news/{n}.html", "title": f"Story {n}"})
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Slow", "items": items}
    (site / "feed.json").write_text(json.dumps(feed))


def registry(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(
        f'[sites.slow]\ndomains = ["{HOST}"]\nfeeds = ["http://{HOST}/feed.json"]\n{extra}'
    )
    return path


_VOCABULARY = (
    "council mayor budget harbor ferry school river storm bridge market farmers vote road "
    "police museum festival library hospital teachers union court judge election grant "
    "water power wind solar port trade bank loan rent housing tenants park trail rail "
    "station airport runway cargo fishing fleet season coach stadium league title"
)
WORDS = _VOCABULARY.split()


def timed(server: FixtureServer, keep: str) -> list[float]:
    return [t for line, t in zip(server.requests, server.times, strict=True) if keep in line]


def article_times(server: FixtureServer) -> list[float]:
    return timed(server, "/news/")


@pytest.mark.e2e
def test_robots_crawl_delay_is_applied(tmp_path):
    make_site(tmp_path / "sites", "User-agent: *\nCrawl-delay: 1\n")
    with FixtureServer(tmp_path / "sites") as server:
        result = run_crawl(server.proxy_url, tmp_path / "run", registry=registry(tmp_path))
        times = article_times(server)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.9, gaps


@pytest.mark.e2e
def test_site_min_delay_is_a_floor(tmp_path):
    make_site(tmp_path / "sites", "User-agent: *\nDisallow:\n")
    with FixtureServer(tmp_path / "sites") as server:
        result = run_crawl(
            server.proxy_url, tmp_path / "run", registry=registry(tmp_path, "min_delay = 0.8\n")
        )
        times = article_times(server)
    assert result.returncode == 0, result.stderr[-2000:]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4 and min(gaps) >= 0.7, gaps


@pytest.mark.e2e
def test_retry_after_is_honoured(tmp_path):
    make_site(tmp_path / "sites", "User-agent: *\nDisallow:\n")
    with FixtureServer(tmp_path / "sites") as server:
        url = f"http://{HOST}/news/0.html"
        server.faults[url] = [(503, {"Retry-After": "2"})]
        result = run_crawl(server.proxy_url, tmp_path / "run", registry=registry(tmp_path))
        attempts = timed(server, url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(attempts) == 2, "retried once after the 503"
    assert attempts[1] - attempts[0] >= 1.9
    records = (tmp_path / "run").glob("articles-*.jsonl")
    assert sum(len(p.read_text().splitlines()) for p in records) == 4


@pytest.mark.e2e
def test_redirect_off_the_site_is_not_followed(tmp_path):
    make_site(tmp_path / "sites", "User-agent: *\nDisallow:\n")
    other = tmp_path / "sites" / "other.test"
    other.mkdir()
    (other / "page.html").write_text(ARTICLE.format(n=9, paragraphs="<p>elsewhere</p>" * 40))

    def redirect_away(handler, host, path):
        if host == HOST and path == "/news/1.html":
            handler.send_response(302)
            handler.send_header("Location", "http://other.test/page.html")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return True
        return False

    with FixtureServer(tmp_path / "sites", responders=[redirect_away]) as server:
        result = run_crawl(server.proxy_url, tmp_path / "run", registry=registry(tmp_path))
        fetched = list(server.requests)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not any("other.test" in line for line in fetched)
    stats = json.loads((tmp_path / "run" / "manifest.json").read_text())["stats"]
    assert stats["news/discovery/offsite_redirect"] == 1
