"""``python -m bench.throughput``: see the package docstring."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.throughput.crawl import CrawlResult, crawl_settings, run_benchmark_crawl
from bench.throughput.loops import bare_extraction, cleaner_options, own_cleaning
from bench.throughput.site import SEED, BenchSite, build_site, reuse_site
from bench.throughput.variants import Run, environment, peer_commands, run_command
from fixtures.server import FixtureServer

# The targets: (name, figure, at least / at most, bound).
TARGETS = (
    ("crawl / Pool(2) GET+extract script", "crawl_vs_pool_script", ">=", 1.0),
    ("crawl / our cleaning in a bare Pool(2)", "crawl_vs_own_pool", ">=", 0.85),
    ("crawl / our cleaning in one process", "crawl_vs_own_single", ">=", 1.6),
    ("Scrapy process CPU, ms a page", "scrapy_cpu_ms_per_page", "<=", 2.5),
    ("cleaning CPU / bare trafilatura.extract CPU", "cleaning_cost_ratio", "<=", 1.2),
    ("peak RSS at 100% / at 25% of the memory run", "memory_growth", "<=", 1.15),
)

# The share of the pages each variant must give back with text.
_COMPLETE = 0.95


def _mb(value: float) -> float:
    return round(value / 2**20, 1)


def _site(directory: Path, pages: int) -> BenchSite:
    site = reuse_site(directory, pages, SEED, False)
    if site is None:
        print(f"Generating {pages} pages under {directory}", flush=True)
        site = build_site(directory, pages)
    return site


def _crawl(site: BenchSite, run_dir: Path, args: argparse.Namespace) -> tuple[Run, CrawlResult]:
    """The crawl as a Run (whole-tree CPU from getrusage), and its detailed result."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage.ru_utime + usage.ru_stime
    shutil.rmtree(run_dir, ignore_errors=True)  # a run directory must be new
    settings = crawl_settings(len(site.pages), args.workers, args.settings)
    crawl = run_benchmark_crawl(site, run_dir, settings, timeout=600 + len(site.pages) / 5)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime - before
    # The pool's fork server outlives the crawl process's wait: its workers' CPU never
    # reaches getrusage here, only the /proc samples.
    run = Run(
        variant="crawl",
        pages=crawl.records,
        seconds=crawl.seconds,
        cpu_main=crawl.cpu_crawler,
        cpu_children=max(crawl.cpu_pool, total - crawl.cpu_crawler),
        cpu_server=crawl.cpu_bench,
        peak_rss=crawl.peak_rss,
    )
    return run, crawl


def _round(site: BenchSite, work: Path, args: argparse.Namespace, number: int) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    with FixtureServer(sites_dir=site.root) as server:
        commands = peer_commands(site, work, server.port)
        order = [v for v in ["crawl", *commands] if not args.only or v in args.only]
        shift = number % len(order)  # alternate the order, so no variant always runs first
        for name in order[shift:] + order[:shift]:
            print(f"  round {number + 1}: {name}", flush=True)
            if name == "crawl":
                runs[name], _ = _crawl(site, work / "run", args)
            else:
                command, out, proxied = commands[name]
                env = environment(server.proxy_url if proxied else None)
                runs[name] = run_command(name, command, out, env)
            run = runs[name]
            print(f"    {run.pages} pages in {run.seconds:.1f} s: {run.pages_per_s:.1f} pages/s")
            _check_complete(name, run.pages, len(site.pages))
    return runs


def _check_complete(name: str, pages: int, expected: int) -> None:
    """Every variant extracts (nearly) every page; fewer means it was counted wrongly.

    Rates of variants that did different amounts of work are not comparable: the
    trafilatura CLI was once reported at 0.1 pages/s because its files were not all found.
    """
    if pages < _COMPLETE * expected:
        raise RuntimeError(f"{name} gave {pages} of {expected} pages: the figures would lie")


def _medians(rounds: list[dict[str, Run]]) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for name in rounds[0]:
        runs = [r[name] for r in rounds]
        figures[name] = {
            "pages_per_s": round(statistics.median(r.pages_per_s for r in runs), 2),
            "pages": statistics.median(r.pages for r in runs),
            "cpu_ms_per_page": {
                kind: round(
                    statistics.median(r.ms_per_page(getattr(r, f"cpu_{kind}")) for r in runs), 2
                )
                for kind in ("main", "children", "server")
            },
            "peak_rss_mb": _mb(statistics.median(r.peak_rss for r in runs)),
            "runs_pages_per_s": [round(r.pages_per_s, 2) for r in runs],
        }
    return figures


