"""Download threads feeding a process pool: 8 threads GET, ``ProcessPool(2)`` extracts.

``python -m bench.peers.threads_pool URLS OUT [--threads N] [--workers N]``: the script a
data engineer writes once the first one is slow: downloads overlap, both cores extract.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import requests
import trafilatura

_local = threading.local()


def download(url: str) -> bytes:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return bytes(session.get(url, timeout=30).content)


def extract(url: str, html: bytes) -> dict[str, str | None]:
    return {"url": url, "text": trafilatura.extract(html, url=url, include_comments=False)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    urls = args.urls.read_text().split()
    with (
        ThreadPoolExecutor(args.threads) as downloads,
        ProcessPoolExecutor(args.workers) as extractors,
        args.out.open("w") as out,
    ):
        pending: list[Future[dict[str, str | None]]] = []
        for url, html in zip(urls, downloads.map(download, urls), strict=True):
            pending.append(extractors.submit(extract, url, html))
            if len(pending) >= 4 * args.workers:  # bounded: memory stays flat
                out.write(json.dumps(pending.pop(0).result()) + "\n")
        for future in pending:
            out.write(json.dumps(future.result()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
