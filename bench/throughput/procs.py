"""Process trees read from ``/proc``: memory and CPU of a run and every process it starts."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fixtures.procs import descendants, read_proc
from pipelines.output.layout import feed_files

# --- (b) the crawl, with memory sampled from /proc ---------------------------------------


@dataclass(frozen=True)
class Sample:
    elapsed: float
    records: int  # records scraped so far (the log's item count, or the feed's lines)
    closing: bool  # the spider had started closing (all pages done, shutdown running)
    rss: int  # bytes, all processes of the crawl
    rss_crawler: int  # bytes, the Scrapy process alone


# Scrapy's LogStats line ("... scraped 1234 items (at ...)") and its engine closing.
_SCRAPED = re.compile(rb"scraped (\d+) items")
_CLOSING = b"Closing spider ("


class Sampler(threading.Thread):
    """Samples the crawl's process tree and progress while ``scrapy crawl`` runs.

    Progress comes from the crawl log (``LOGSTATS_INTERVAL`` lines) and the feed files,
    whichever is further: the feed is written in batches, the log once a second.
    """

    def __init__(self, run_dir: Path, total: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.run_dir = run_dir
        self.total = total
        self.interval = interval
        self.samples: list[Sample] = []
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, last CPU seconds seen)
        self._stop_event = threading.Event()
        self._lines: dict[Path, tuple[int, int]] = {}  # feed file -> (bytes read, lines)
        self._log_offset = 0
        self._logged = 0
        self._closing = False

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def _new_bytes(self, path: Path, offset: int) -> bytes:
        """What was appended to ``path`` since ``offset``, up to its last complete line."""
        try:
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except OSError:
            return b""
        return data[: data.rfind(b"\n") + 1]

    def _feed_records(self) -> int:
        for path in feed_files(self.run_dir):
            offset, lines = self._lines.get(path, (0, 0))
            data = self._new_bytes(path, offset)
            self._lines[path] = (offset + len(data), lines + data.count(b"\n"))
        return sum(lines for _, lines in self._lines.values())

    def _read_log(self) -> None:
        data = self._new_bytes(self.run_dir / "crawl.log", self._log_offset)
        self._log_offset += len(data)
        counts = _SCRAPED.findall(data)
        if counts:
            self._logged = int(counts[-1])
        self._closing = self._closing or _CLOSING in data

    def run(self) -> None:
        started = time.monotonic()
        last_print = started
        while not self._stop_event.wait(self.interval):
            procs = descendants(os.getpid())
            crawler = [p for p in procs if p.ppid == os.getpid()]
            self._read_log()
            records = max(self._logged, self._feed_records())
            for proc in procs:
                role = "crawler" if proc in crawler else "pool"
                self.cpu[proc.pid] = (role, proc.cpu)
            sample = Sample(
                time.monotonic() - started,
                records,
                self._closing,
                sum(p.rss for p in procs),
                sum(p.rss for p in crawler),
            )
            self.samples.append(sample)
            if sample.elapsed - (last_print - started) >= 5:
                last_print = time.monotonic()
                print(
                    f"  crawl: {records}/{self.total} records, {sample.elapsed:.0f} s, "
                    f"RSS {sample.rss / 2**20:.0f} MB in {len(procs)} processes",
                    flush=True,
                )


class TreeSampler(threading.Thread):
    """Samples one process and its descendants: summed RSS, and each one's CPU so far."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_rss = 0
        self.rss: list[tuple[float, int]] = []  # (elapsed, summed RSS)
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds at its last sample
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def run(self) -> None:
        started = time.monotonic()
        while not self._stop_event.wait(self.interval):
            root = read_proc(self.root)
            procs = ([root] if root else []) + descendants(self.root)
            for proc in procs:
                self.cpu[proc.pid] = proc.cpu
            total = sum(p.rss for p in procs)
            self.rss.append((time.monotonic() - started, total))
            self.peak_rss = max(self.peak_rss, total)

    @property
    def root_cpu(self) -> float:
        return self.cpu.get(self.root, 0.0)
