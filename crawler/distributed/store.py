"""Opening the shared Redis state store (``NEWS_STATE_STORE = "redis"``) for this worker."""

from __future__ import annotations

import logging

import redis
from scrapy.settings import BaseSettings

from crawler.config import ConfigError, NewsConfig
from crawler.distributed.connection import redis_client, worker_id
from pipelines.state.neardup import NearDupIndex
from pipelines.state.redis_store import RedisStore, reset_state
from pipelines.state.store import StoreError
from pipelines.state.workers import new_worker_token

logger = logging.getLogger(__name__)


def open_redis_store(
    config: NewsConfig, index: NearDupIndex | None, settings: BaseSettings
) -> RedisStore:
    """Raises ConfigError without ``REDIS_URL``, StoreError when Redis cannot be used."""
    if not settings.get("REDIS_URL"):
        raise ConfigError("setting NEWS_STATE_STORE='redis' needs REDIS_URL (redis://host:port/db)")
    client = redis_client(settings)
    try:
        if config.state_reset:
            deleted = reset_state(client, config.redis_prefix)
            logger.warning(
                "Shared state %s:s:* reset (%d keys): every article counts as new, for every "
                "worker",
                config.redis_prefix,
                deleted,
            )
        store = RedisStore(
            client,
            index,
            prefix=config.redis_prefix,
            worker=worker_id(config),
            token=config.worker_token or new_worker_token(worker_id(config)),
            ttl=config.claim_ttl,
        )
        logger.info(
            "Dedup state store: Redis %s:s:* as %s (%d articles known)",
            store.prefix,
            store.token,
            store.count(),
        )
    except redis.RedisError as exc:
        raise StoreError(f"cannot use Redis at REDIS_URL: {exc}") from exc
    return store
