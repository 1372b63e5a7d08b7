"""Our own cleaning (``clean_html``) over saved pages, no Scrapy: one process, or a Pool.

``python -m bench.peers.clean_pool PAGES OUT [--workers N]`` where PAGES lists ``url file``
lines. ``--workers 0`` runs in this process: the cleaning's cost on one core; ``--workers
2`` is the best a bare two-process loop of the same cleaning does on two cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from multiprocessing import Pool
from pathlib import Path

from pipelines.cleaning import clean_html
from pipelines.state.neardup import NearDupConfig, text_signature


def clean(line: str, near_dup: NearDupConfig | None = None) -> dict[str, str | None]:
    """One ``url file`` line cleaned; with ``near_dup``, the MinHash signature too (the
    work of the crawl's extraction workers, see bench.reprocess)."""
    url, _, file = line.partition(" ")
    article = clean_html(Path(file).read_bytes(), url)
    if article is not None and near_dup is not None:
        text_signature(article.articleBody, near_dup)
    return {"url": url, "text": article.articleBody if article else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    lines = args.pages.read_text().splitlines()
    with args.out.open("w") as out:
        if args.workers == 0:
            for line in lines:
                out.write(json.dumps(clean(line)) + "\n")
            return 0
        with Pool(args.workers) as pool:
            for result in pool.imap_unordered(clean, lines, chunksize=8):
                out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
