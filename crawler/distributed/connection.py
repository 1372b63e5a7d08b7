"""Reaching Redis from the settings, as scrapy-redis does, and naming this worker."""

from __future__ import annotations

import socket

import redis
from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings

from crawler.config import NewsConfig


def redis_client(settings: BaseSettings) -> redis.Redis:
    """A client from ``REDIS_URL`` / ``REDIS_PARAMS``, as scrapy-redis builds its own."""
    client: redis.Redis = get_redis_from_settings(settings)
    return client


def worker_id(config: NewsConfig) -> str:
    """``NEWS_WORKER_ID``: names a machine's worker in logs and keys; the host by default."""
    return config.worker_id or socket.gethostname()
