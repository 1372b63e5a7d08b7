"""RedisStore: the SQLite store's verdicts, plus claims that keep two workers from both emitting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from crawler.addon import news_addon
from crawler.config import ConfigError
from crawler.extensions.ledger import open_store
from pipelines.state.neardup import NearDupConfig, NearDupIndex
from pipelines.state.redis_store import RedisStore
from pipelines.state.store import Candidate, StoreError, UrlNote, Verdict
from tests.crawlers import news_crawler
from tests.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.redis

INDEX = NearDupIndex()


def _text(n: int, edit: str = "") -> str:
    words = [f"w{n}x{i}" for i in range(300)]
    return " ".join(words) + edit


def _candidate(aid: str, fingerprint: str, text: str | None = None) -> Candidate:
    signature = INDEX.signature(text) if text is not None else None
    return Candidate(
        aid * 16 if len(aid) == 1 else aid, f"https://a.test/{aid}", fingerprint, signature
    )


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


@pytest.fixture
def stores(server: RedisServer) -> Iterator[list[RedisStore]]:
    server.client().flushall()
    opened: list[RedisStore] = []
    yield opened
    for store in opened:
        store._heartbeat.stop()


def _store(
    server: RedisServer, opened: list[RedisStore], worker: str, ttl: float = 60.0
) -> RedisStore:
    store = RedisStore(
        server.client(),
        INDEX,
        prefix="news",
        worker=worker,
        token=f"{worker}@t:1:{worker}",
        ttl=ttl,
    )
    opened.append(store)
    return store


def _named(worker: str, token: str) -> dict[str, Any]:
    return {"prefix": "news", "worker": worker, "token": token, "ttl": 60.0}


def test_verdicts_match_the_sqlite_store(server, stores):
    store = _store(server, stores, "w1")
    first = _candidate("a", "f1", _text(1))
    assert store.register(first).verdict is Verdict.NEW
    assert store.register(first).verdict is Verdict.UNCHANGED
    dup = store.register(_candidate("b", "f1", _text(1)))
    assert (dup.verdict, dup.duplicate_of) == (Verdict.DUPLICATE_TEXT, "a" * 16)
    near = store.register(_candidate("c", "f3", _text(1, " one more line")))
    assert (near.verdict, near.duplicate_of) == (Verdict.NEAR_DUPLICATE, "a" * 16)
    assert near.similarity is not None and near.similarity > 0.9
    assert store.register(_candidate("d", "f4", _text(2))).verdict is Verdict.NEW
    revised = store.register(_candidate("a", "f5", _text(3)))
    assert (revised.verdict, revised.version, revised.previous_fingerprint) == (
        Verdict.REVISED,
        2,
        "f1",
    )
    # The revision replaced the old text in the near-duplicate index.
    assert store.register(_candidate("e", "f6", _text(3, " x"))).duplicate_of == "a" * 16
    assert store.register(_candidate("f", "f7", _text(1, " y"))).verdict is Verdict.NEW
    assert store.count() == 6
    # Without signatures (near-dup off) only ids and exact texts count.
    assert store.register(_candidate("g", "f8")).verdict is Verdict.NEW


def test_url_state_and_settled_pages(server, stores):
    store = _store(server, stores, "w1")
    assert store.url_state("k1") is None
    store.commit([], urls=[UrlNote("k1", "a" * 16, "2026-11-20"), UrlNote("k2", None)])
    state = store.url_state("k1")
    assert state is not None and state.article_id == "a" * 16
    assert state.modified_hint == "2026-11-20" and state.first_seen == state.last_seen
    store.commit([], urls=[UrlNote("k1", "a" * 16, None)])
    again, other = store.url_state("k1"), store.url_state("k2")
    assert again is not None and again.modified_hint == "2026-11-20"  # as SQLite's coalesce
    assert other is not None and other.article_id is None


def test_a_claim_makes_the_other_worker_see_a_duplicate(server, stores):
    one, two = _store(server, stores, "w1"), _store(server, stores, "w2")
    story = _candidate("a", "f1", _text(1))
    assert one.decide(story).verdict is Verdict.NEW  # claimed, not committed
    assert two.decide(_candidate("a", "f1", _text(1))).verdict is Verdict.UNCHANGED
    assert two.decide(_candidate("b", "f1", _text(1))).duplicate_of == "a" * 16
    near = two.decide(_candidate("c", "f2", _text(1, " edited")))
    assert (near.verdict, near.duplicate_of) == (Verdict.NEAR_DUPLICATE, "a" * 16)
    assert two.claim_conflicts == 3
    one.commit([(story, one.decide(story))])
    assert two.decide(_candidate("d", "f1", _text(1))).duplicate_of == "a" * 16
    assert not server.client().exists("news:s:ca:" + "a" * 16), "commit turns claims permanent"


def test_a_dead_workers_claims_lapse_and_the_story_is_emitted_by_another(server, stores):
    dead = _store(server, stores, "w1", ttl=1.0)
    live = _store(server, stores, "w2", ttl=1.0)
    story = _candidate("a", "f1", _text(1))
    assert dead.decide(story).verdict is Verdict.NEW
    dead._heartbeat.stop()  # SIGKILL: no renewals, no release
    time.sleep(0.5)
    assert live.decide(story).verdict is Verdict.UNCHANGED
    time.sleep(1.0)
    assert live.decide(story).verdict is Verdict.NEW
    # A live worker's claims outlast the TTL: its heartbeat renews them.
    other = _candidate("b", "f2", _text(2))
    assert live.decide(other).verdict is Verdict.NEW
    time.sleep(1.6)
    assert dead.decide(other).verdict is Verdict.UNCHANGED


def test_racing_workers_emit_each_story_once(server, stores):
    workers = [_store(server, stores, f"w{n}") for n in range(4)]
    stories = [(f"{n:016x}", f"fp{n}", _text(n)) for n in range(40)]
    # Variants: same text under another id, and near copies.
    variants = [(f"{n + 100:016x}", f"fp{n}", _text(n)) for n in range(0, 40, 3)]
    variants += [(f"{n + 200:016x}", f"fq{n}", _text(n, " tail")) for n in range(1, 40, 3)]
    emitted: list[str] = []
    lock = threading.Lock()

    def run(store: RedisStore, order: list[tuple[str, str, str]]) -> None:
        for aid, fingerprint, text in order:
            candidate = Candidate(aid, f"https://a.test/{aid}", fingerprint, INDEX.signature(text))
            registration = store.decide(candidate)
            if registration.verdict is Verdict.NEW:
                with lock:
                    emitted.append(aid)
            store.commit([(candidate, registration)])

    everything = stories + variants
    threads = [
        threading.Thread(target=run, args=(store, everything[n::1] if n % 2 else everything[::-1]))
        for n, store in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(emitted) == len(set(emitted))
    story_of = {aid: int(aid, 16) % 100 for aid, _, _ in everything}
    assert sorted(story_of[aid] for aid in emitted) == list(range(40))


class _CountingConnection(redis.Connection):
    sent = 0

    def send_packed_command(self, command: object, check_health: bool = True) -> None:
        type(self).sent += 1
        super().send_packed_command(command, check_health)


def test_one_round_trip_to_decide_and_one_to_commit(server, stores):
    pool = redis.ConnectionPool(
        connection_class=_CountingConnection, host="127.0.0.1", port=server.port
    )
    store = _store(server, stores, "w1")
    store.client = redis.Redis(connection_pool=pool)
    store._decide = store.client.register_script(store._decide.script)
    store._commit = store.client.register_script(store._commit.script)
    store._decide(args=[store.keys, store.token, 1000, "x", "y", b"", 0])  # loads the script
    store._commit(args=[store.keys, store.token, json.dumps({"now": "", "d": [], "u": []})])
    _CountingConnection.sent = 0
    batch = []
    for n in range(10):
        candidate = _candidate(f"{n:016x}", f"f{n}", _text(n))
        batch.append((candidate, store.decide(candidate)))
    assert _CountingConnection.sent == 10
    store.commit(batch, files=[("/tmp/a.part", "/tmp/a")])
    assert _CountingConnection.sent == 11


def test_batches_belong_to_their_worker_and_dead_ones_are_adopted(server, stores):
    one = _store(server, stores, "host-a")
    one.commit([], files=[("/o/.a.part", "/o/a")])
    assert one.unfinished_batches() == [(1, [("/o/.a.part", "/o/a")])]
    sibling = RedisStore(server.client(), INDEX, **_named("host-a", "host-a@t:2:sib"))
    stores.append(sibling)
    assert sibling.unfinished_batches() == [], "a live worker's batch is not ours to finish"
    one._heartbeat.stop()
    server.client().delete(one._lease)  # its lease lapsed: dead
    restarted = RedisStore(server.client(), INDEX, **_named("host-a", "host-a@t:3:new"))
    stores.append(restarted)
    assert restarted.unfinished_batches() == [(1, [("/o/.a.part", "/o/a")])]
    restarted.finish_batch(1)
    assert restarted.unfinished_batches() == []


def test_a_store_built_with_other_near_dup_parameters_is_refused(server, stores):
    _store(server, stores, "w1")
    other = NearDupIndex(NearDupConfig(num_perm=64, bands=16, rows=4, threshold=0.8))
    with pytest.raises(StoreError, match="NEWS_STATE_RESET"):
        RedisStore(server.client(), other, **_named("w2", "w2@t:1:x"))


def _open(tmp_path, **settings: Any):
    crawler = news_crawler(tmp_path, **settings)
    return open_store(news_addon(crawler).config, INDEX, crawler)


def test_open_store_redis_kind(server, stores, tmp_path):
    with pytest.raises(ConfigError, match="REDIS_URL"):
        _open(tmp_path, NEWS_STATE_STORE="redis")
    store = _open(tmp_path, NEWS_STATE_STORE="redis", REDIS_URL=server.url)
    assert isinstance(store, RedisStore)
    stores.append(store)
    store.register(_candidate("a", "f1", _text(1)))
    reset = _open(tmp_path, NEWS_STATE_STORE="redis", REDIS_URL=server.url, NEWS_STATE_RESET=True)
    assert isinstance(reset, RedisStore)
    stores.append(reset)
    assert reset.count() == 0
    assert reset.decide(_candidate("a", "f1", _text(1))).verdict is Verdict.NEW
    reset.close()


def test_a_redis_failure_at_close_is_a_store_error(server, stores):
    # Callers (the ledger extension) catch StoreError only: they never import redis.
    store = _store(server, stores, "w1")

    def lost() -> None:
        raise redis.ConnectionError("Connection closed by server.")

    store.client.close = lost  # type: ignore[method-assign]
    with pytest.raises(StoreError, match="lost the connection to Redis"):
        store.close()
