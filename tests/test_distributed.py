"""Distributed mode: JSON requests, the addon, the shared frontier, and real multi-worker crawls."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings

from crawler.discovery.urls import article_id
from crawler.distributed import serializers
from crawler.distributed.addon import DistributedAddon, DistributedSetupError
from crawler.distributed.scheduler import DistributedScheduler, FrontierKeys, LeasedPriorityQueue
from crawler.items import DiscoveryHints
from crawler.spiders.news import NewsSpider
from fixtures.server import FixtureServer
from tests.crawlers import news_crawler
from tests.expected import load_expected, read_records
from tests.redis_server import RedisServer, redis_server
from tests.workers import common_settings, seed, start_worker

# --- JSON requests ------------------------------------------------------------------


def test_requests_round_trip_as_json_with_hints_bytes_and_tuples():
    spider = NewsSpider()
    hints = DiscoveryHints("feed", "http://a.test/feed.xml", "Title é", "2026-11-20", None)
    request = Request(
        "http://a.test/2026/11/20/story",
        callback=spider.parse_article,
        cb_kwargs={"site_name": "a", "hints": hints},
        meta={"news_role": "article", "redirect_urls": ["http://a.test/x"], "pair": (1, "b")},
        headers={"If-None-Match": '"abc"'},
        body=b"\x00\xff",
        priority=3,
    )
    data = serializers.dumps(request.to_dict(spider=spider))
    assert "pickle" not in data and data == serializers.dumps(request.to_dict(spider=spider))
    back = serializers.loads(data.encode())
    assert back["cb_kwargs"]["hints"] == hints
    assert back["callback"] == "parse_article"
    assert back["body"] == b"\x00\xff"
    assert back["meta"]["pair"] == (1, "b")
    assert back["headers"][b"If-None-Match"] == [b'"abc"']
    # A string-keyed dict that looks like a tag stays a dict.
    assert serializers.loads(serializers.dumps({"!bytes": "x"})) == {"!bytes": "x"}


def test_serializer_refuses_what_it_cannot_store_exactly():
    with pytest.raises(TypeError, match=r"object at \$\.meta\.x"):
        serializers.dumps({"meta": {"x": object()}})
    with pytest.raises(ValueError, match="not allowed"):
        serializers.loads(json.dumps({"url": "http://a.test/", "_class": "os.system"}))
    with pytest.raises(ValueError, match="no fields"):
        serializers.loads(json.dumps({"!DiscoveryHints": {"via": "feed", "evil": 1}}))


# --- the addon ----------------------------------------------------------------------


def _settings(**values: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_addon_leaves_a_local_crawl_alone():
    settings = _settings()
    DistributedAddon().update_settings(settings)
    assert settings.get("SCHEDULER") != "crawler.distributed.scheduler.DistributedScheduler"
    assert settings.get("NEWS_STATE_STORE") is None  # the schema's default, sqlite


def test_addon_sets_up_the_shared_frontier_and_store():
    settings = _settings(REDIS_URL="redis://127.0.0.1:1/0")
    DistributedAddon().update_settings(settings)
    assert settings.get("SCHEDULER") == "crawler.distributed.scheduler.DistributedScheduler"
    assert settings.get("DUPEFILTER_CLASS") == "crawler.distributed.scheduler.UrlIdentityDupeFilter"
    assert settings.get("SCHEDULER_SERIALIZER") == "crawler.distributed.serializers"
    assert settings.get("NEWS_STATE_STORE") == "redis"
    assert settings.get("NEWS_WORKER_TOKEN")


def test_addon_refuses_a_half_distributed_setup():
    with pytest.raises(DistributedSetupError, match="REDIS_URL"):
        DistributedAddon().update_settings(_settings(NEWS_DISTRIBUTED=True))
    settings = _settings(REDIS_URL="redis://127.0.0.1:1/0", NEWS_STATE_STORE="sqlite")
    with pytest.raises(DistributedSetupError, match="NEWS_STATE_STORE"):
        DistributedAddon().update_settings(settings)


# --- the shared frontier, without crawling --------------------------------------------


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def redis_url(redis_srv: RedisServer) -> str:
    redis_srv.client().flushall()
    return redis_srv.url


@pytest.fixture
def schedulers() -> Iterator[list[DistributedScheduler]]:
    opened: list[DistributedScheduler] = []
    yield opened
    for scheduler in opened:
        scheduler._heartbeat.stop()


def _scheduler(
    redis_url: str, worker: str, opened: list[DistributedScheduler], tmp_path: Path
) -> tuple[DistributedScheduler, NewsSpider]:
    crawler = news_crawler(
        tmp_path / worker,
        REDIS_URL=redis_url,
        NEWS_WORKER_ID=worker,
        NEWS_CLAIM_TTL=1,
        NEWS_IDLE_TIMEOUT=0,
    )
    spider = NewsSpider()
    scheduler = DistributedScheduler.from_crawler(crawler)
    scheduler.open(spider)
    opened.append(scheduler)
    return scheduler, spider


@pytest.mark.redis
def test_hubs_are_polled_every_time_and_articles_once(redis_url, schedulers, tmp_path):
    scheduler, spider = _scheduler(redis_url, "w1", schedulers, tmp_path)
    hub = Request("http://a.test/feed.xml", callback=spider.parse_feed, dont_filter=True)
    article = Request("http://a.test/2026/11/20/story?utm_source=x", callback=spider.parse_article)
    variant = Request("https://www.a.test/2026/11/20/story", callback=spider.parse_article)
    assert scheduler.enqueue_request(hub)
    assert scheduler.enqueue_request(article)
    assert not scheduler.enqueue_request(variant), "same URL identity: one fetch a round"
    popped = [scheduler.next_request(), scheduler.next_request()]
    assert {r.url for r in popped if r} == {hub.url, article.url}
    assert scheduler.enqueue_request(hub), "a hub is never in the seen-set"
    client = scheduler.server
    assert client.scard(scheduler.keys.seen) == 1  # the article only
    again = scheduler.next_request()
    assert again is not None and again.url == hub.url
    scheduler.queue.finish(requeue=False)


@pytest.mark.redis
def test_requests_of_a_dead_worker_are_taken_back(redis_url, schedulers, tmp_path):
    dead, spider = _scheduler(redis_url, "dead", schedulers, tmp_path)
    for n in range(3):
        dead.enqueue_request(Request(f"http://a.test/story-{n}", callback=spider.parse_article))
    assert [dead.next_request() is not None for _ in range(3)] == [True, True, True]
    dead._heartbeat.stop()  # SIGKILL: no more renewals, nothing released
    survivor, _ = _scheduler(redis_url, "survivor", schedulers, tmp_path)
    assert survivor.next_request() is None, "the lease has not lapsed yet"
    time.sleep(1.2)
    taken = [survivor.next_request() for _ in range(4)]
    assert sorted(r.url for r in taken if r) == [f"http://a.test/story-{n}" for n in range(3)]
    assert survivor.queue.reclaimed == 3
    keys = FrontierKeys("news", "news")
    assert not survivor.server.exists(keys.inflight(dead.token))
    # A worker stopped early puts back what it took; a finished one forgets it.
    assert survivor.queue.finish(requeue=True) == 3
    assert len(survivor.queue) == 3


@pytest.mark.redis
def test_unreadable_queue_entries_are_skipped(redis_url, schedulers, tmp_path):
    scheduler, spider = _scheduler(redis_url, "w1", schedulers, tmp_path)
    scheduler.server.zadd(scheduler.keys.queue, {'{"url": "x", "_class": "os.system"}': -5})
    scheduler.enqueue_request(Request("http://a.test/ok", callback=spider.parse_article))
    queue: LeasedPriorityQueue = scheduler.queue
    request = queue.pop()
    assert request is not None and request.url == "http://a.test/ok"


# --- real crawls: seed, then workers ------------------------------------------------


def _stories() -> tuple[set[str], dict[str, str]]:
    expected = load_expected()
    stories = {a.id for site in expected.values() for a in site.articles}
    original_of = {d.id: article_id(d.of) for site in expected.values() for d in site.duplicates}
    return stories, original_of


def _assert_every_story_once(run_dirs: list[Path]) -> list[str]:
    stories, original_of = _stories()
    ids = [record["id"] for run_dir in run_dirs for record in read_records(run_dir)]
    assert len(ids) == len(set(ids)), "an article was emitted twice"
    as_stories = [original_of.get(i, i) for i in ids]
    assert len(as_stories) == len(set(as_stories)), "a story was emitted twice"
    assert set(as_stories) == stories
    texts = [p for run_dir in run_dirs for p in (run_dir / "text").glob("*.txt")]
    assert len(texts) == len(ids)
    return ids


def _fetched_articles(run_dir: Path) -> int:
    stats = json.loads((run_dir / "manifest.json").read_text())["stats"]
    return sum(v for k, v in stats.items() if k.startswith("news/site/") and k.endswith("/fetched"))


@pytest.mark.redis
@pytest.mark.e2e
def test_two_workers_emit_every_article_once_and_share_the_pages(tmp_path, redis_url):
    common = common_settings(redis_url)
    with FixtureServer() as server:
        seed(server.proxy_url, common)
        workers = [
            start_worker(server.proxy_url, tmp_path / name, {**common, "NEWS_WORKER_ID": name})
            for name in ("w1", "w2")
        ]
        for worker in workers:
            _, stderr = worker.communicate(timeout=300)
            assert worker.returncode == 0, stderr[-2000:]
            assert "Warning" not in stderr, stderr[-2000:]
    run_dirs = [tmp_path / "w1", tmp_path / "w2"]
    _assert_every_story_once(run_dirs)
    shares = [_fetched_articles(d) for d in run_dirs]
    assert all(share > 0 for share in shares), shares
    for run_dir in run_dirs:
        log = (run_dir / "crawl.log").read_text()
        assert "Warning" not in log and "py.warnings" not in log, "a warning was logged"


def _slow_pages(handler: object, host: str, path: str) -> bool:
    # Article and section pages take a while: the kill lands mid-crawl.
    if not path.endswith((".xml", ".txt", ".json")) and path != "/":
        time.sleep(0.5)
    return False


@pytest.mark.redis
@pytest.mark.e2e
def test_sigkill_one_worker_the_survivor_takes_over(tmp_path, redis_srv, redis_url):
    # Short lease; the survivor waits longer than it; small batches, so the killed worker
    # dies with committed batches *and* claims it never committed.
    common = common_settings(
        redis_url, NEWS_CLAIM_TTL="2", NEWS_IDLE_TIMEOUT="6", NEWS_BATCH_SIZE="3"
    )
    client = redis_srv.client()
    with FixtureServer(responders=[_slow_pages]) as server:
        seed(server.proxy_url, common)
        victim = start_worker(server.proxy_url, tmp_path / "w1", {**common, "NEWS_WORKER_ID": "w1"})
        survivor = start_worker(
            server.proxy_url, tmp_path / "w2", {**common, "NEWS_WORKER_ID": "w2"}
        )
        deadline = time.monotonic() + 120
        claims: list[bytes] = []
        while time.monotonic() < deadline and victim.poll() is None:
            claims = [
                key
                for key in client.scan_iter("news:s:ca:*")
                if (client.hget(key, "o") or b"").startswith(b"w1@")
            ]
            # Mid-crawl: batches committed, and claims on stories not committed yet.
            if claims and read_records(tmp_path / "w1"):
                break
            time.sleep(0.05)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        assert claims, "the victim was not killed mid-crawl"
        _, stderr = survivor.communicate(timeout=300)
        assert survivor.returncode == 0, stderr[-2000:]
    _assert_every_story_once([tmp_path / "w1", tmp_path / "w2"])
    assert read_records(tmp_path / "w1"), "the victim had committed batches"
    log = (tmp_path / "w2" / "crawl.log").read_text()
    assert "Took back" in log
    assert not list((tmp_path / "w2").glob("**/.*.part"))
