"""Where a run writes: a new dated directory per run, never an earlier run's files.

:class:`RunOutputAddon` picks the run directory before the settings freeze, so the
JSON Lines feed (Scrapy ``FEEDS``, in batches of ``NEWS_BATCH_SIZE`` records) and the
text-file pipeline agree on it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# The JSON Lines feed is written in batches, each a complete file once visible.
FEED_TEMPLATE = "articles-%(batch_id)05d.jsonl"
FEED_GLOB = "articles-*.jsonl"
TEXT_DIR_NAME = "text"
DEFAULT_BATCH_SIZE = 100


def feed_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob(FEED_GLOB))


def count_records(path: Path) -> int:
    """Records in a JSON Lines file: its non-blank lines."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def new_run_dir(output_dir: Path, now: datetime | None = None) -> Path:
    """A directory name under ``output_dir`` that no earlier run has used."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H%M%SZ")
    candidate = output_dir / stamp
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = output_dir / f"{stamp}-{suffix}"
    return candidate


class RunOutputAddon:
    """Sets ``NEWS_RUN_DIR`` and a JSON Lines feed inside it, unless given."""

    def update_settings(self, settings: BaseSettings) -> None:
        run_dir = settings.get("NEWS_RUN_DIR")
        if not run_dir:
            run_dir = str(new_run_dir(Path(settings.get("NEWS_OUTPUT_DIR") or "output")))
            settings.set("NEWS_RUN_DIR", run_dir, priority="addon")
        if not settings.getdict("FEEDS"):
            # as_uri() would percent-encode the %(batch_id)s placeholder.
            feed_uri = "file://" + str(Path(run_dir).resolve() / FEED_TEMPLATE)
            options = {
                "format": "jsonlines",
                "encoding": "utf-8",
                "batch_item_count": settings.getint("NEWS_BATCH_SIZE", DEFAULT_BATCH_SIZE),
                # This feed's batches commit the dedup decisions of their records.
                "news_commit": True,
            }
            settings.set("FEEDS", {feed_uri: options}, priority="addon")
