"""Every ``NEWS_*`` setting, declared once: kind, default, what is allowed, one-line doc.

This is the only place a default lives. ``crawler/settings.py`` holds Scrapy's own
settings and none of these; components read :class:`NewsConfig` (through the crawler's
:class:`crawler.addons.NewsAddon`), never ``settings.get("NEWS_...")``. The README's
settings tables are checked against this declaration by ``tests/test_config.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from crawler.config.schema import (
    InvalidValue,
    build,
    custom,
    flag,
    folder,
    names,
    number,
    one_of,
    text,
    whole,
)
from crawler.discovery.registry import Registry
from crawler.items import ARTICLE_FLAGS

PREFIX = "NEWS_"
STORE_KINDS = ("sqlite", "memory", "redis")
_REDIS_PREFIX = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$").match
_WORKER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$").match
_TOKEN = re.compile(r"^[A-Za-z0-9_.@:-]{1,200}$").match
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$").match


def _languages(value: Any) -> tuple[str, ...]:
    """Language codes, a list or comma-separated text; empty for every language."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise InvalidValue
    codes = tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    if not all(_LANGUAGE(code) for code in codes):
        raise InvalidValue
    return codes


def _registry(value: Any) -> Path | Registry | None:
    """A path, or a registry already read (``scrapy crawl`` validates it before the crawl)."""
    if isinstance(value, Registry | Path):
        return value
    if isinstance(value, str) and "\x00" not in value:
        return Path(value.strip()) if value.strip() else None
    raise InvalidValue


