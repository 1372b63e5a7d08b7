"""The run report's data: the last N runs, read from their ``manifest.json``.

Runs are the directories under the output directory (``NEWS_OUTPUT_DIR``) that hold a
``manifest.json``; their dated names (``2026-11-22T213000Z``) sort by time, so the last N
names are the last N runs. A run still in progress (no manifest yet) is not a run here;
a manifest that cannot be read is listed as skipped, with why, never silently left out.

What is read of a manifest: ``start_time``, ``finish_time``, ``finish_reason``,
``health``, ``records``, ``error_rate``, the top-level ``drift`` list, and per site under
``sites``: ``emitted``, ``discovered``, ``fetched``, ``dropped`` (by reason),
``coverage`` (``{field: share}``), ``median_words`` and ``drift`` (a list of strings).
Coverage, body length and drift that a manifest lacks (older runs, or before they were
recorded) read as unknown, shown as "n/a", never as 0; a site's counter that is absent
is 0 (counters appear when first incremented).

Pages per second are ``downloader/response_count`` (every response downloaded: feeds,
sitemaps, start pages, articles, robots.txt) over the run's elapsed time
(``elapsed_time_seconds`` in its stats, else finish minus start time).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.output.layout import MANIFEST_NAME

# The record fields whose coverage the manifest reports, by their record names (the
# columns shown as n/a for runs that do not report coverage).
COVERAGE_FIELDS = ("headline", "description", "authors", "datePublished", "mainImage", "inLanguage")
RESPONSES_STAT = "downloader/response_count"
ELAPSED_STAT = "elapsed_time_seconds"


@dataclass(frozen=True)
class SiteRun:
    """One site in one run."""

    site: str
    emitted: int
    discovered: int
    fetched: int
    dropped: dict[str, int]
    coverage: dict[str, float] | None  # field -> share of articles that have it, 0..1
    median_words: float | None
    drift: list[str] | None


@dataclass(frozen=True)
class Run:
    name: str  # the run directory's name
    path: Path
    start: datetime | None
    finish: datetime | None
    finish_reason: str
    healthy: bool | None
    problems: list[str]
    records: int
    responses: int | None
    elapsed: float | None  # seconds
    error_rate: float | None
    sites: dict[str, SiteRun]
    drift: list[str] | None

    @property
    def pages_per_second(self) -> float | None:
        if self.responses is None or not self.elapsed:
            return None
        return self.responses / self.elapsed


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass
class RunHistory:
    output_dir: Path
    runs: list[Run] = field(default_factory=list)  # oldest first
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def sites(self) -> list[str]:
        return sorted({site for run in self.runs for site in run.sites})


class ReportError(Exception):
    """No report can be made; the message says why."""


def load_history(output_dir: Path, last: int) -> RunHistory:
    """The last ``last`` runs under ``output_dir``; ReportError if there is none."""
    try:
        candidates = sorted(
            p for p in output_dir.iterdir() if p.is_dir() and (p / MANIFEST_NAME).is_file()
        )
    except OSError as exc:
        raise ReportError(f"cannot read {output_dir}: {exc.strerror or exc}") from exc
    history = RunHistory(output_dir)
    for path in candidates[-last:]:
        try:
            history.runs.append(read_run(path))
        except (OSError, ValueError) as exc:
            history.skipped.append(Skipped(path.name, str(exc)))
    if not history.runs:
        found = "no run directory with a manifest.json" if not candidates else "no readable run"
        raise ReportError(f"{found} under {output_dir}")
    return history


def read_run(path: Path) -> Run:
    """One run from its manifest; ValueError (or OSError) when it cannot be read."""
    try:
        manifest = json.loads((path / MANIFEST_NAME).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"manifest.json is not JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(manifest, dict):
        raise ValueError("manifest.json is not a JSON object")
    stats = _mapping(manifest.get("stats"))
    start, finish = _time(manifest.get("start_time")), _time(manifest.get("finish_time"))
    elapsed = _number(stats.get(ELAPSED_STAT))
    if elapsed is None and start and finish:
        elapsed = (finish - start).total_seconds()
    health = _mapping(manifest.get("health"))
    sites = {
        str(name): _site_run(str(name), _mapping(counts))
        for name, counts in _mapping(manifest.get("sites")).items()
    }
    return Run(
        name=path.name,
        path=path,
        start=start,
        finish=finish,
        finish_reason=str(manifest.get("finish_reason") or "unknown"),
        healthy=health["ok"] if isinstance(health.get("ok"), bool) else None,
        problems=[str(p) for p in health.get("problems") or []],
        records=_count(manifest.get("records")) or 0,
        responses=_count(stats.get(RESPONSES_STAT)),
        elapsed=elapsed,
        error_rate=_number(manifest.get("error_rate")),
        sites=sites,
        drift=_strings(manifest.get("drift")),
    )


def _site_run(name: str, counts: dict[str, Any]) -> SiteRun:
    coverage = counts.get("coverage")
    shares = None
    if isinstance(coverage, dict):
        shares = {str(k): n for k, v in coverage.items() if (n := _number(v)) is not None}
    return SiteRun(
        site=name,
        emitted=_count(counts.get("emitted")) or 0,
        # A counter a site never incremented is absent: none happened.
        discovered=_count(counts.get("discovered")) or 0,
        fetched=_count(counts.get("fetched")) or 0,
        dropped={
            str(reason): n
            for reason, value in _mapping(counts.get("dropped")).items()
            if (n := _count(value)) is not None
        },
        coverage=shares,
        median_words=_number(counts.get("median_words")),
        drift=_strings(counts.get("drift")),
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _strings(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [str(v) for v in value]


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
