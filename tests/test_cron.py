"""The cron entry point: lock, dated runs, health and exit codes, hard kills."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.discovery.urls import article_id
from crawler.operations.cron import LOCK_NAME, run_crawl
from crawler.operations.exitcodes import ExitCode
from crawler.operations.health import assess, error_rate
from fixtures.harness import FAST_SETTINGS, PROJECT_ROOT, kill_when, proxy_env
from fixtures.server import REGISTRY, FixtureServer
from pipelines.state.lock import DirectoryLock, StateLocked
from tests.expected import load_expected, read_records

CRON = [sys.executable, "-m", "crawler.operations.cron"]


def cron_args(tmp_path: Path, *extra: str) -> list[str]:
    settings = {**FAST_SETTINGS, "NEWS_REGISTRY": str(REGISTRY)}
    scrapy_args = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    return [
        *CRON,
        "--output-dir",
        str(tmp_path / "output"),
        "--state-dir",
        str(tmp_path / "state"),
        *extra,
        "--",
        *scrapy_args,
    ]


def run_dirs(tmp_path: Path) -> list[Path]:
    output = tmp_path / "output"
    return sorted(p for p in output.iterdir() if p.is_dir()) if output.exists() else []


def test_lock_is_exclusive_and_names_its_holder(tmp_path):
    first = DirectoryLock(tmp_path / LOCK_NAME)
    first.acquire()
    second = DirectoryLock(tmp_path / LOCK_NAME)
    with pytest.raises(StateLocked, match=f"pid {os.getpid()}"):
        second.acquire()
    assert second.holder() == str(os.getpid())
    first.release()
    second.acquire()


def test_health_rules():
    sites = {"a": {"hub_attempts": 3, "hub_ok": 0}, "b": {"hub_attempts": 2, "hub_ok": 2}}
    health = assess("finished", {}, sites, {"b": {"usual_discovered": 9}}, 0.25)
    assert not health.ok
    assert any("'a'" in p and "failed" in p for p in health.problems)
    assert any("'b'" in p and "no articles" in p for p in health.problems)
    assert assess("shutdown", {}, {}, {}, 0.25).problems == [
        "the crawl ended with finish reason 'shutdown', not 'finished'"
    ]
    stats = {
        "downloader/request_count": 30,  # attempts, retries and robots.txt included
        "news/site/a/hub_ok": 2,
        "news/site/a/fetched": 4,
        "news/site/b/fetched": 0,
        "news/fetch/http_503": 1,
        "news/fetch/timeout": 1,
        "news/site/a/fetch_failed/timeout": 1,
    }
    assert error_rate(stats) == pytest.approx(2 / 8)
    assert error_rate({}) == 0.0


def test_errors_of_the_runs_own_machinery_count_against_health():
    stats = {
        "log_count/ERROR": 3,
        "news/clean/worker_crash": 2,
        "feedexport/failed_count/FileFeedStorage": 1,
    }
    health = assess("finished", stats, {}, {}, 0.25)
    assert not health.ok
    assert "2 extraction worker crashes (pages lost for this run)" in health.problems
    assert "1 feed exports failed" in health.problems
    assert "3 ERROR lines in the log" in health.problems
    # ERROR lines a component reported with its own failure are not counted twice.
    reported = assess("finished", {"log_count/ERROR": 1}, {}, {}, 0.25, ["state lost"], 1)
    assert reported.problems == ["state lost"]
    assert assess("finished", {}, {}, {}, 0.25).ok


@pytest.mark.e2e
def test_second_run_while_locked_exits_at_once_and_touches_nothing(tmp_path):
    holder = DirectoryLock(tmp_path / "state" / LOCK_NAME)
    holder.acquire()
    started = time.monotonic()
    result = subprocess.run(
        cron_args(tmp_path), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == ExitCode.LOCKED
    assert time.monotonic() - started < 10
    assert "is using" in result.stderr
    assert not (tmp_path / "output").exists()
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == [LOCK_NAME]


@pytest.mark.e2e
def test_healthy_run_exits_zero_into_a_dated_directory(tmp_path):
    with FixtureServer() as server:
        result = subprocess.run(
            cron_args(tmp_path),
            cwd=PROJECT_ROOT,
            env=proxy_env(server.proxy_url),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr[-2000:]
    (run_dir,) = run_dirs(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["health"] == {"ok": True, "problems": []}
    assert set(manifest["sites"]) == set(load_expected())
    for counts in manifest["sites"].values():
        assert counts["discovered"] >= 9 and counts["emitted"] >= 8
        assert counts["fetched"] >= counts["emitted"]
    assert not (tmp_path / "state" / "job").exists(), "a finished run clears its JOBDIR"


@pytest.mark.e2e
def test_site_returning_only_errors_makes_the_run_unhealthy(tmp_path):
    registry = tmp_path / "broken.toml"
    registry.write_text(
        REGISTRY.read_text(encoding="utf-8")
        + '\n[sites.broken]\ndomains = ["broken.test"]\nfeeds = ["http://broken.test/feed.xml"]\n',
        encoding="utf-8",
    )
    args = cron_args(tmp_path)
    args[args.index(f"NEWS_REGISTRY={REGISTRY}")] = f"NEWS_REGISTRY={registry}"
    with FixtureServer() as server:
        result = subprocess.run(
            args,
            cwd=PROJECT_ROOT,
            env=proxy_env(server.proxy_url),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == ExitCode.UNHEALTHY, result.stdout + result.stderr[-2000:]
    (run_dir,) = run_dirs(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert not manifest["health"]["ok"]
    assert any("'broken'" in p for p in manifest["health"]["problems"]), manifest["health"]
    assert "UNHEALTHY" in result.stdout


@pytest.mark.e2e
@pytest.mark.parametrize("kill_after_records", [1, 6, 12, 20, 30])
def test_sigkill_during_run_then_rerun_emits_everything_exactly_once(tmp_path, kill_after_records):
    env_settings = ["-s", "NEWS_BATCH_SIZE=5"]
    with FixtureServer() as server:
        env = proxy_env(server.proxy_url)

        def written() -> bool:
            emitted = sum(len(read_records(d)) for d in run_dirs(tmp_path))
            texts = sum(len(list((d / "text").glob("*.txt"))) for d in run_dirs(tmp_path))
            return emitted + texts >= kill_after_records

        kill_when([*cron_args(tmp_path), *env_settings], env, written)
        rerun = subprocess.run(
            [*cron_args(tmp_path), *env_settings],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert rerun.returncode in (ExitCode.OK, ExitCode.UNHEALTHY), rerun.stderr[-2000:]
    records = [r for d in run_dirs(tmp_path) for r in read_records(d)]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "an article was emitted twice"
    expected = load_expected()
    stories = {a.id for site in expected.values() for a in site.articles}
    original_of = {d.id: article_id(d.of) for site in expected.values() for d in site.duplicates}
    assert {original_of.get(i, i) for i in ids} == stories
    text_files = [p for d in run_dirs(tmp_path) for p in (d / "text").glob("*.txt")]
    assert len(text_files) == len(records)
    for run_dir in run_dirs(tmp_path):
        assert not list(run_dir.glob("**/.*.part")), "a half-written file is visible"


# A stand-in crawl: "starts" for half a second, then marks its engine running, and
# records when SIGINT arrives.
_STARTING_CRAWL = """
import pathlib, signal, sys, time
run = pathlib.Path(sys.argv[1])
got = []
signal.signal(signal.SIGINT, lambda *_: got.append(time.monotonic()))
time.sleep(0.5)
started = time.monotonic()
(run / ".newscrawler-engine").write_text("1")
while len(got) < int(sys.argv[2]):
    time.sleep(0.01)
