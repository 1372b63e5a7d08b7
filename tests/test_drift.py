"""Drift: a site whose records stop looking like its own history is flagged."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

import crawler.settings as project_settings
from crawler.operations.drift import detect, median_words, site_summary, word_bucket
from crawler.operations.exitcodes import ExitCode
from fixtures.harness import FAST_SETTINGS, PROJECT_ROOT, proxy_env, run_crawl
from fixtures.server import REGISTRY, FixtureServer


def summary(**changes: Any) -> dict[str, Any]:
    usual: dict[str, Any] = {
        "emitted": 20,
        "coverage": {"headline": 1.0, "authors": 0.95, "datePublished": 1.0},
        "median_words": 600.0,
        "fetched": 22,
        "article_yield": 0.9,
        "error_rate": 0.02,
    }
    return {**usual, **changes}


def test_a_site_like_its_history_has_no_drift():
    assert detect(summary(), [summary()] * 5) == []


def test_too_little_history_or_too_few_records_flag_nothing():
    broken = summary(coverage={"authors": 0.0})
    assert detect(broken, [summary()] * 2) == [], "two past runs are not a history"
    assert detect({**broken, "emitted": 3}, [summary()] * 5) == [], "three records are noise"


@pytest.mark.parametrize(
    ("now", "flag"),
    [
        ({"coverage": {"authors": 0.1}}, "authors coverage 10% (usually 95%)"),
        ({"median_words": 150.0}, "body length collapsed: median 150 words (usually 600)"),
        ({"article_yield": 0.2}, "articles: 20% of fetched pages came out as articles"),
        ({"error_rate": 0.3}, "errors rising: 30% of downloads failed (usually 2%)"),
    ],
)
def test_each_kind_of_drift_is_named(now, flag):
    flags = detect(summary(**now), [summary()] * 4)
    assert len(flags) == 1 and flags[0].startswith(flag)


def test_small_moves_are_not_drift():
    assert detect(summary(coverage={"authors": 0.8}, median_words=400.0), [summary()] * 4) == []


def test_summary_from_counters():
    counts = {
        "emitted": 4,
        "fields": {"headline": 4, "authors": 2},
        "words": {str(word_bucket(120)): 3, str(word_bucket(900)): 1},
        "fetched": 5,
        "extracted": 4,
        "hub_ok": 1,
        "fetch_failed": {"timeout": 2},
    }
    result = site_summary(counts)
    assert result["coverage"]["authors"] == 0.5 and result["coverage"]["mainImage"] == 0.0
    assert result["median_words"] == 150.0  # the middle of the 100-199 bucket
    assert result["article_yield"] == 0.8 and result["error_rate"] == 0.25
    assert median_words({}) is None


# --- end to end: the crawl, the manifest, cron's line and exit code, spidermon ---------------


def _history(sites: list[str]) -> dict[str, Any]:
    """What a site's history looks like when its records were four times as long."""
    past = summary(median_words=5000.0)
    return {site: {"usual_discovered": 10, "runs": [past] * 4} for site in sites}


@pytest.mark.e2e
def test_a_drifting_site_is_flagged_in_the_manifest_and_the_exit_code(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "site_history.json").write_text(json.dumps(_history(["harbor-herald"])))
    run_dir = tmp_path / "run"
    with FixtureServer() as server:
        result = run_crawl(server.proxy_url, run_dir, state_dir=state)
    assert result.returncode == ExitCode.DRIFT, result.stderr[-2000:]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["health"]["ok"]
    assert [d for d in manifest["drift"] if "harbor-herald" in d and "body length" in d]
    assert all("harbor-herald" in d for d in manifest["drift"])
    site = manifest["sites"]["harbor-herald"]
    assert site["drift"] and 0 < site["coverage"]["headline"] <= 1
    history = json.loads((state / "site_history.json").read_text())
    assert len(history["harbor-herald"]["runs"]) == 5, "a healthy run adds to the history"


@pytest.mark.e2e
def test_cron_shows_drift_in_its_line_and_exit_code(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "site_history.json").write_text(json.dumps(_history(["valley-ledger"])))
    settings = {**FAST_SETTINGS, "NEWS_REGISTRY": str(REGISTRY)}
    args = [a for name, value in settings.items() for a in ("-s", f"{name}={value}")]
    with FixtureServer() as server:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "crawler.operations.cron"),
                *("--output-dir", str(tmp_path / "output"), "--state-dir", str(state)),
                *("--", *args),
            ],
            cwd=PROJECT_ROOT,
            env=proxy_env(server.proxy_url),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == ExitCode.DRIFT, result.stdout + result.stderr[-2000:]
    assert "healthy; DRIFT: site 'valley-ledger': body length collapsed" in result.stdout


@pytest.mark.e2e
def test_spidermon_reports_the_drift(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "site_history.json").write_text(json.dumps(_history(["pacific-wire"])))
    run_dir = tmp_path / "run"
    spidermon = {
        "SPIDERMON_ENABLED": "True",
        "EXTENSIONS": json.dumps(
            {**project_settings.EXTENSIONS, "spidermon.contrib.scrapy.extensions.Spidermon": 500}
        ),
        "SPIDERMON_SPIDER_CLOSE_MONITORS": "crawler.monitors.NewsMonitorSuite",
    }
    with FixtureServer() as server:
        run_crawl(server.proxy_url, run_dir, state_dir=state, settings=spidermon)
    log = (run_dir / "crawl.log").read_text()
    assert "No site drifted from its history... FAIL" in log, log[-3000:]
    assert "pacific-wire" in log.split("No site drifted from its history... FAIL", 1)[1]
