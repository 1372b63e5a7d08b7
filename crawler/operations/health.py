"""Is a run healthy? The verdict exit codes, cron mail and monitoring act on.

A run is unhealthy when it did not finish normally; when a part of it failed (an output
that could not be written, the state store, a feed export, an extraction worker that
crashed); when it logged an ERROR (expected failures are INFO: an ERROR is a problem to
act on); when too many downloads failed; when a site answered nothing but errors; or when
a site that usually finds articles found none (its feeds answered, but listed nothing).
The per-site history that "usually" needs lives in the state directory, next to the
dedup state, and only healthy runs add to it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.operations.drift import remember
from pipelines.output.files import write_atomic

logger = logging.getLogger(__name__)

HISTORY_FILE = "site_history.json"
# Stats that name a failure of the run's own machinery, and how to say it.
_FAILURE_STATS = (
    ("news/clean/worker_crash", "{n} extraction worker crashes (pages lost for this run)"),
    ("news/clean/pool_broken", "extraction workers could not start ({n} pages dropped)"),
    ("news/output/failed", "{n} records could not be written"),
)
_FEED_FAILURES = "feedexport/failed_count/"


@dataclass
class Health:
    ok: bool = True
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)


def error_rate(stats: dict[str, Any]) -> float:
    """Failed downloads over all downloads of feeds, sitemaps, pages and articles.

    Counted by outcome, not by attempt: a page that answered after two retries is one
    success, one that failed after them one failure (``news/fetch/<reason>``, counted by
    the spider). robots.txt and refusals (robots rules, revisit rules, site boundaries)
    are not downloads of ours.
    """
    failed = sum(v for k, v in stats.items() if k.startswith("news/fetch/"))
    answered = sum(
        v
        for k, v in stats.items()
        if k.startswith("news/site/") and k.rsplit("/", 1)[1] in ("hub_ok", "fetched")
    )
    total = failed + answered
    return failed / total if total else 0.0


def assess(
    finish_reason: str,
    stats: dict[str, Any],
    sites: dict[str, dict[str, Any]],
    history: dict[str, dict[str, Any]],
    max_error_rate: float,
    failures: list[str] | None = None,
    reported_errors: int = 0,
) -> Health:
    """The verdict; ``failures`` are problems the run's components reported themselves,
    in ``reported_errors`` ERROR lines of the log."""
    health = Health()
    for failure in failures or ():
        health.fail(failure)
    if finish_reason != "finished":
        health.fail(f"the crawl ended with finish reason {finish_reason!r}, not 'finished'")
    for key, text in _FAILURE_STATS:
        if stats.get(key):
            health.fail(text.format(n=stats[key]))
    failed_exports = sum(v for k, v in stats.items() if k.startswith(_FEED_FAILURES))
    if failed_exports:
        health.fail(f"{failed_exports} feed exports failed")
    # ERROR lines beyond the reported failures' own were not explained.
    errors = stats.get("log_count/ERROR", 0) - reported_errors
    if errors > 0:
        health.fail(f"{errors} ERROR lines in the log")
    rate = error_rate(stats)
    if rate > max_error_rate:
        health.fail(f"{rate:.0%} of downloads failed (more than {max_error_rate:.0%})")
    for name, counts in sites.items():
        attempts = counts.get("hub_attempts", 0)
        answered = counts.get("hub_ok", 0)
        if attempts and not answered:
            health.fail(f"site {name!r}: all {attempts} feed/sitemap/start page requests failed")
            continue
        usual = history.get(name, {}).get("usual_discovered", 0)
        found = counts.get("discovered", 0) + counts.get("not_modified", 0)
        if answered and usual and not found:
            health.fail(f"site {name!r} found no articles (it usually finds about {usual})")
    return health


def load_history(state_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((state_dir / HISTORY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("Ignoring unreadable site history: %s", exc)
        return {}
    return data if isinstance(data, dict) else {}


def update_history(
    state_dir: Path,
    history: dict[str, dict[str, Any]],
    sites: dict[str, dict[str, Any]],
    summaries: dict[str, dict[str, Any]],
) -> None:
    """Remember, per site, how many articles a run usually discovers, and its summary."""
    for name, counts in sites.items():
        entry = history.setdefault(name, {})
        discovered = counts.get("discovered", 0)
        if discovered:
            previous = entry.get("usual_discovered") or discovered
            # A slow moving average: one odd run does not redefine "usual".
            entry["usual_discovered"] = round(0.8 * previous + 0.2 * discovered, 1)
        if name in summaries:
            remember(entry, summaries[name])
    state_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(state_dir / HISTORY_FILE, json.dumps(history, indent=1, sort_keys=True))
