"""Every way of doing the crawl's job that the benchmark compares, run as a subprocess.

Each variant is timed as a whole process tree: wall time, CPU of the process itself and
of the processes it starts (exact, from ``getrusage`` once they are reaped; the split
between them from ``/proc`` samples), the loopback server's CPU (it runs in the benchmark
process), and the peak summed RSS.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.throughput.procs import TreeSampler
from bench.throughput.site import HOST, BenchSite


@dataclass(frozen=True)
class Run:
    variant: str
    pages: int  # pages that came out with text
    seconds: float
    cpu_main: float  # the variant's own process
    cpu_children: float  # every process it started
    cpu_server: float  # the loopback server, in this process
    peak_rss: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def ms_per_page(self, cpu: float) -> float:
        return 1000 * cpu / self.pages if self.pages else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(variant: str, command: list[str], out: Path, env: dict[str, str]) -> Run:
    """Run ``command`` to the end; its output file holds one JSON line per page."""
    if out.is_dir():
        shutil.rmtree(out)
    out.unlink(missing_ok=True)
    children_before, own_before = _children_cpu(), time.process_time()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{variant} failed ({process.returncode}): {stderr[-2000:]}")
    total = _children_cpu() - children_before
    if out.is_dir():  # one file per page (the trafilatura CLI): 1,000 per subdirectory
        pages = sum(1 for path in out.rglob("*") if path.is_file() and path.stat().st_size)
    else:
        pages = sum(1 for line in out.read_text().splitlines() if json.loads(line).get("text"))
    main = min(sampler.root_cpu, total)
    return Run(
        variant=variant,
        pages=pages,
        seconds=seconds,
        cpu_main=main,
        cpu_children=total - main,
        cpu_server=time.process_time() - own_before,
        peak_rss=sampler.peak_rss,
    )


def environment(proxy_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    if proxy_url:
        env["http_proxy"] = env["HTTP_PROXY"] = proxy_url
    return env


def _cli_config(work: Path) -> Path:
    """The trafilatura CLI's settings with its politeness off, as the crawl's is here.

    By default it sleeps 5 s between two requests to one host, and refuses to fetch
    through a loopback address (its SSRF protection): on one loopback site it would
    measure only that.
    """
    import trafilatura

    config = work / "trafilatura.cfg"
    defaults = Path(trafilatura.__file__).with_name("settings.cfg").read_text()
    config.write_text(
        defaults.replace("SLEEP_TIME = 5.0", "SLEEP_TIME = 0").replace(
            "SSRF_PROTECTION = on", "SSRF_PROTECTION = off"
        )
    )
    return config


def peer_commands(
    site: BenchSite, work: Path, server_port: int
) -> dict[str, tuple[list[str], Path, bool]]:
    """Variant name -> (command, its output file, whether it downloads through the proxy)."""
    urls, pages = work / "urls.txt", work / "pages.txt"
    urls.write_text("\n".join(url for url, _ in site.pages) + "\n")
    # The trafilatura CLI speaks only to SOCKS proxies: it asks the loopback server
    # directly, by address, and the server finds the site under that name.
    direct = work / "urls-direct.txt"
    loopback = f"127.0.0.1:{server_port}"
    direct.write_text(
        "\n".join(url.replace(f"//{HOST}/", f"//{loopback}/", 1) for url, _ in site.pages) + "\n"
    )
    alias = site.root / "127.0.0.1"
    if not alias.exists():
        alias.symlink_to(site.root / HOST, target_is_directory=True)
    pages.write_text("\n".join(f"{url} {file}" for url, file in site.pages) + "\n")
    python = [sys.executable, "-m"]
    trafilatura_cli = str(Path(sys.executable).with_name("trafilatura"))
    return {
        "pool_get_extract": (
            [*python, "bench.peers.pool_get_extract", str(urls), str(work / "pool.jsonl")],
            work / "pool.jsonl",
            True,
        ),
        "threads_pool": (
            [*python, "bench.peers.threads_pool", str(urls), str(work / "threads.jsonl")],
            work / "threads.jsonl",
            True,
        ),
        "own_cleaning_pool": (
            [*python, "bench.peers.clean_pool", str(pages), str(work / "own2.jsonl")],
            work / "own2.jsonl",
            False,
        ),
        "own_cleaning_single": (
            [
                *python,
                "bench.peers.clean_pool",
                str(pages),
                str(work / "own1.jsonl"),
                "--workers",
                "0",
            ],
            work / "own1.jsonl",
            False,
        ),
        # Scrapy's own floor: download and yield, nothing else (not a peer: a lower bound).
        "scrapy_floor": (
            [*python, "bench.peers.scrapy_floor", str(urls), str(work / "floor.jsonl")],
            work / "floor.jsonl",
            True,
        ),
        # Its own downloads (its --parallel default) and extraction; one file per page.
        "trafilatura_cli": (
            [
                *(trafilatura_cli, "-i", str(direct), "-o", str(work / "cli"), "--no-comments"),
                *("--config-file", str(_cli_config(work))),
            ],
            work / "cli",
            False,
        ),
    }