(run / "stopped").write_text(str(got[0] - started))
"""


def test_the_cron_holds_a_stop_until_the_engine_runs(tmp_path):
    command = [sys.executable, "-c", _STARTING_CRAWL, str(tmp_path), "1"]
    assert run_crawl(command, time_limit=0.05, grace=30, run_dir=tmp_path) == 0
    assert float((tmp_path / "stopped").read_text()) >= 0  # after the mark, not before


@pytest.mark.e2e
def test_a_stop_during_start_up_waits_for_the_engine_and_closes_the_run(tmp_path):
    # Scrapy stops a crawl whose engine is not running yet without closing it (no
    # manifest, exit 1): the cron holds the stop until the engine runs.
    with FixtureServer() as server:
        stopped = subprocess.run(
            [*cron_args(tmp_path, "--time-limit", "0.1", "--grace", "60")],
            cwd=PROJECT_ROOT,
            env=proxy_env(server.proxy_url),
            capture_output=True,
            text=True,
            timeout=120,
        )
    (run_dir,) = run_dirs(tmp_path)
    assert (run_dir / "manifest.json").is_file(), stopped.stderr[-2000:]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["finish_reason"] == "shutdown"
    assert stopped.returncode == ExitCode.UNHEALTHY
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".newscrawler")]


@pytest.mark.e2e
def test_graceful_stop_at_time_limit_then_resume(tmp_path):
    # The limit counts from the start of the command, and a stop before the engine runs
    # ends the crawl without its close (Scrapy stops the reactor): slow enough pages that
    # the limit falls mid-crawl even when start-up takes seconds on a busy machine.
    slow = [
        "-s",
        "DOWNLOAD_DELAY=1",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "NEWS_BATCH_SIZE=5",
    ]
    with FixtureServer() as server:
        env = proxy_env(server.proxy_url)
        first = subprocess.run(
            [*cron_args(tmp_path, "--time-limit", "10", "--grace", "60"), *slow],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        stopped = run_dirs(tmp_path)[0]
        manifest = json.loads((stopped / "manifest.json").read_text())
        assert manifest["finish_reason"] == "shutdown"
        assert first.returncode == ExitCode.UNHEALTHY
        assert (tmp_path / "state" / "job").exists(), "a stopped run keeps its queue"
        # The resume needs no slow pages: what it checks is what the stopped run left.
        second = subprocess.run(
            [*cron_args(tmp_path), "-s", "NEWS_BATCH_SIZE=5"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert second.returncode == ExitCode.OK, second.stdout + second.stderr[-2000:]
    records = [r for d in run_dirs(tmp_path) for r in read_records(d)]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert 0 < len(read_records(stopped)) < len(records), (len(read_records(stopped)), len(records))
    expected = load_expected()
    stories = {a.id for site in expected.values() for a in site.articles}
    original_of = {d.id: article_id(d.of) for site in expected.values() for d in site.duplicates}
    assert {original_of.get(i, i) for i in ids} == stories
