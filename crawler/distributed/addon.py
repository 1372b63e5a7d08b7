"""DistributedAddon: distributed mode, on when ``REDIS_URL`` (or ``NEWS_DISTRIBUTED``) is set."""

from __future__ import annotations

import logging
import warnings
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.config import ConfigError, NewsConfig

logger = logging.getLogger(__name__)

_REDIS_SCHEMES = ("redis", "rediss", "unix")


class DistributedSetupError(ConfigError):
    """Distributed mode is asked for but cannot work as configured.

    Not ``NotConfigured``: for an add-on Scrapy only logs that and goes on, so every
    worker would crawl everything on its own and emit it.
    """


def is_distributed(settings: BaseSettings) -> bool:
    config = NewsConfig.from_settings(settings)
    return config.distributed or bool(settings.get("REDIS_URL"))


def _set_owned(settings: BaseSettings, name: str, value: Any) -> None:
    """Set a setting distributed mode depends on, over the project's default value.

    A value given on the command line (or by the spider) that differs is an error: the
    worker would not be sharing what it claims to share.
    """
    priority = settings.getpriority(name) or 0
    if priority > SETTINGS_PRIORITIES["project"] and settings.get(name) != value:
        raise DistributedSetupError(
            f"{name}={settings.get(name)!r} cannot be used in distributed mode "
            f"(REDIS_URL is set); it needs {value!r}"
        )
    settings.set(name, value, priority=max(priority, SETTINGS_PRIORITIES["addon"]))


class DistributedAddon:
    """Turns distributed mode on when ``REDIS_URL`` (or ``NEWS_DISTRIBUTED``) is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not is_distributed(settings):
            return
        # Imported here: this add-on is in every crawl's ADDONS, and a crawl that is not
        # distributed need not load Redis and scrapy-redis.
        from crawler.distributed.connection import worker_id
        from crawler.distributed.scheduler import SERIALIZER, SeededStartMiddleware
        from pipelines.state.workers import new_worker_token

        url = str(settings.get("REDIS_URL") or "")
        if not url:
            raise DistributedSetupError(
                "NEWS_DISTRIBUTED is on but REDIS_URL is not set (redis://host:port/db)"
            )
        if urlsplit(url).scheme not in _REDIS_SCHEMES:
            raise DistributedSetupError(
                f"setting REDIS_URL={url!r}: expected redis://host:port/db, rediss:// or unix://"
            )
        _set_owned(settings, "SCHEDULER", "crawler.distributed.scheduler.DistributedScheduler")
        _set_owned(
            settings, "DUPEFILTER_CLASS", "crawler.distributed.scheduler.UrlIdentityDupeFilter"
        )
        _set_owned(settings, "SCHEDULER_SERIALIZER", SERIALIZER)
        # scrapy-redis' own switches, for anyone reading the settings: a worker leaving
        # must not flush the queue the others work on.
        _set_owned(settings, "SCHEDULER_PERSIST", True)
        _set_owned(settings, "SCHEDULER_FLUSH_ON_START", False)
        _set_owned(settings, "NEWS_STATE_STORE", "redis")
        config = NewsConfig.from_settings(settings)
        if not config.worker_token:
            # One per process, shared by the scheduler's lease and the store's claims.
            token = new_worker_token(worker_id(config))
            settings.set("NEWS_WORKER_TOKEN", token, priority="addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", SeededStartMiddleware, 0)
        logger.info(
            "Distributed mode: worker %s, Redis prefix %r", worker_id(config), config.redis_prefix
        )
        _filter_scrapy_redis_warnings()


def _filter_scrapy_redis_warnings() -> None:
    # scrapy-redis 0.9.1 still passes ``spider=`` to the stats collector (deprecated in
    # Scrapy 2.13: scrapy/scrapy#6750) and calls Spider.log() (deprecated:
    # scrapy/scrapy#7739; the spider.logger fix, rmax/scrapy-redis#94, was never merged).
    # Our subclasses override the methods that do so, so a crawl through them warns
    # nothing; these filters keep the inherited code quiet should it run, and match
    # nothing outside scrapy_redis.
    for message in (r".*'spider' argument", r".*Spider\.log\(\)"):
        warnings.filterwarnings(
            "ignore", message=message, category=ScrapyDeprecationWarning, module=r"scrapy_redis\."
        )
