"""Distributed throughput: one worker against two, sharing one Redis frontier and state.

``python -m bench.distributed [--pages N] [--repeat N] [--json FILE] [--no-pin]``

Generates N pages (:func:`bench.throughput.build_site`), serves them with
:class:`fixtures.server.FixtureServer`, starts a throwaway ``redis-server``
(:mod:`tests.redis_server`), then in the same run:

1. one worker: ``scrapy seed news``, then one ``scrapy crawl news``;
2. two workers: a fresh Redis state, the seed, then two ``scrapy crawl news`` at once.

Each worker has an extraction pool of one process (``NEWS_EXTRACT_WORKERS=1``) and, unless
``--no-pin``, is pinned to a core of its own with its pool (CPU 0; CPUs 0 and 1): one
worker on one core against two workers on two cores. The fixture server and Redis run
unpinned, so in the two-worker run they take CPU from the workers. A run's time is from
starting the workers to the moment the last record's text file exists (written when the
record leaves the pipelines, before its batch commits), which leaves out the idle wait
at the end. Both runs must emit every page once across their workers. With ``--repeat``,
the two configurations alternate (1, 2, 1, 2...) and each rate is pages over seconds of
all its runs, which evens out other load on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.throughput import BenchSite, build_site
from bench.throughput.crawl import crawl_settings
from fixtures.harness import PROJECT_ROOT, crawl_command, proxy_env
from fixtures.server import FixtureServer
from pipelines.output.layout import TEXT_DIR_NAME
from tests.expected import read_records
from tests.redis_server import RedisServer

ADDONS = {"crawler.extensions.output.RunOutputAddon": 0, "crawler.distributed.DistributedAddon": 10}


def _texts(run_dirs: Sequence[Path]) -> int:
    # Hidden .part files count: the record has been processed, its batch not yet committed.
    return sum(
        len(list((d / TEXT_DIR_NAME).iterdir())) for d in run_dirs if (d / TEXT_DIR_NAME).exists()
    )


def run_workers(
    site: BenchSite, server: FixtureServer, redis: RedisServer, out: Path, workers: int, pin: bool
) -> dict[str, Any]:
    redis.client().flushall()
    settings = {
        **crawl_settings(len(site.pages), 1, ()),
        "REDIS_URL": redis.url,
        "ADDONS": json.dumps(ADDONS),
        "NEWS_IDLE_TIMEOUT": "3",
        "LOGSTATS_INTERVAL": "60",
    }
    env = proxy_env(server.proxy_url)
    seed_settings = {**settings, "NEWS_REGISTRY": str(site.registry)}
    seed_args = [a for k, v in seed_settings.items() for a in ("-s", f"{k}={v}")]
    seed = subprocess.run(
        [sys.executable, "-m", "scrapy", "seed", "news", *seed_args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"  {seed.stdout.strip()}", flush=True)
    run_dirs = [out / f"{workers}-workers" / f"w{n}" for n in range(workers)]
    processes = []
    started = time.monotonic()
    for n, run_dir in enumerate(run_dirs):
        run_dir.mkdir(parents=True)
        command = crawl_command(
            run_dir, registry=site.registry, settings={**settings, "NEWS_WORKER_ID": f"w{n}"}
        )
        cpu = {n % (os.cpu_count() or 1)}
        processes.append(
            subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                # Children (the pool's fork server and worker) inherit the affinity.
                preexec_fn=(lambda cpu=cpu: os.sched_setaffinity(0, cpu)) if pin else None,
            )
        )
    history: list[tuple[float, int]] = []
    while any(p.poll() is None for p in processes):
        history.append((time.monotonic() - started, _texts(run_dirs)))
        time.sleep(0.1)
    if any(p.returncode for p in processes):
        raise RuntimeError(f"a worker failed: {[p.returncode for p in processes]} in {out}")
    records = [read_records(d) for d in run_dirs]
    ids = [r["id"] for batch in records for r in batch]
    if len(ids) != len(set(ids)):
        raise RuntimeError("an article was emitted twice")
    total = len(ids)
    seconds = next((t for t, count in history if count >= total), history[-1][0])
    return {
        "workers": workers,
        "records": total,
        "records_per_worker": [len(batch) for batch in records],
        "seconds": round(seconds, 2),
        "pages_per_s": round(total / seconds, 2),
        # Other work on the machine during the run, which the ratio is sensitive to.
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-pin", action="store_true", help="do not pin workers to cores")
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate one and two workers this many times"
    )
    args = parser.parse_args(argv)
    binary = shutil.which("redis-server")
    if binary is None:
        parser.error("redis-server is not installed (.ci/install-redis)")
    directory = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    try:
        print(f"Generating {args.pages} pages under {directory}", flush=True)
        site = build_site(directory / "site", args.pages)
        redis = RedisServer(binary, directory).start()
        try:
            with FixtureServer(sites_dir=site.root) as server:
                runs = []
                for attempt in range(args.repeat):
                    for workers in (1, 2):
                        print(f"{workers} worker(s)", flush=True)
                        out = directory / f"run-{attempt}"
                        runs.append(run_workers(site, server, redis, out, workers, not args.no_pin))
                        print(f"  {runs[-1]}", flush=True)
        finally:
            redis.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    # Over all repeats: pages over seconds of each configuration.
    rates = {
        workers: sum(r["records"] for r in runs if r["workers"] == workers)
        / sum(r["seconds"] for r in runs if r["workers"] == workers)
        for workers in (1, 2)
    }
    figures = {
        "pages": args.pages,
        "pinned": not args.no_pin,
        "cores": len(os.sched_getaffinity(0)),
        "one_worker_pages_per_s": round(rates[1], 2),
        "two_workers_pages_per_s": round(rates[2], 2),
        "ratio": round(rates[2] / rates[1], 3),
        "pair_ratios": [
            round(runs[i + 1]["pages_per_s"] / runs[i]["pages_per_s"], 3)
            for i in range(0, len(runs), 2)
        ],
        "runs": runs,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
