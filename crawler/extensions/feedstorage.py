"""Local feed storage whose run batches appear whole, and only with their records committed.

Scrapy's ``FileFeedStorage`` writes straight into the final file: a reader (or a crash)
sees half a batch. For the run's own feed (the one :class:`crawler.addon.NewsAddon` adds,
marked ``news_commit``) each batch is written to a temporary file; when Scrapy closes the
batch, the ids it holds are read back from the file, and the emission ledger commits
exactly those records together with the file (and their text files), then renames it into
place, with the WARC segments holding their responses (:mod:`crawler.extensions.archive`).
What a failed write leaves out is never committed: the run is stopped, and the next run
emits those records.

Feeds of the user's (``-o``, ``-O``, ``FEEDS``) are written as Scrapy writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Self

import orjson
import pyarrow as pa
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

from crawler.addon import COMMIT_OPTION, news_addon
from crawler.extensions.archive import WarcArchive
from crawler.extensions.ledger import LedgerExtension
from pipelines.output.files import create_new
from pipelines.output.layout import temporary_name
from pipelines.output.parquet import write_batch
from pipelines.state.ledger import LedgerError
from pipelines.state.store import StoreError


class OutputError(RuntimeError):
    """A batch could not be written or committed; the run has been told and stops."""


class _WriteGuard:
    """The batch file, remembering that a write to it failed (a full disk...).

    The exporter writes from the feed exporter's signal handler, where an exception would
    only become a traceback in the log; the batch is refused when it is stored instead.
    """

    def __init__(self, file: IO[bytes], on_error: Callable[[OSError], object]) -> None:
        self.file = file
        self.on_error = on_error
        self.error: OSError | None = None

    def write(self, data: bytes) -> int:
        if self.error is not None:
            return len(data)  # the batch is refused already
        try:
            return self.file.write(data)
        except OSError as exc:
            self.error = exc
            self.on_error(exc)
            return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


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
        # extensions (the ledger's among them) are still being created.
        self.crawler = crawler
        self.commits = bool((feed_options or {}).get(COMMIT_OPTION))
        self.temporary: Path | None = None
        self._parquet: Path | None = None
        self._guard: _WriteGuard | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        if not self.commits:
            return super().open(spider)
        final = Path(self.path)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            self.temporary = temporary_name(final)
            self._guard = _WriteGuard(create_new(self.temporary), self._write_failed)
        except OSError as exc:
            raise self._failed(f"cannot create {final}: {exc}") from exc
        return self._guard  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        if not self.commits:
            super().store(file)
            return
        assert self.temporary is not None and self._guard is not None
        final = _free_name(Path(self.path))
        try:
            if self._guard.error is not None:
                raise self._guard.error
            file.flush()
            file.close()
            if self._guard.error is not None:  # the last bytes failed on flush
                raise self._guard.error
            records = _records(self.temporary)
            assert self.crawler is not None
            ledger = self.crawler.get_extension(LedgerExtension)
            if ledger is None:
                raise LedgerError("the LedgerExtension is not enabled (EXTENSIONS)")
            formats = news_addon(self.crawler).config.output_formats
            moves = self._batch_files(final, records, formats)
            # The WARC files holding these records' responses appear with them.
            archive = self.crawler.get_extension(WarcArchive)
            segments = archive.seal() if archive is not None else []
            ledger.ledger.commit_batch([r["id"] for r in records], files=[*moves, *segments])
            if archive is not None:
                archive.published(segments)
            if "jsonl" not in formats:
                self.temporary.unlink()  # only the source of the Parquet batch
        except (OSError, ValueError, StoreError, LedgerError, pa.ArrowException) as exc:
            self.temporary.unlink(missing_ok=True)
            if self._parquet is not None:
                self._parquet.unlink(missing_ok=True)
            raise self._failed(
                f"could not write {final.name} ({exc}); its records are not recorded as "
                "emitted, and the next run emits them"
            ) from exc

    def _batch_files(
        self, final: Path, records: list[dict[str, Any]], formats: tuple[str, ...]
    ) -> list[tuple[str, str]]:
        """The (temporary, final) files of this batch, in every format asked for."""
        assert self.temporary is not None
        moves = []
        if "jsonl" in formats:
            moves.append((str(self.temporary), str(final)))
        if "parquet" in formats:
            parquet = final.with_suffix(".parquet")
            self._parquet = temporary_name(parquet)
            write_batch(self._parquet, records)
            moves.append((str(self._parquet), str(parquet)))
        return moves

    def _write_failed(self, exc: OSError) -> None:
        self._failed(
            f"could not write {Path(self.path).name} ({exc}); its records are not recorded "
            "as emitted, and the next run emits them"
        )

    def _failed(self, problem: str) -> OutputError:
        if self.crawler is not None:
            news_addon(self.crawler).fail(f"output failed: {problem}", reason="output_failed")
        return OutputError(problem)


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of a written batch, in order; ValueError if a line is not a record."""
    records = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = orjson.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                raise ValueError(f"line {number} of the batch is not an article record")
            records.append(record)
    return records


def _free_name(path: Path) -> Path:
    """``path``, or ``name-2.ext``...: a batch never overwrites an earlier run's file."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate
