"""Drift: a site whose records stopped looking like its own recent history.

Layout changes break extraction silently: the crawl still finishes, the records just
lose their authors, shrink to a teaser, or stop coming. Each run summarises every site
(field coverage of its emitted records, their median length, the share of fetched pages
that came out as articles, the share of downloads that failed) and compares the summary
with the site's last runs (kept in ``site_history.json`` in the state directory):

- **coverage**: a field's coverage fell below 70% of its usual share, and by more than 30
  points (a site's authors coverage from 95% to 20%);
- **body length**: the median record is under half its usual length;
- **articles**: under half the usual share of fetched pages came out as articles;
- **errors**: more than 10% of the site's downloads failed, and twice its usual share.

A check needs :data:`MIN_PAST_RUNS` earlier runs and :data:`MIN_RECORDS` pages (or
records) in this run, so a quiet incremental run never raises noise. History keeps the
last :data:`HISTORY_RUNS` runs: a lasting change becomes the site's new normal after that.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

# Fields whose coverage a run reports and drift watches (share of emitted records).
COVERAGE_FIELDS = (
    "headline",
    "authors",
    "datePublished",
    "inLanguage",
    "description",
    "mainImage",
    # Read from the page's markup too: a redesign loses them as quietly as the authors.
    "images",
    "articleSection",
    "keywords",
    "breadcrumbs",
)
# Lower bounds of the body-length histogram, in words.
WORD_BUCKETS = (0, 50, 100, 200, 400, 800, 1600, 3200)
MIN_PAST_RUNS = 3
MIN_RECORDS = 5
HISTORY_RUNS = 10


def word_bucket(words: int) -> int:
    """The histogram bucket (its lower bound) a body of ``words`` words falls in."""
    return max(b for b in WORD_BUCKETS if words >= b)


def median_words(histogram: Mapping[str, int]) -> float | None:
    """The median body length from the histogram (the middle of its bucket)."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for low in WORD_BUCKETS:
        seen += histogram.get(str(low), 0)
        if seen * 2 >= total:
            upper = next((b for b in WORD_BUCKETS if b > low), low * 2)
            return (low + upper) / 2
    return float(WORD_BUCKETS[-1])


def site_summary(counts: Mapping[str, Any]) -> dict[str, Any]:
    """What drift compares, from one site's counters (see the manifest's ``sites``)."""
    emitted = counts.get("emitted", 0)
    fields = counts.get("fields", {})
    fetched = counts.get("fetched", 0)
    failed = sum(counts.get("fetch_failed", {}).values())
    attempts = fetched + counts.get("hub_ok", 0) + failed
    return {
        "emitted": emitted,
        "coverage": {f: round(fields.get(f, 0) / emitted, 3) for f in COVERAGE_FIELDS}
        if emitted
        else {},
        "median_words": median_words(counts.get("words", {})),
        "fetched": fetched,
        "article_yield": round(counts.get("extracted", 0) / fetched, 3) if fetched else None,
        "error_rate": round(failed / attempts, 3) if attempts else None,
    }


def detect(summary: Mapping[str, Any], past: list[Mapping[str, Any]]) -> list[str]:
    """How this run's summary of a site departs from its past runs' (empty: no drift)."""
    if len(past) < MIN_PAST_RUNS:
        return []
    flags = []
    if summary["emitted"] >= MIN_RECORDS:
        for field, share in summary["coverage"].items():
            usual = _usual(past, lambda run, f=field: run.get("coverage", {}).get(f))
            if usual is not None and share < 0.7 * usual and usual - share > 0.3:
                flags.append(f"{field} coverage {share:.0%} (usually {usual:.0%})")
        usual_words = _usual(past, lambda run: run.get("median_words"))
        words = summary["median_words"]
        if usual_words and words is not None and words < 0.5 * usual_words:
            flags.append(
                f"body length collapsed: median {words:.0f} words (usually {usual_words:.0f})"
            )
    if summary["fetched"] >= MIN_RECORDS and summary["article_yield"] is not None:
        usual_yield = _usual(past, lambda run: run.get("article_yield"))
        if usual_yield and summary["article_yield"] < 0.5 * usual_yield:
            flags.append(
                f"articles: {summary['article_yield']:.0%} of fetched pages came out as "
                f"articles (usually {usual_yield:.0%})"
            )
    rate = summary["error_rate"]
    if rate is not None and summary["fetched"] >= MIN_RECORDS and rate > 0.1:
        usual_rate = _usual(past, lambda run: run.get("error_rate"))
        if usual_rate is not None and rate > 2 * usual_rate:
            flags.append(
                f"errors rising: {rate:.0%} of downloads failed (usually {usual_rate:.0%})"
            )
    return flags


def _usual(past: list[Mapping[str, Any]], value: Any) -> float | None:
    """The median of a measure over the past runs that had it."""
    values = [v for v in (value(run) for run in past) if v is not None]
    return statistics.median(values) if len(values) >= MIN_PAST_RUNS else None


def site_drift(
    sites: Mapping[str, Mapping[str, Any]], history: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Every site's summary of this run, and its drift flags against its history."""
    summaries = {name: site_summary(counts) for name, counts in sites.items()}
    flags = {
        name: detect(summary, list(history.get(name, {}).get("runs", [])))
        for name, summary in summaries.items()
    }
    return summaries, flags


def describe(flags: Mapping[str, list[str]]) -> list[str]:
    """One line per drift flag, naming its site."""
    return [f"site {name!r}: {flag}" for name, site_flags in flags.items() for flag in site_flags]


def remember(entry: dict[str, Any], summary: Mapping[str, Any]) -> None:
    """Add this run's summary to a site's history entry, keeping the last runs."""
    runs = [*entry.get("runs", []), dict(summary)]
    entry["runs"] = runs[-HISTORY_RUNS:]
