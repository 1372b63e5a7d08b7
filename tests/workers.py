"""Distributed rounds for tests: ``scrapy seed news``, then workers, as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fixtures.harness import PROJECT_ROOT, crawl_command, proxy_env
from fixtures.server import REGISTRY

ADDONS = {"crawler.addon.NewsAddon": 0, "crawler.distributed.addon.DistributedAddon": 10}


def common_settings(redis_url: str, **extra: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "ADDONS": json.dumps(ADDONS),
        "NEWS_REGISTRY": str(REGISTRY),
        "NEWS_IDLE_TIMEOUT": "3",
        # A queue longer than what one worker holds at once, as in a real crawl.
        "CONCURRENT_REQUESTS": "4",
        **extra,
    }


def seed(proxy_url: str, settings: dict[str, str]) -> None:
    args = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "seed", "news", *args],
        cwd=PROJECT_ROOT,
        env=proxy_env(proxy_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Warning" not in result.stderr, result.stderr[-2000:]
    assert "Seeded 8 hub requests of 4 sites" in result.stdout


def start_worker(proxy_url: str, run_dir: Path, settings: dict[str, str]) -> subprocess.Popen[str]:
    run_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        crawl_command(run_dir, settings=settings),
        cwd=PROJECT_ROOT,
        env=proxy_env(proxy_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
