"""Short articles: which true articles the word limits let out, by the length of their body.

    python -m bench.lengths --data DIR [--data DIR ...] [--jobs N] [--json FILE]

Every page of an extraction dataset (``ground-truth.json`` + ``html/<id>.html.gz``, see
:mod:`bench.extraction`) is a real article whose true body is known. Pages are grouped by
the words of that body (``word_count``, the cleaner's own counter), and for each group the
bench counts the pages a crawl would emit, that is pages ``clean_html`` returns with no flag
of the default ``NEWS_DROP_FLAGS``: with the default limits (``NEWS_MIN_WORDS``,
``NEWS_SHORT_WORDS``) and with the former single limit of 100 words. The README's "Short
articles" figures come from here.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scrapy.settings import Settings

from bench.extraction import find_datasets
from crawler.config import NewsConfig
from pipelines.cleaning.clean import clean_html
from pipelines.cleaning.text import word_count

# Upper bounds of the length groups, in words of the true body.
BANDS = ((0, "0"), (39, "1-39"), (99, "40-99"), (None, "100+"))
FORMER_LIMIT = 100


def band(words: int) -> str:
    for upper, name in BANDS:
        if upper is None or words <= upper:
            return name
    raise AssertionError("the last band has no upper bound")


def _emitted(html: bytes, url: str | None, min_words: int, short_words: int) -> bool:
    config = NewsConfig.from_settings(Settings())
    article = clean_html(html, url, min_words=min_words, short_words=short_words)
    return article is not None and not set(article.flags) & set(config.drop_flags)


def judge_page(dataset: str, doc_id: str, url: str | None, truth: str) -> tuple[str, bool, bool]:
    """The page's length group, and whether it is emitted now and under the former limit."""
    config = NewsConfig.from_settings(Settings())
    html = gzip.decompress((Path(dataset) / "html" / f"{doc_id}.html.gz").read_bytes())
    now = _emitted(html, url, config.min_words, config.short_words)
    former = _emitted(html, url, FORMER_LIMIT, FORMER_LIMIT)
    return band(word_count(truth)), now, former


def measure(datasets: list[Path], jobs: int) -> dict[str, dict[str, dict[str, int]]]:
    """Per dataset and length group: pages, emitted now, emitted under the former limit."""
    figures: dict[str, dict[str, dict[str, int]]] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for dataset in datasets:
            truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
            futures = [
                pool.submit(
                    judge_page,
                    str(dataset),
                    doc_id,
                    record.get("url"),
                    record.get("articleBody") or "",
                )
                for doc_id, record in sorted(truth.items())
            ]
            counts: dict[str, Counter[str]] = {name: Counter() for _, name in BANDS}
            for future in futures:
                group, now, former = future.result()
                counts[group].update(pages=1, emitted=int(now), emitted_former=int(former))
            figures[dataset.name] = {
                name: {k: counts[name][k] for k in ("pages", "emitted", "emitted_former")}
                for _, name in BANDS
            }
    return figures


def print_table(figures: dict[str, dict[str, dict[str, int]]]) -> None:
    config = NewsConfig.from_settings(Settings())
    print(
        f"{'dataset':<20} {'true words':>10} {'pages':>6} "
        f"{'emitted (' + str(config.min_words) + '/' + str(config.short_words) + ')':>16} "
        f"{'emitted (' + str(FORMER_LIMIT) + ')':>14}"
    )
    total: dict[str, Counter[str]] = {name: Counter() for _, name in BANDS}
    for dataset, groups in [*figures.items()]:
        for name, row in groups.items():
            total[name].update(row)
            print(
                f"{dataset:<20} {name:>10} {row['pages']:>6} {row['emitted']:>16} "
                f"{row['emitted_former']:>14}"
            )
    for name, row in total.items():
        print(
            f"{'all':<20} {name:>10} {row['pages']:>6} {row['emitted']:>16} "
            f"{row['emitted_former']:>14}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    datasets = find_datasets(args.data)
    if not datasets:
        parser.error("no ground-truth.json found under the given --data paths")
    figures = measure(datasets, args.jobs)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