def _cpu_ms(run: Run, kind: str) -> float:
    return run.ms_per_page(float(getattr(run, f"cpu_{kind}")))


def _memory(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    if args.memory_pages <= 0:
        return {}
    site = _site(directory / "memory-site", args.memory_pages)
    print(f"Memory run: scrapy crawl news over {args.memory_pages} pages", flush=True)
    _, crawl = _crawl(site, directory / "memory-run", args)
    quarters = {q: crawl.rss_at(q / 100) for q in (25, 50, 75, 100)}
    rss = {str(q): _mb(s.rss) if s else None for q, s in quarters.items()}
    first, last = quarters[25], quarters[100]
    growth = last.rss / first.rss if first and last and first.rss else None
    return {"rss_mb": rss, "peak_rss_mb": _mb(crawl.peak_rss), "memory_growth": growth}


def _check(figures: dict[str, Any]) -> list[str]:
    misses = []
    for label, key, sense, bound in TARGETS:
        value = figures.get(key)
        ok = value is not None and (value >= bound if sense == ">=" else value <= bound)
        figures.setdefault("targets", {})[label] = {
            "value": None if value is None else round(value, 3),
            "target": f"{sense} {bound}",
            "met": ok,
        }
        if not ok:
            misses.append(f"{label}: {value} (target {sense} {bound})")
    return misses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-pages", type=int, default=20000, help="0: no memory run")
    parser.add_argument("--loop-pages", type=int, default=500, help="pages of the CPU loops")
    parser.add_argument("--workers", type=int, help="NEWS_EXTRACT_WORKERS for the crawl")
    parser.add_argument("-s", dest="settings", action="append", default=[], help="NAME=VALUE")
    parser.add_argument(
        "--only", action="append", default=[], help="run only this variant (repeatable)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the generated sites here (reused)")
    args = parser.parse_args(argv)
    directory = args.keep or Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        figures = _run(args, directory)
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    misses = _check(figures)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for miss in misses:
        print(f"MISSED {miss}", file=sys.stderr)
    return 1 if misses else 0


def _run(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    site = _site(directory / "site", args.pages)
    loads = {"before": os.getloadavg()[0]}
    sample = site.pages[: args.loop_pages]
    url, file = sample[0]
    bare = bare_extraction(sample, cleaner_options(file.read_bytes(), url))
    own = own_cleaning(sample)
    rounds = []
    started = time.monotonic()
    for number in range(args.rounds):
        work = directory / "work"
        work.mkdir(exist_ok=True)
        rounds.append(_round(site, work, args, number))
    loads["after_rounds"] = os.getloadavg()[0]
    variants = _medians(rounds)

    def versus(other: str) -> float | None:
        if "crawl" not in variants or other not in variants:
            return None
        return float(variants["crawl"]["pages_per_s"] / variants[other]["pages_per_s"])

    figures: dict[str, Any] = {
        "pages": args.pages,
        "rounds": args.rounds,
        "variants": variants,
        "crawl_vs_pool_script": versus("pool_get_extract"),
        "crawl_vs_threads_script": versus("threads_pool"),
        "crawl_vs_trafilatura_cli": versus("trafilatura_cli"),
        "crawl_vs_own_pool": versus("own_cleaning_pool"),
        "crawl_vs_own_single": versus("own_cleaning_single"),
        "scrapy_cpu_ms_per_page": variants.get("crawl", {}).get("cpu_ms_per_page", {}).get("main"),
        # What a Scrapy process costs doing nothing but download (bench.peers.scrapy_floor).
        "scrapy_floor_cpu_ms_per_page": variants.get("scrapy_floor", {})
        .get("cpu_ms_per_page", {})
        .get("main"),
        "bare_extract_cpu_ms_per_page": round(1000 * bare.cpu / bare.pages, 2),
        "cleaning_cpu_ms_per_page": round(1000 * own.cpu / own.pages, 2),
        "cleaning_cost_ratio": own.cpu / bare.cpu if bare.cpu else None,
        "rounds_seconds": round(time.monotonic() - started, 1),
        "load_average": loads,
        **_memory(args, directory),
    }
    return figures


if __name__ == "__main__":
    sys.exit(main())
