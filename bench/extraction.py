"""Body-extraction benchmark: our cleaning path against single extractors, in one run.

    python -m bench.extraction --data DIR [--data DIR ...] [--limit N] [--json FILE]
        [--jobs N] [--extractors a,b,...]

DIR is a dataset (``html/<id>.html.gz`` + ``ground-truth.json`` with ``articleBody``, the
layout of the Web Content Extraction Benchmark subsets and of Zyte's
article-extraction-benchmark) or a folder holding several. Every extractor of
:mod:`bench.extractors` is scored with :mod:`bench.metrics` on every page: F1, precision,
recall, the share of pages at F1 >= 0.9 and CPU milliseconds per page. The cost of our path
is the ratio of its CPU time to raw ``trafilatura.extract`` (defaults) on the same pages, and
the pages where ours is worse than raw trafilatura by more than 0.05 F1 are listed, with
those that are worse only by the headline or by furniture lines the dataset's true bodies
keep (see :func:`with_furniture`), and those a crawl with default settings drops by the
record's flags (hubs, product pages, bodies under the minimum length) or because the page
has no text at all: it emits no body there. The share of the pages a crawl emits that are
worse for neither reason follows, and the F1 of ours with its record's image captions put
back after the body (some true bodies keep captions inline; the record keeps them in its
images).
The datasets hold no headlines; where a true body opens with one, the bench counts the
pages where it is our record's headline and where it is trafilatura's title (see
:func:`opens_with`).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from pathlib import Path

import trafilatura

from bench.extractors import BASELINE, EXTRACTORS, OURS
from bench.metrics import DocScore, score_document, summarize
from crawler.config.news import PREFIX, NewsConfig
from crawler.config.schema import build
from crawler.items import Article
from pipelines.cleaning.clean import clean_html
from pipelines.cleaning.decode import decode_html
from pipelines.cleaning.lines import judge_line, normalize

logger = logging.getLogger(__name__)

_CHUNK = 10  # documents per worker task: small enough to balance, large enough to amortise
# CPU time is the best of this many runs for the two extractors whose ratio is reported:
# workers share the machine, and one run charges whatever else happens to the page.
_TIMING_RUNS = 2
# A page where ours loses more than this against raw trafilatura is a regression to study.
REGRESSION = 0.05
# Lines the cleaning layer removes by design that some datasets' true bodies keep, by the
# layer's own line rules; and the score of ours with raw trafilatura's such lines added.
_FURNITURE = frozenset({"byline", "dateline", "copyright", "credit"})
WITH_FURNITURE = "ours+furniture"
# Ours with the captions of its record's images after the body: the record keeps them in
# `images`, apart from the text, where some datasets' true bodies keep them inline.
WITH_CAPTIONS = "ours+captions"
# A true body opens with its headline when the headline is in this many first characters
# (after a kicker, a section name or a date line).
_OPENING = 400
TRAFILATURA_TITLE = "trafilatura title"
# NEWS_DROP_FLAGS at its default, read from the one place defaults live.
_DROP_FLAGS = frozenset(build(NewsConfig, {}, PREFIX).drop_flags)


@dataclass(frozen=True)
class DocResult:
    doc_id: str
    scores: dict[str, DocScore]
    seconds: dict[str, float]  # CPU seconds per extractor
    # Whether the true body opens with our record's headline, and with trafilatura's title.
    headline_opens: dict[str, bool] = field(default_factory=dict)
    # The flags by which a crawl with default settings drops our record of the page (a hub,
    # a product page, a body under the minimum length): it emits no body to score.
    declined: tuple[str, ...] = ()


def find_datasets(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if (path / "ground-truth.json").is_file():
            found.append(path)
        else:
            found.extend(sorted(p.parent for p in path.glob("*/ground-truth.json")))
    return found


def _documents(dataset: Path, limit: int | None) -> list[tuple[str, str | None, str]]:
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    docs = [
        (doc_id, record.get("url"), record.get("articleBody") or "")
        for doc_id, record in sorted(truth.items())
    ]
    return docs[:limit] if limit else docs


def _timed(name: str, html: bytes, url: str | None) -> tuple[str, float]:
    """The extractor's text and its CPU time, with the garbage collector paused (as timeit)."""
    extractor = EXTRACTORS[name]
    runs = _TIMING_RUNS if name in (BASELINE, OURS) else 1
    best, text = float("inf"), ""
    for _ in range(runs):
        gc.disable()
        try:
            start = time.process_time()
            text = extractor(html, url)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return text, best


def with_furniture(ours: str, raw: str, headline: str | None = None) -> str:
    """Ours plus the lines of raw trafilatura's text that ours lacks and that the layer's
    line rules take for furniture (bylines, date lines, copyright, credits), each before
    the line of ours that follows it in raw trafilatura's text; and the record's
    ``headline`` first, as the record's text file has it, when the body does not hold it.

    Some datasets count those lines as body text; a page that is worse than raw trafilatura
    only by them is worse by the convention, not by a cleaning failure. The headline is
    not even removed: the record keeps it in a field of its own.
    """
    if headline and normalize(headline) not in {normalize(line) for line in ours.splitlines()}:
        ours = f"{headline}\n{ours}" if ours else headline
    lines = ours.splitlines()
    position: dict[str, int] = {}
    for index, line in enumerate(lines):
        position.setdefault(normalize(line), index)
    before: dict[int, list[str]] = {}
    pending: list[str] = []
    for line in (line.strip() for line in raw.splitlines()):
        key = normalize(line)
        if not key:
            continue
        if key in position:
            before.setdefault(position[key], []).extend(pending)
            pending = []
        elif judge_line(line).reason in _FURNITURE:  # a rule's reason is the rule's name
            pending.append(line)
    merged = [added for index, line in enumerate(lines) for added in (*before.get(index, ()), line)]
    return "\n".join(merged + pending)


def opens_with(truth: str, headline: str | None) -> bool:
    """Whether the true body opens with this headline: it is in its first characters."""
    words = normalize(headline or "")
    return bool(words) and f" {words} " in f" {normalize(truth[:_OPENING])} "


def declined_by_crawl(article: Article | None) -> tuple[str, ...]:
    """Why a crawl with default settings emits no record of the page: the flags of ours
    that drop it, or that the page has no text at all; empty when it emits one."""
    if article is None:
        return ("no text",)
    return tuple(flag for flag in article.flags if flag in _DROP_FLAGS)


def _trafilatura_title(html: bytes) -> str | None:
    metadata = trafilatura.extract_metadata(decode_html(html))
    return metadata.title if metadata is not None else None


def _run_chunk(
    dataset: str, chunk: list[tuple[str, str | None, str]], names: list[str]
) -> list[DocResult]:
    results = []
    for doc_id, url, truth in chunk:
        html = gzip.decompress((Path(dataset) / "html" / f"{doc_id}.html.gz").read_bytes())
        scores, seconds, texts = {}, {}, {}
        for name in names:
            texts[name], seconds[name] = _timed(name, html, url)
            scores[name] = score_document(truth, texts[name])
        opens: dict[str, bool] = {}
        declined: tuple[str, ...] = ()
        if OURS in texts and BASELINE in texts:
            # Cleaned again, untimed, for the record's headline.
            article = clean_html(html, url)
            headline = article.headline if article is not None else None
            declined = declined_by_crawl(article)
            opens = {OURS: opens_with(truth, headline)}
            opens[TRAFILATURA_TITLE] = opens_with(truth, _trafilatura_title(html))
            furnished = score_document(truth, with_furniture(texts[OURS], texts[BASELINE]))
            if scores[OURS].f1 < scores[BASELINE].f1 - REGRESSION:
                # A page the list names: is it worse only by the headline the true body
                # starts with?
                headed = with_furniture(texts[OURS], texts[BASELINE], headline)
                furnished = max(furnished, score_document(truth, headed), key=attrgetter("f1"))
            scores[WITH_FURNITURE] = furnished
            captions = [i.caption for i in article.images if i.caption] if article else []
            scores[WITH_CAPTIONS] = score_document(truth, "\n".join([texts[OURS], *captions]))
        results.append(DocResult(doc_id, scores, seconds, opens, declined))
    return results


def _chunks(
    docs: list[tuple[str, str | None, str]],
) -> Iterator[list[tuple[str, str | None, str]]]:
    for i in range(0, len(docs), _CHUNK):
        yield docs[i : i + _CHUNK]


def run(
    datasets: list[Path], limit: int | None, jobs: int, names: list[str]
) -> dict[str, list[DocResult]]:
    results: dict[str, list[DocResult]] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {
            dataset.name: [
                pool.submit(_run_chunk, str(dataset), chunk, names)
                for chunk in _chunks(_documents(dataset, limit))
            ]
            for dataset in datasets
        }
        for name, pending in futures.items():
            results[name] = [r for future in pending for r in future.result()]
    return results


def report(results: dict[str, list[DocResult]], names: list[str]) -> dict[str, dict[str, object]]:
    figures: dict[str, dict[str, object]] = {}
    for dataset, docs in results.items():
        rows: dict[str, object] = {}
        for name in names:
            summary = summarize(d.scores[name] for d in docs)
            ms = 1000 * sum(d.seconds[name] for d in docs) / len(docs) if docs else 0.0
            rows[name] = asdict(summary) | {"ms_per_doc": ms}
        figure: dict[str, object] = {"documents": len(docs), "extractors": rows}
        if BASELINE in names and OURS in names:
            losses = sorted(
                (d for d in docs if d.scores[OURS].f1 < d.scores[BASELINE].f1 - REGRESSION),
                key=lambda d: d.scores[OURS].f1 - d.scores[BASELINE].f1,
            )
            worse = [
                {
                    "id": d.doc_id,
                    "raw_f1": d.scores[BASELINE].f1,
                    "ours_f1": d.scores[OURS].f1,
                    "furniture_only": (
                        d.scores[WITH_FURNITURE].f1 >= d.scores[BASELINE].f1 - REGRESSION
                    ),
                    "declined": list(d.declined),
                }
                for d in losses
            ]
            raw_cpu = sum(d.seconds[BASELINE] for d in docs)
            figure["worse_than_raw"] = worse
            figure["worse_share"] = len(worse) / len(docs) if docs else 0.0
            figure["worse_only_by_furniture"] = sum(1 for w in worse if w["furniture_only"])
            figure["worse_declined"] = sum(1 for w in worse if w["declined"])
            # What is left: pages a crawl emits, worse by what the record's body says.
            emitted = sum(1 for d in docs if not d.declined)
            regressions = sum(1 for w in worse if not w["furniture_only"] and not w["declined"])
            figure["worse_emitted_share"] = regressions / emitted if emitted else 0.0
            figure["cpu_ratio"] = sum(d.seconds[OURS] for d in docs) / raw_cpu if raw_cpu else 0
            figure["f1_with_captions"] = summarize(d.scores[WITH_CAPTIONS] for d in docs).f1
            figure["headline"] = _headline_figures(docs)
        figures[dataset] = figure
    return figures


