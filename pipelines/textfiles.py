"""TextFilesPipeline: one plain-text file per article, ``NNN_<id>.txt``.

The shape is the one readers of the samples expect: the headline, a blank line, then the
paragraphs separated by blank lines. Each file is written under a temporary name; it is
made durable and appears (atomic rename) when the emission ledger commits the article's
batch, so a reader never sees half a record, nor a record the dedup store does not know
was emitted. A file that cannot be written stops the run: its record is not emitted.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.addon import NewsAddon, news_addon
from crawler.drops import DropReason, NewsDrop
from crawler.extensions.ledger import LedgerExtension
from crawler.items import as_article
from pipelines.output.files import create_new, write_atomic
from pipelines.output.layout import (
    TEXT_DIR_NAME,
    next_text_number,
    render_text,
    temporary_name,
    text_file_name,
)
from pipelines.state.ledger import EmissionLedger

logger = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{16}$")


class TextFilesPipeline:
    def __init__(
        self,
        addon: NewsAddon,
        directory: Path,
        stats: StatsCollector,
        ledger: EmissionLedger | None = None,
    ) -> None:
        self.addon = addon
        self.directory = directory
        self.stats = stats
        self.ledger = ledger
        self.counter = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        if not addon.config.text_files:
            raise NotConfigured("NEWS_TEXT_FILES is off")
        extension = crawler.get_extension(LedgerExtension)
        assert crawler.stats is not None
        directory = addon.output_dir / TEXT_DIR_NAME
        return cls(addon, directory, crawler.stats, extension.ledger if extension else None)

    def open_spider(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.addon.fail(f"output failed: cannot create {self.directory}: {exc}")
            return
        # Continue numbering after files already there, never overwrite them.
        self.counter = next_text_number(self.directory)
        logger.info("Writing article text files to %s", self.directory)

    def process_item(self, item: Any) -> Any:
        article = as_article(item)
        if article is None:
            return item
        if not _ID.match(article.id):
            # Never name a file after anything but our own id.
            raise NewsDrop(DropReason.NO_ID, f"{article.url}: no valid id {article.id!r}")
        path = self.directory / text_file_name(self.counter, article.id)
        self.counter += 1
        try:
            self._write(article.id, path, render_text(article))
        except OSError as exc:
            self.stats.inc_value(DropReason.OUTPUT_FAILED.stat)
            self.addon.fail(
                f"output failed: cannot write {path.name} ({exc}); its record is not "
                "emitted, and the next run emits it",
                reason="output_failed",
            )
            raise NewsDrop(DropReason.OUTPUT_FAILED, str(exc), log_level="DEBUG") from exc
        self.stats.inc_value("news/output/text_files")
        return article

    def _write(self, article_id: str, path: Path, text: str) -> None:
        if self.ledger is None:
            write_atomic(path, text)
            return
        temporary = temporary_name(path)
        # No fsync here: the ledger syncs the whole batch once, before committing it.
        try:
            with create_new(temporary) as handle:
                handle.write(text.encode("utf-8"))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        self.ledger.attach_file(article_id, temporary, path)
