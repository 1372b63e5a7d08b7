"""The run manifest: a JSON summary written next to a run's outputs when it ends.

It holds the start and end times, the finish reason, the health verdict and its
reasons, errors by kind, per-site counts (discovered, fetched, not modified,
extracted, dropped by reason, duplicates, emitted), the output files with their
record counts and every stat, so scripts and monitoring never parse the log.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.operations.health import Health, error_rate
from pipelines.output.files import write_atomic
from pipelines.output.layout import (
    MANIFEST_NAME,
    TEXT_DIR_NAME,
    WARC_DIR_NAME,
    count_records,
    feed_files,
    parquet_files,
)
from pipelines.output.parquet import count_rows


def json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def errors_by_kind(stats: dict[str, Any]) -> dict[str, int]:
    """Download exceptions, HTTP error statuses and callback errors, by kind."""
    prefixes = ("downloader/exception_type_count/", "spider_exceptions/")
    errors = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith(prefixes)}
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/") and key.rsplit("/", 1)[1] >= "400":
            errors[f"http_{key.rsplit('/', 1)[1]}"] = value
    errors["log_error_lines"] = stats.get("log_count/ERROR", 0)
    return errors


def output_counts(run_dir: Path) -> dict[str, int]:
    """Records per batch file (JSON Lines and Parquet), and the number of text files and
    WARC files."""
    outputs = {feed.name: count_records(feed) for feed in feed_files(run_dir)}
    outputs.update({batch.name: count_rows(batch) for batch in parquet_files(run_dir)})
    text_dir = run_dir / TEXT_DIR_NAME
    if text_dir.is_dir():
        outputs[f"{TEXT_DIR_NAME}/"] = sum(1 for _ in text_dir.glob("*.txt"))
    warc_dir = run_dir / WARC_DIR_NAME
    if warc_dir.is_dir():
        outputs[f"{WARC_DIR_NAME}/"] = sum(1 for _ in warc_dir.glob("*.warc.gz"))
    return outputs


def build_manifest(
    *,
    spider: str | None,
    reason: str,
    stats: dict[str, Any],
    sites: dict[str, dict[str, Any]],
    health: Health,
    outputs: dict[str, int],
    drift: list[str],
) -> dict[str, Any]:
    return {
        "spider": spider,
        "start_time": json_safe(stats.get("start_time")),
        "finish_time": json_safe(stats.get("finish_time")),
        "finish_reason": reason,
        "health": {"ok": health.ok, "problems": health.problems},
        "drift": drift,
        "error_rate": round(error_rate(stats), 4),
        "errors": errors_by_kind(stats),
        "sites": sites,
        "outputs": outputs,
        "records": _records(outputs),
        "stats": json_safe(stats),
    }


def _records(outputs: dict[str, int]) -> int:
    """Records of the run: its batches in one format (the same records in every format)."""
    for suffix in (".jsonl", ".parquet"):
        counts = [v for k, v in outputs.items() if k.endswith(suffix)]
        if counts:
            return sum(counts)
    return 0


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> Path:
    path = run_dir / MANIFEST_NAME
    run_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(manifest, indent=2, sort_keys=True))
    return path


def site_counters(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``news/site/<site>/<counter>`` stats regrouped per site, for the manifest.

    Counters with a slash (``dropped/<reason>``, ``fields/<field>``, ``words/<bucket>``,
    ``fetch_failed/<reason>``) become nested counts.
    """
    sites: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if not key.startswith("news/site/"):
            continue
        _, _, site, counter = key.split("/", 3)
        entry = sites.setdefault(site, {})
        group, _, name = counter.partition("/")
        if name:
            entry.setdefault(group, {})[name] = value
        else:
            entry[counter] = value
    for entry in sites.values():
        dropped = entry.get("dropped", {})
        entry["duplicates"] = sum(
            dropped.get(r, 0) for r in ("duplicate_text", "near_duplicate", "same_id_in_run")
        )
        # Extracted counts pages that got through extraction, emitted or not.
        entry["extracted"] = entry.get("emitted", 0) + sum(
            v for r, v in dropped.items() if r in _AFTER_EXTRACTION
        )
    return dict(sorted(sites.items()))


_AFTER_EXTRACTION = {"unchanged", "duplicate_text", "near_duplicate", "same_id_in_run"}