@dataclass(frozen=True)
class NewsConfig:
    """The crawl's ``NEWS_*`` settings, validated and typed."""

    # --- registry and outputs
    registry: Path | Registry | None = custom(
        "NEWS_REGISTRY",
        None,
        "site registry file (TOML)",
        kind="path",
        parse=_registry,
        allowed="a path to a registry file",
        default_doc="bundled crawler/sites.toml",
    )
    output_dir: Path = folder(
        "NEWS_OUTPUT_DIR", Path("output"), "parent of the per-run directories"
    )
    run_dir: Path | None = folder(
        "NEWS_RUN_DIR",
        None,
        "write this run here instead (a directory no earlier run has written to)",
        default_doc="new dated directory",
    )
    batch_size: int = whole(
        "NEWS_BATCH_SIZE", 100, "records per JSON Lines batch file", minimum=1, maximum=100_000
    )
    text_files: bool = flag("NEWS_TEXT_FILES", True, "write the `NNN_<id>.txt` files")
    output_formats: tuple[str, ...] = names(
        "NEWS_OUTPUT_FORMATS",
        ("jsonl",),
        "the batch files: JSON Lines, Parquet, or both (same records, committed together)",
        ("jsonl", "parquet"),
        required=True,
    )
    # --- raw archive (WARC)
    warc: bool = flag(
        "NEWS_WARC", True, "archive every article response in warc/*.warc.gz of the run directory"
    )
    warc_hubs: bool = flag(
        "NEWS_WARC_HUBS", False, "also archive the responses of feeds, sitemaps and start pages"
    )
    warc_max_bytes: int = whole(
        "NEWS_WARC_MAX_BYTES",
        1_000_000_000,
        "a WARC file is closed and the next one started once it is this large",
        minimum=100_000,
    )
    warc_gzip_level: int = whole(
        "NEWS_WARC_GZIP_LEVEL",
        1,
        "gzip level of the WARC records: 1-3 ISA-L (fast), 4-9 zlib (9 smallest; see Raw archive "
        "in the README)",
        minimum=1,
        maximum=9,
    )
    warc_max_record_bytes: int = whole(
        "NEWS_WARC_MAX_RECORD_BYTES",
        16 * 1024 * 1024,
        "scrapy reprocess: larger WARC records (or decoded bodies) are skipped as too_large",
        minimum=1,
    )
    # --- discovery
    max_hub_pages: int = whole(
        "NEWS_MAX_HUB_PAGES", 50, "hub pages followed per site when follow_depth is 2+"
    )
    max_child_sitemaps: int = whole(
        "NEWS_MAX_CHILD_SITEMAPS", 50, "child sitemaps followed from one sitemap index"
    )
    max_entries: int = whole(
        "NEWS_MAX_ENTRIES", 5000, "entries read from one feed or sitemap", minimum=1
    )
    # --- cleaning
    min_words: int = whole(
        "NEWS_MIN_WORDS",
        40,
        "bodies shorter than this many words are flagged too_short (README: Short articles)",
    )
    short_words: int = whole(
        "NEWS_SHORT_WORDS",
        100,
        "an article shorter than this many words is flagged short (kept by default)",
    )
    languages: tuple[str, ...] = custom(
        "NEWS_LANGUAGES",
        (),
        "emit only records in these languages (a site's `languages` narrows it further)",
        kind="list",
        parse=_languages,
        allowed="a list (or comma-separated text) of language codes such as 'en' or 'pt-BR'",
        default_doc="every language",
    )
    markdown_links: bool = flag(
        "NEWS_MARKDOWN_LINKS", False, "keep the body's links in articleBodyMarkdown"
    )
    drop_flags: tuple[str, ...] = names(
        "NEWS_DROP_FLAGS",
        ("not_article", "too_short", "consent_wall", "too_deep"),
        "flags that drop a record (others are kept, in the record's flags)",
        ARTICLE_FLAGS,
    )
    extract_workers: int | None = whole(
        "NEWS_EXTRACT_WORKERS",
        None,
        "extraction worker processes; 0 extracts inline in the crawl process",
        optional=True,
        maximum=256,
        default_doc="number of usable cores",
    )
    extract_timeout: float = number(
        "NEWS_EXTRACT_TIMEOUT",
        10.0,
        "seconds one page may take; then its worker is replaced, the page dropped",
        exclusive_minimum=True,
    )
    extract_max_bytes: int = whole(
        "NEWS_EXTRACT_MAX_BYTES",
        4 * 1024 * 1024,
        "larger pages are dropped before any parsing",
        minimum=1,
    )
    extract_max_tasks_per_worker: int = whole(
        "NEWS_EXTRACT_MAX_TASKS_PER_WORKER",
        1000,
        "a worker is replaced after this many pages (0: never)",
    )
    # --- state and deduplication
    state_store: str = one_of(
        "NEWS_STATE_STORE",
        "sqlite",
        "sqlite (persistent, in NEWS_STATE_DIR), memory (this run only) or redis",
        STORE_KINDS,
    )
    state_dir: Path = folder(
        "NEWS_STATE_DIR",
        Path("data"),
        "dedup state, hub validators, site history, the state lock and the job queue",
    )
    state_reset: bool = flag("NEWS_STATE_RESET", False, "forget all state at the start of the run")
    state_timeout: float = number(
        "NEWS_STATE_TIMEOUT",
        30.0,
        "seconds a write waits for another process holding the state store; then the run fails",
        exclusive_minimum=True,
    )
    state_lock: str = one_of(
        "NEWS_STATE_LOCK",
        "fail",
        "when another run holds NEWS_STATE_DIR: fail at once (exit 75), or wait for it",
        ("fail", "wait"),
    )
    near_dup: bool = flag("NEWS_NEAR_DUP", True, "near-duplicate (syndicated copy) detection")
    near_dup_threshold: float = number(
        "NEWS_NEAR_DUP_THRESHOLD",
        0.8,
        "Jaccard similarity of word shingles from which two texts are one story",
        minimum=0.5,
        maximum=1.0,
    )
    duplicates: str = one_of(
        "NEWS_DUPLICATES",
        "drop",
        "drop duplicates, or keep them with duplicateOf set",
        ("drop", "keep"),
    )
    # --- incremental runs and politeness
    conditional_hubs: bool = flag(
        "NEWS_CONDITIONAL_HUBS", True, "ask feeds, sitemaps and start pages for 304s"
    )
    revisit_rules: bool = flag(
        "NEWS_REVISIT_RULES", True, "skip known articles unless announced as changed"
    )
    max_crawl_delay: float = number(
        "NEWS_MAX_CRAWL_DELAY", 60.0, "cap on a robots.txt Crawl-delay, seconds"
    )
    max_retry_after: float = number(
        "NEWS_MAX_RETRY_AFTER", 300.0, "cap on a Retry-After answer, seconds"
    )
    health_max_error_rate: float = number(
        "NEWS_HEALTH_MAX_ERROR_RATE",
        0.25,
        "above this share of failed downloads a run is unhealthy",
        maximum=1.0,
    )
    # --- distributed mode
    distributed: bool = flag(
        "NEWS_DISTRIBUTED", False, "turn distributed mode on explicitly (fails without REDIS_URL)"
    )
    redis_prefix: str = text(
        "NEWS_REDIS_PREFIX",
        "news",
        "namespace of every Redis key, so several crawls can share one Redis",
        allowed="1-64 letters, digits, '_', '.', ':' or '-'",
        valid=lambda v: bool(_REDIS_PREFIX(v)),
    )
    worker_id: str | None = text(
        "NEWS_WORKER_ID",
        None,
        "names a worker in logs and keys; one per machine (or per output directory)",
        allowed="1-100 letters, digits, '_', '.', '@' or '-'",
        valid=lambda v: bool(_WORKER_ID(v)),
        default_doc="host name",
    )
    worker_token: str | None = text(
        "NEWS_WORKER_TOKEN",
        None,
        "internal: this worker process's identity, set by distributed mode",
        allowed="a token set by distributed mode",
        valid=lambda v: bool(_TOKEN(v)),
        default_doc="set per process",
    )
    idle_timeout: float = number(
        "NEWS_IDLE_TIMEOUT", 120.0, "seconds a worker with an empty queue waits before it exits"
    )
    claim_ttl: float = number(
        "NEWS_CLAIM_TTL",
        60.0,
        "seconds a silent worker keeps its claims and requests",
        minimum=1.0,
    )

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        """Read and validate ``settings``; raises :class:`crawler.config.ConfigError`."""
        return build(cls, settings, PREFIX)
