"""``multiprocessing.Pool(2)``: each worker downloads a page and runs ``trafilatura.extract``.

``python -m bench.peers.pool_get_extract URLS OUT [--workers N]`` (the proxy comes from
``http_proxy``, as requests reads it). The script a data engineer writes first.
"""

from __future__ import annotations

import argparse
import json
import sys
from multiprocessing import Pool
from pathlib import Path

import requests
import trafilatura

_session: requests.Session | None = None


def _start_worker() -> None:
    global _session  # one keep-alive session per worker process (a Pool initializer)
    _session = requests.Session()


def fetch_and_extract(url: str) -> dict[str, str | None]:
    assert _session is not None
    response = _session.get(url, timeout=30)
    text = trafilatura.extract(response.content, url=url, include_comments=False)
    return {"url": url, "text": text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    urls = args.urls.read_text().split()
    with Pool(args.workers, initializer=_start_worker) as pool, args.out.open("w") as out:
        for result in pool.imap_unordered(fetch_and_extract, urls, chunksize=8):
            out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
