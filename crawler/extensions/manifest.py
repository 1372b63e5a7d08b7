"""RunManifest: a JSON summary written next to a run's outputs when it ends.

It holds the start and end times, the finish reason, the health verdict and its
reasons, errors by kind, per-site counts (discovered, fetched, not modified,
extracted, dropped by reason, duplicates, emitted), the output files with their
record counts and every Scrapy stat, so scripts and monitoring never parse the log.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.output import TEXT_DIR_NAME, count_records, feed_files
from crawler.extensions.sitestats import site_counters
from crawler.operations.health import (
    DEFAULT_MAX_ERROR_RATE,
    assess,
    error_rate,
    load_history,
    update_history,
)
from pipelines.textfiles import write_atomic

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _errors(stats: dict[str, Any]) -> dict[str, int]:
    """Download exceptions, HTTP error statuses and callback errors, by kind."""
    prefixes = ("downloader/exception_type_count/", "spider_exceptions/")
    errors = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith(prefixes)}
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/") and key.rsplit("/", 1)[1] >= "400":
            errors[f"http_{key.rsplit('/', 1)[1]}"] = value
    errors["log_error_lines"] = stats.get("log_count/ERROR", 0)
    return errors


class RunManifest:
    def __init__(
        self, crawler: Crawler, run_dir: Path, state_dir: Path, max_error_rate: float
    ) -> None:
        self.crawler = crawler
        self.run_dir = run_dir
        self.state_dir = state_dir
        self.max_error_rate = max_error_rate
        self.spider_name: str | None = None
        self.reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_dir = crawler.settings.get("NEWS_RUN_DIR")
        if not run_dir:
            raise NotConfigured("NEWS_RUN_DIR is not set")
        settings = crawler.settings
        extension = cls(
            crawler,
            Path(run_dir),
            Path(settings.get("NEWS_STATE_DIR") or "data"),
            settings.getfloat("NEWS_HEALTH_MAX_ERROR_RATE", DEFAULT_MAX_ERROR_RATE),
        )
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        # The feed exporter closes its files asynchronously during spider_closed: only
        # once the engine has stopped are the outputs complete and countable.
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.spider_name = spider.name
        self.reason = reason

    def engine_stopped(self) -> None:
        assert self.crawler.stats is not None
        reason = self.reason or "unknown"
        stats = self.crawler.stats.get_stats()
        outputs = {feed.name: count_records(feed) for feed in feed_files(self.run_dir)}
        text_dir = self.run_dir / TEXT_DIR_NAME
        if text_dir.is_dir():
            outputs[f"{TEXT_DIR_NAME}/"] = sum(1 for _ in text_dir.glob("*.txt"))
        sites = site_counters(stats)
        history = load_history(self.state_dir)
        health = assess(reason, stats, sites, history, self.max_error_rate)
        if reason == "finished":
            update_history(self.state_dir, history, sites)
        if not health.ok:
            logger.error("Unhealthy run: %s", "; ".join(health.problems))
        manifest = {
            "spider": self.spider_name,
            "start_time": _json_safe(stats.get("start_time")),
            "finish_time": _json_safe(stats.get("finish_time")),
            "finish_reason": reason,
            "health": {"ok": health.ok, "problems": health.problems},
            "error_rate": round(error_rate(stats), 4),
            "errors": _errors(stats),
            "sites": sites,
            "outputs": outputs,
            "stats": _json_safe(stats),
        }
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.run_dir / MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True))
        logger.info("Run manifest written to %s", self.run_dir / MANIFEST_NAME)
