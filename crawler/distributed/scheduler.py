"""The shared frontier on scrapy-redis: a leased queue, a URL-identity seen-set, a scheduler.

See :mod:`crawler.distributed` for how the parts fit together.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Self

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.addon import news_addon
from crawler.config import ConfigError, NewsConfig
from crawler.discovery.urls import url_identity_key
from crawler.distributed import serializers
from crawler.distributed.connection import redis_client, worker_id
from pipelines.state.store import StoreError
from pipelines.state.workers import Heartbeat, lease_key, new_worker_token

logger = logging.getLogger(__name__)

SERIALIZER = "crawler.distributed.serializers"
# The engine asks an idle scheduler for work only on its 5-second heartbeat. While the
# engine is idle (nothing downloading, nothing in the pipelines) next_request keeps
# polling Redis for up to this long, so new work starts within a poll interval instead of
# up to 5 s later. The reactor is blocked meanwhile, but it has nothing to do; signals and
# timers are handled at most this late.
_IDLE_BLOCK = 4.0
_IDLE_POLL = 0.05

# ARGV: token, lease key prefix, in-flight key prefix, 1 to look for dead workers.
# Returns {request or '', requests taken back from dead workers}.
_POP = """
local reclaimed = 0
if ARGV[4] == '1' or redis.call('ZCARD', KEYS[1]) == 0 then
  for _, owner in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    if owner ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. owner) == 0 then
      local key = ARGV[3] .. owner
      local count = redis.call('ZCARD', key)
      if count > 0 then
        reclaimed = reclaimed + count
        redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], key, 'AGGREGATE', 'MIN')
        redis.call('DEL', key)
      end
      redis.call('SREM', KEYS[3], owner)
    end
  end
end
local item = redis.call('ZPOPMIN', KEYS[1])
if #item == 0 then return {'', reclaimed} end
redis.call('ZADD', KEYS[2], item[2], item[1])
redis.call('SADD', KEYS[3], ARGV[1])
return {item[1], reclaimed}
"""

# Puts a worker's in-flight requests back in the queue (keeping the higher priority).
_REQUEUE = """
local count = redis.call('ZCARD', KEYS[2])
if count > 0 then
  redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], KEYS[2], 'AGGREGATE', 'MIN')
  redis.call('DEL', KEYS[2])
end
redis.call('SREM', KEYS[3], ARGV[1])
return count
"""


@dataclass(frozen=True)
class FrontierKeys:
    """Redis keys of the shared frontier, all under ``NEWS_REDIS_PREFIX``."""

    prefix: str
    spider: str

    @classmethod
    def from_config(cls, config: NewsConfig, spider: str) -> Self:
        return cls(config.redis_prefix, spider)

    @property
    def queue(self) -> str:
        return f"{self.prefix}:{self.spider}:requests"

    @property
    def seen(self) -> str:
        return f"{self.prefix}:{self.spider}:seen"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:{self.spider}:workers"

    @property
    def inflight_prefix(self) -> str:
        return f"{self.prefix}:{self.spider}:inflight:"

    def inflight(self, token: str) -> str:
        return self.inflight_prefix + token

    @property
    def lease_prefix(self) -> str:
        return lease_key(self.prefix, "")


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pops are remembered until the worker ends."""

    def __init__(
        self,
        server: redis.Redis,
        spider: Spider,
        keys: FrontierKeys,
        token: str,
        serializer: ModuleType = serializers,
        reclaim_every: float = 30.0,
    ) -> None:
        super().__init__(server, spider, keys.queue, serializer)
        self.keys = keys
        self.token = token
        self.reclaim_every = reclaim_every
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._last_reclaim = 0.0
        self.reclaimed = 0

    def pop(self, timeout: float = 0) -> Request | None:
        while True:
            now = time.monotonic()
            look = now - self._last_reclaim >= self.reclaim_every
            if look:
                self._last_reclaim = now
            data, reclaimed = self._pop(
                keys=[self.key, self.keys.inflight(self.token), self.keys.workers],
                args=[self.token, self.keys.lease_prefix, self.keys.inflight_prefix, int(look)],
            )
            if reclaimed:
                self.reclaimed += int(reclaimed)
                logger.warning(
                    "Took back %d requests of workers whose lease lapsed", int(reclaimed)
                )
            if not data:
                return None
            try:
                request: Request = self._decode_request(data)
            except (ValueError, TypeError) as exc:
                # Not ours to crash on: log it and take the next one.
                logger.error("Dropped an unreadable request from %s: %s", self.key, exc)
                continue
            return request

    def finish(self, requeue: bool) -> int:
        """This worker ends: forget its in-flight requests, or put them back in the queue."""
        inflight = self.keys.inflight(self.token)
        if requeue:
            return int(
                self._requeue(keys=[self.key, inflight, self.keys.workers], args=[self.token])
            )
        pipe = self.server.pipeline()
        pipe.zcard(inflight).delete(inflight).srem(self.keys.workers, self.token)
        count, _, _ = pipe.execute()
        return int(count)


class UrlIdentityDupeFilter(RFPDupeFilter):
    """scrapy-redis' shared seen-set, keyed by our URL identity (as the spider is per run).

    scrapy-redis computes its own fingerprint (ignoring ``REQUEST_FINGERPRINTER_CLASS``)
    from the canonical URL: tracking parameters, AMP and ``www.`` variants of one article
    would each be fetched once per worker.
    """

    def request_fingerprint(self, request: Request) -> str:
        try:
            key = url_identity_key(request.url)
        except ValueError:
            fingerprint: str = super().request_fingerprint(request)
            return fingerprint
        return hashlib.sha1(f"{request.method} {key}".encode()).hexdigest()

    def close(self, reason: str = "") -> None:
        # The seen-set belongs to the round, not to one worker: `scrapy seed` clears it.
        return None


