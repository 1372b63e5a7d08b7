"""TextFilesPipeline: one plain-text file per article, ``NNN_<id>.txt``.

The shape is the one readers of the samples expect: the headline, a blank line,
then the paragraphs separated by blank lines. Each file is written under a hidden
temporary name; it is made durable and appears (atomic rename) when the
:class:`EmissionLedger` commits the article's batch, so a reader never sees half a
record, nor a record the dedup store does not know was emitted.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.extensions.output import TEXT_DIR_NAME
from crawler.items import Article
from pipelines.state.ledger import PART_SUFFIX, EmissionLedger

logger = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{16}$")
_NUMBERED = re.compile(r"^(\d{3,})_[0-9a-f]{16}\.txt$")


def render_text(article: Article) -> str:
    headline = " ".join(article.headline.split())
    return f"{headline}\n\n{article.articleBody.strip()}\n"


def write_durable(path: Path, data: str) -> None:
    """Write and fsync ``path`` (a temporary name: callers rename it into place)."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomic(path: Path, data: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX)
    os.close(fd)
    try:
        write_durable(Path(tmp), data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class TextFilesPipeline:
    def __init__(
        self, directory: Path, stats: StatsCollector, ledger: EmissionLedger | None = None
    ) -> None:
        self.directory = directory
        self.stats = stats
        self.ledger = ledger
        self.counter = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWS_TEXT_FILES"):
            raise NotConfigured("NEWS_TEXT_FILES is off")
        run_dir = settings.get("NEWS_RUN_DIR")
        if not run_dir:
            raise NotConfigured("NEWS_RUN_DIR is not set (is RunOutputAddon enabled?)")
        assert crawler.stats is not None
        return cls(Path(run_dir) / TEXT_DIR_NAME, crawler.stats, EmissionLedger.of(crawler))

    def open_spider(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Continue numbering after files already there, never overwrite them.
        numbers = [
            int(m.group(1)) for p in self.directory.iterdir() if (m := _NUMBERED.match(p.name))
        ]
        self.counter = max(numbers, default=-1) + 1
        logger.info("Writing article text files to %s", self.directory)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if not _ID.match(item.id):
            # Never name a file after anything but our own id.
            raise ValueError(f"article {item.url!r} has no valid id: {item.id!r}")
        path = self.directory / f"{self.counter:03d}_{item.id}.txt"
        self.counter += 1
        if self.ledger is None:
            write_atomic(path, render_text(item))
        else:
            temporary = path.with_name(f".{path.name}{PART_SUFFIX}")
            # No fsync here: the ledger syncs the whole batch once, before committing it.
            temporary.write_text(render_text(item), encoding="utf-8", newline="\n")
            self.ledger.attach_file(item.id, temporary, path)
        self.stats.inc_value("news/output/text_files")
        return item
