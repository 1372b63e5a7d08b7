"""The run directory: what a run writes there, under which names.

::

    output/2026-11-22T213000Z/
      articles-00001.jsonl   JSON Lines batches, one record a line
      articles-00001.parquet the same batch in Parquet (NEWS_OUTPUT_FORMATS)
      text/000_<id>.txt      one text file per article
      warc/*.warc.gz         the raw responses (NEWS_WARC)
      manifest.json          the run's summary
      crawl.log              when the run logs to a file
      .newscrawler-run       while a run writes here: its pid
      .newscrawler-engine    once its engine runs: a stop then closes the run (its pid)

Temporary files are named ``.newscrawler.<final name>.<random>.part`` (see
:func:`temporary_name`): start-up cleanup removes those of dead runs and nothing else.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from crawler.items import Article

FEED_TEMPLATE = "articles-%(batch_id)05d.jsonl"
FEED_GLOB = "articles-*.jsonl"
PARQUET_GLOB = "articles-*.parquet"
TEXT_DIR_NAME = "text"
WARC_DIR_NAME = "warc"
MANIFEST_NAME = "manifest.json"
LOG_NAME = "crawl.log"
RUN_MARK = ".newscrawler-run"
# Scrapy can close a crawl gracefully only once its engine runs: a stop asked for before
# that ends the process with no close and no manifest. Written when it runs.
ENGINE_MARK = ".newscrawler-engine"
_TEMPORARY = re.compile(r"^\.newscrawler\..+\.[0-9a-f]{16}\.part$")
_TEXT_NAME = re.compile(r"^(\d{3,})_[0-9a-f]{16}\.txt$")


def new_run_dir(output_dir: Path, now: datetime | None = None) -> Path:
    """A directory name under ``output_dir`` that no earlier run has used."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H%M%SZ")
    candidate = output_dir / stamp
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = output_dir / f"{stamp}-{suffix}"
    return candidate


def feed_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob(FEED_GLOB))


def parquet_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob(PARQUET_GLOB))


def count_records(path: Path) -> int:
    """Records in a JSON Lines file: its non-blank lines."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def temporary_name(final: Path) -> Path:
    """Where ``final`` is written before it appears: hidden, ours beyond doubt."""
    return final.with_name(f".newscrawler.{final.name}.{secrets.token_hex(8)}.part")


def is_temporary(path: Path) -> bool:
    return bool(_TEMPORARY.match(path.name))


def temporary_files(run_dir: Path) -> list[Path]:
    """Our temporary files in a run directory and its text and warc folders (nothing deeper)."""
    found = []
    for directory in (run_dir, run_dir / TEXT_DIR_NAME, run_dir / WARC_DIR_NAME):
        if directory.is_dir():
            found += [p for p in directory.iterdir() if is_temporary(p) and p.is_file()]
    return found


def text_file_name(number: int, article_id: str) -> str:
    return f"{number:03d}_{article_id}.txt"


def next_text_number(text_dir: Path) -> int:
    """The number after the highest text file already there: never overwrite one."""
    if not text_dir.is_dir():
        return 0
    numbers = [int(m.group(1)) for p in text_dir.iterdir() if (m := _TEXT_NAME.match(p.name))]
    return max(numbers, default=-1) + 1


def render_text(article: Article) -> str:
    """The text file's content: the headline, a blank line, the paragraphs."""
    headline = " ".join(article.headline.split())
    return f"{headline}\n\n{article.articleBody.strip()}\n"