class DistributedScheduler(Scheduler):
    def __init__(
        self,
        server: redis.Redis,
        crawler: Crawler,
        keys: FrontierKeys,
        token: str,
        idle_timeout: float,
        ttl: float,
    ) -> None:
        super().__init__(server, persist=True, serializer=serializers)
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = keys
        self.token = token
        self.idle_timeout = idle_timeout
        self.ttl = ttl
        self._lease = lease_key(keys.prefix, token)
        self._heartbeat = Heartbeat(self._renew, ttl / 3, name=f"news-lease-{token}")
        self._last_work = time.monotonic()
        self._reason = "cancelled"
        self.queue: LeasedPriorityQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        config = news_addon(crawler).config
        if not settings.get("REDIS_URL"):
            raise ConfigError("SCHEDULER is the distributed scheduler, but REDIS_URL is not set")
        serializer = settings.get("SCHEDULER_SERIALIZER") or SERIALIZER
        if serializer not in (SERIALIZER, serializers):
            raise ConfigError(
                f"setting SCHEDULER_SERIALIZER={serializer!r}: requests are stored as JSON by "
                f"{SERIALIZER} (never pickled)"
            )
        assert crawler.spidercls is not None
        server = redis_client(settings)
        try:
            # Fail at start with the connection error, not at the first request.
            server.ping()
        except redis.RedisError as exc:
            raise StoreError(f"cannot reach Redis at REDIS_URL: {exc}") from exc
        scheduler = cls(
            server,
            crawler,
            FrontierKeys.from_config(config, crawler.spidercls.name),
            config.worker_token or new_worker_token(worker_id(config)),
            config.idle_timeout,
            config.claim_ttl,
        )
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        # After the ledger's handler (connected earlier): its last batch commits first.
        crawler.signals.connect(scheduler.engine_stopped, signal=signals.engine_stopped)
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        # The lease exists before the first pop: nobody may take back what we hold.
        self._renew()
        self._heartbeat.start()
        self.queue = LeasedPriorityQueue(
            self.server, spider, self.keys, self.token, reclaim_every=self.ttl / 2
        )
        self.df = UrlIdentityDupeFilter(self.server, key=self.keys.seen)
        self._last_work = time.monotonic()
        logger.info(
            "Distributed worker %s: %d requests waiting in %s, idle timeout %.0f s",
            self.token,
            len(self.queue),
            self.keys.queue,
            self.idle_timeout,
        )

    def _renew(self) -> None:
        self.server.set(self._lease, "1", px=int(self.ttl * 1000))

    def _lost(self, exc: redis.RedisError) -> None:
        """Redis is gone: stop this worker (what it did not commit is redone next round)."""
        news_addon(self.crawler).fail(
            f"lost the connection to Redis at REDIS_URL: {exc}", reason="redis_lost"
        )

    def has_pending_requests(self) -> bool:
        try:
            return len(self) > 0
        except redis.RedisError as exc:
            self._lost(exc)
            return False

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except redis.RedisError as exc:
            self._lost(exc)
            return False

    def _enqueue(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        try:
            return self._next_request()
        except redis.RedisError as exc:
            self._lost(exc)
            return None

    def _next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is None and self._engine_idle():
            remaining = self.idle_timeout - (time.monotonic() - self._last_work)
            deadline = time.monotonic() + max(0.0, min(_IDLE_BLOCK, remaining))
            while request is None and time.monotonic() < deadline:
                time.sleep(_IDLE_POLL)
                request = self.queue.pop()
        if request is not None:
            self._last_work = time.monotonic()
            if self.stats is not None:
                self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _engine_idle(self) -> bool:
        try:
            return self.crawler.engine.spider_is_idle()
        except RuntimeError:  # no engine (or engine slot) yet, or any more
            return False

    def spider_idle(self) -> None:
        if time.monotonic() - self._last_work < self.idle_timeout:
            raise DontCloseSpider

    def close(self, reason: str) -> None:
        # What to do with the in-flight requests waits for engine_stopped: the ledger
        # commits the last batch then, and until it has, those requests are not done.
        self._reason = reason

    def engine_stopped(self) -> None:
        finished = self._reason == "finished"
        if getattr(self, "queue", None) is None:  # the spider never opened
            self._heartbeat.stop()
            return
        try:
            count = self.queue.finish(requeue=not finished)
        except redis.RedisError as exc:
            logger.warning("Could not release this worker's in-flight requests: %s", exc)
            return
        finally:
            self._heartbeat.stop()
        if finished:
            self.server.delete(self._lease)
            logger.info("Distributed worker %s done: took %d requests", self.token, count)
        else:
            # Stopped early (time limit, SIGTERM): what it took goes back for others. Pages
            # it settled are skipped by the revisit rules; the rest are fetched again.
            logger.warning(
                "Distributed worker %s stopped (%s): %d requests put back in the queue",
                self.token,
                self._reason,
                count,
            )


class SeededStartMiddleware:
    """Workers take feeds, sitemaps and start pages from the shared queue only.

    ``scrapy seed`` pushes them once per round; were every worker's ``start()`` to push
    them too, N workers would poll every hub N times.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        logger.info("Distributed mode: hubs come from the shared queue (scrapy seed)")
        return
        yield  # an async generator that yields nothing
