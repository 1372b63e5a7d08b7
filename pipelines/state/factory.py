"""Choosing and opening the dedup state store from settings."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from pipelines.state.neardup import NearDupConfig, NearDupIndex
from pipelines.state.sqlite_store import SQLiteStore
from pipelines.state.store import ArticleStore, MemoryStore, StoreError

logger = logging.getLogger(__name__)

STATE_FILE = "state.sqlite3"
STORE_KINDS = ("sqlite", "memory", "redis")


def near_dup_index(settings: BaseSettings) -> NearDupIndex | None:
    if not settings.getbool("NEWS_NEAR_DUP", True):
        return None
    threshold = settings.getfloat("NEWS_NEAR_DUP_THRESHOLD", NearDupConfig.threshold)
    try:
        return NearDupIndex(NearDupConfig(threshold=threshold))
    except ValueError as exc:
        raise NotConfigured(f"NEWS_NEAR_DUP_THRESHOLD={threshold!r}: {exc}") from exc


def open_store(settings: BaseSettings, index: NearDupIndex | None) -> ArticleStore:
    kind = settings.get("NEWS_STATE_STORE", "sqlite")
    if kind == "memory":
        return MemoryStore()
    if kind == "redis":
        # Imported here: the redis client is only needed by the distributed mode.
        from pipelines.state.redis_store import open_redis_store

        shared = open_redis_store(settings, index)
        logger.info(
            "Dedup state store: Redis %s:s:* as %s (%d articles known)",
            shared.prefix,
            shared.token,
            shared.count(),
        )
        return shared
    if kind != "sqlite":
        raise NotConfigured(f"NEWS_STATE_STORE={kind!r}: expected one of {', '.join(STORE_KINDS)}")
    path = Path(settings.get("NEWS_STATE_DIR") or "data") / STATE_FILE
    if settings.getbool("NEWS_STATE_RESET"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        logger.warning("State store %s reset: every article counts as new in this run", path)
    try:
        store = SQLiteStore(path, index)
    except StoreError as exc:
        raise NotConfigured(str(exc)) from exc
    logger.info("Dedup state store: %s (%d articles known)", path, store.count())
    return store
