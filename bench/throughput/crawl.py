"""The real ``scrapy crawl news`` over the benchmark site, sampled from ``/proc``."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.throughput.procs import Sample, Sampler
from bench.throughput.site import SITEMAP_CHUNK, BenchSite
from fixtures.harness import run_crawl
from fixtures.server import FixtureServer
from pipelines.output.layout import MANIFEST_NAME


@dataclass(frozen=True)
class CrawlResult:
    records: int
    pages: int  # article pages through the extraction pipeline
    seconds: float  # manifest start -> finish
    samples: list[Sample]
    cpu_crawler: float
    cpu_pool: float
    cpu_bench: float  # this process: the loopback server and the sampler
    stats: dict[str, Any]

    @property
    def pages_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def rss_at(self, share: float) -> Sample | None:
        """The first sample once ``share`` of the final records were scraped.

        For 100%: the last sample before the spider started closing, when every page is
        done and the pool workers still run (after it, they exit one by one).
        """
        if share >= 1:
            running = [s for s in self.samples if not s.closing]
            if running and running[-1].records >= 0.95 * self.records:
                return running[-1]
        target = share * self.records
        return next((s for s in self.samples if s.records >= target), None)

    @property
    def peak_rss(self) -> int:
        return max((s.rss for s in self.samples), default=0)


def manifest_seconds(manifest: dict[str, Any]) -> float:
    start = datetime.fromisoformat(manifest["start_time"])
    finish = datetime.fromisoformat(manifest["finish_time"])
    return (finish - start).total_seconds()


def run_benchmark_crawl(
    site: BenchSite, run_dir: Path, settings: dict[str, str], timeout: float
) -> CrawlResult:
    sampler = Sampler(run_dir, len(site.pages))
    bench_cpu = time.process_time()
    with FixtureServer(sites_dir=site.root) as server:
        sampler.start()
        try:
            result = run_crawl(
                server.proxy_url,
                run_dir,
                registry=site.registry,
                settings=settings,
                timeout=timeout,
            )
        finally:
            sampler.stop()
    bench_cpu = time.process_time() - bench_cpu
    if result.returncode != 0:
        log = run_dir / "crawl.log"
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""
        raise RuntimeError(f"crawl failed ({result.returncode}): {result.stderr[-2000:]}{tail}")
    manifest = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    stats = manifest["stats"]
    outputs = manifest["outputs"]
    records = sum(int(n) for name, n in outputs.items() if name.endswith(".jsonl"))
    cpu = {"crawler": 0.0, "pool": 0.0}
    for role, seconds in sampler.cpu.values():
        cpu[role] += seconds
    return CrawlResult(
        records=records,
        pages=int(stats.get("news/discovery/articles", 0)),
        seconds=manifest_seconds(manifest),
        samples=sampler.samples,
        cpu_crawler=cpu["crawler"],
        cpu_pool=cpu["pool"],
        cpu_bench=bench_cpu,
        stats=stats,
    )


def crawl_settings(pages: int, workers: int | None, extra: Sequence[str]) -> dict[str, str]:
    settings = {
        # Loopback: politeness would only measure the delays.
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "32",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
        "LOG_LEVEL": "INFO",
        # Progress for the memory profile: an item count in the log every second.
        "LOGSTATS_INTERVAL": "1",
        "NEWS_MAX_CHILD_SITEMAPS": str(pages // SITEMAP_CHUNK + 2),
    }
    if workers is not None:
        settings["NEWS_EXTRACT_WORKERS"] = str(workers)
    for item in extra:
        name, _, value = item.partition("=")
        settings[name] = value
    return settings