def _headline_figures(docs: list[DocResult]) -> dict[str, int]:
    """Of the pages whose true body opens with our headline or trafilatura's title, how
    many open with each."""
    opening = [d.headline_opens for d in docs if any(d.headline_opens.values())]
    return {
        "pages": len(opening),
        OURS: sum(o.get(OURS, False) for o in opening),
        TRAFILATURA_TITLE: sum(o.get(TRAFILATURA_TITLE, False) for o in opening),
    }


def print_table(figures: dict[str, dict[str, object]]) -> None:
    header = (
        f"{'dataset':<20} {'extractor':<16} {'F1':>6} {'P':>6} {'R':>6} {'>=0.9':>6} {'ms/p':>6}"
    )
    print(header)
    print("-" * len(header))
    for dataset, figure in figures.items():
        rows = figure["extractors"]
        assert isinstance(rows, dict)
        for name, row in rows.items():
            print(
                f"{dataset:<20} {name:<16} {row['f1']:6.3f} {row['precision']:6.3f} "
                f"{row['recall']:6.3f} {row['share_f1_090']:6.3f} {row['ms_per_doc']:6.1f}"
            )
        if "cpu_ratio" in figure:
            ours, raw = rows[OURS]["f1"], rows[BASELINE]["f1"]
            best = max((r["f1"], n) for n, r in rows.items() if n != OURS)
            worse = figure["worse_than_raw"]
            assert isinstance(worse, list)
            print(
                f"{'':<20} ours {ours - raw:+.3f} F1 over raw trafilatura, {ours - best[0]:+.3f} "
                f"over the best single ({best[1]}); CPU {figure['cpu_ratio']:.2f}x raw; "
                f"{len(worse)} pages ({figure['worse_share']:.1%}) worse than raw by "
                f">{REGRESSION}, {figure['worse_only_by_furniture']} of them only by the "
                f"headline or furniture lines the true bodies keep, {figure['worse_declined']} "
                "pages a crawl drops (their flags, or no text); the rest are "
                f"{figure['worse_emitted_share']:.1%} of the pages a crawl emits"
            )
            print(
                f"{'':<20} with its record's image captions after the body (kept apart by "
                f"design): F1 {figure['f1_with_captions']:.3f}"
            )
            heads = figure["headline"]
            assert isinstance(heads, dict)
            print(
                f"{'':<20} headline: of {heads['pages']} true bodies that open with ours or "
                f"trafilatura's title, {heads[OURS]} open with ours, "
                f"{heads[TRAFILATURA_TITLE]} with trafilatura's"
            )
    for dataset, figure in figures.items():
        worse = figure.get("worse_than_raw")
        if worse:
            assert isinstance(worse, list)
            print(f"\n{dataset}: pages where ours is worse than raw trafilatura by >{REGRESSION}")
            for doc in worse:
                mark = "  (furniture only)" if doc["furniture_only"] else ""
                if doc["declined"]:
                    mark += f"  (dropped by a crawl: {', '.join(doc['declined'])})"
                print(f"  {doc['id']}  {doc['raw_f1']:.3f} -> {doc['ours_f1']:.3f}{mark}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--limit", type=int, default=None, help="documents per dataset")
    parser.add_argument("--json", type=Path, default=None, help="write all figures here")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--extractors",
        default=",".join(EXTRACTORS),
        help=f"comma-separated subset of {', '.join(EXTRACTORS)}",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    # trafilatura logs every page it rejects at ERROR, readability every failure with a
    # traceback: the table reports those pages as empty.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("readability").setLevel(logging.CRITICAL)
    names = [n for n in args.extractors.split(",") if n]
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        parser.error(f"unknown extractors: {', '.join(unknown)}")

    datasets = find_datasets(args.data)
    if not datasets:
        parser.error("no ground-truth.json found under the given --data paths")
    started = time.perf_counter()
    figures = report(run(datasets, args.limit, args.jobs, names), names)
    print_table(figures)
    print(f"\n{len(datasets)} dataset(s) in {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
