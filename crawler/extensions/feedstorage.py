"""Local feed storage whose batch files appear whole, and only with their records.

Scrapy's ``FileFeedStorage`` writes straight into the final file: a reader (or a
crash) sees half a batch. Here each batch is written to a hidden temporary file in
the same directory, fsynced, then handed to the :class:`EmissionLedger`, which
commits the batch's dedup decisions and renames the file into place.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

from crawler.extensions.output import count_records
from pipelines.state.ledger import PART_SUFFIX, EmissionLedger

logger = logging.getLogger(__name__)


class CommittingFileFeedStorage(FileFeedStorage):
    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        # The ledger is looked up when a batch is stored: Scrapy builds storages while
        # extensions (the ledger among them) are still being created.
        self.crawler = crawler
        self.commits = bool((feed_options or {}).get("news_commit"))
        self.temporary: Path | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=PART_SUFFIX)
        self.temporary = Path(name)
        return os.fdopen(fd, "wb")

    def store(self, file: IO[bytes]) -> None:
        assert self.temporary is not None
        file.flush()
        os.fsync(file.fileno())
        file.close()
        final = _free_name(Path(self.path))
        ledger = EmissionLedger.of(self.crawler) if self.crawler and self.commits else None
        if ledger is not None:
            records = count_records(self.temporary)
            ledger.commit(records, files=[(str(self.temporary), str(final))])
        else:
            self.temporary.replace(final)


def _free_name(path: Path) -> Path:
    """``path``, or ``name-2.ext``...: a batch never overwrites an earlier run's file."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate
