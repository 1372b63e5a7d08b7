"""Scrapy's JOBDIR: only the queue of a crawl that stopped cleanly can be resumed.

Scrapy writes ``requests.queue/active.json`` (which disk queues hold what) when its
scheduler closes; the queue files themselves get their sizes only then. After ``kill -9``
the folder holds queue files that were never closed: resuming from them reads garbage, and
a queue that claims to hold requests but yields none keeps the crawl from ever finishing
(seen: a rerun that hung for good after a killed run). Such a folder must be discarded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

_QUEUE_DIR = "requests.queue"
_CLOSED_MARK = "active.json"


def is_unclean(job_dir: Path) -> bool:
    """The folder holds a request queue that its crawl never closed."""
    queue = job_dir / _QUEUE_DIR
    return queue.is_dir() and not (queue / _CLOSED_MARK).is_file()


def discard(job_dir: Path) -> None:
    shutil.rmtree(job_dir, ignore_errors=True)
