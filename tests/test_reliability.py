"""Failures on our side, end to end with the real command line: nothing lost, nothing twice.

Each test breaks something for real (a full disk, an unwritable directory, a held lock, a
damaged database, a second crawl on the same state), checks that the run stops with one
clear line and a non-zero exit without recording what it did not write, and then that the
next good run emits exactly what the failed one did not. Disks are small tmpfs mounts,
made when the test may mount (root in a container or CI); otherwise those tests skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from crawler.operations.exitcodes import ExitCode
from fixtures.harness import PROJECT_ROOT, crawl_command, proxy_env, run_crawl
from fixtures.server import FixtureServer
from pipelines.output.layout import MANIFEST_NAME, TEXT_DIR_NAME
from tests.expected import read_records, story_problems
from tests.redis_server import redis_server
from tests.workers import common_settings, seed, start_worker

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@contextmanager
def tmpfs(path: Path, size: str, *, read_only: bool = False) -> Iterator[Path]:
    """A small file system of its own at ``path``; skips the test where mounting is denied."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0777" + (",ro" if read_only else "")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def crawl(server: FixtureServer, run_dir: Path, state: Path, **settings: str) -> Any:
    return run_crawl(server.proxy_url, run_dir, state_dir=state, settings=settings)


def records_of(*run_dirs: Path) -> list[dict[str, Any]]:
    return [r for d in run_dirs if d.is_dir() for r in read_records(d)]


def manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))


def one_clear_line(result: Any) -> None:
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text[-3000:]


def texts_match_records(run_dir: Path) -> None:
    """Every visible text file belongs to a visible record, and the other way round."""
    ids = {r["id"] for r in read_records(run_dir)}
    texts = {p.stem.split("_", 1)[1] for p in (run_dir / TEXT_DIR_NAME).glob("*.txt")}
    assert ids == texts
    assert not list(run_dir.glob("**/.newscrawler.*.part")), "temporary files left behind"


# --- outputs that cannot be written -----------------------------------------------------


def test_a_run_directory_that_cannot_be_created_stops_before_anything(server, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    state = tmp_path / "state"
    failed = crawl(server, tmp_path / "logs", state, NEWS_RUN_DIR=str(blocker / "run"))
    assert failed.returncode == ExitCode.STATE_UNUSABLE
    assert "error: cannot write the run directory" in failed.stderr
    one_clear_line(failed)
    good = tmp_path / "good"
    assert crawl(server, good, state).returncode == ExitCode.OK
    assert not story_problems(records_of(good))


def test_a_read_only_output_directory_stops_the_crawl(server, tmp_path):
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as read_only:
        failed = run_crawl(
            server.proxy_url,
            tmp_path / "unused",
            state_dir=tmp_path / "state",
            settings={"NEWS_RUN_DIR": "", "NEWS_OUTPUT_DIR": str(read_only)},
        )
    assert failed.returncode == ExitCode.STATE_UNUSABLE, failed.stderr[-2000:]
    assert "Read-only file system" in failed.stderr
    one_clear_line(failed)


@contextmanager
def disk_filled_after_first_batch(disk: Path, run_dir: Path) -> Iterator[None]:
    """Fill ``disk`` to the last byte as soon as the crawl's first batch is visible.

    A fixed small size would make the test depend on how big records, text files and
    WARC segments are (it broke when records grew): filling at a known moment means one
    batch is committed and a later one meets a full disk, whatever their sizes.
    """
    stop = threading.Event()

    def fill() -> None:
        while not stop.is_set() and not (run_dir.is_dir() and read_records(run_dir)):
            time.sleep(0.005)
        if stop.is_set():
            return
        chunk = b"\0" * 65536
        # Unbuffered, so ENOSPC comes from a write here and not from the close.
        with contextlib.suppress(OSError), (disk / "filler").open("wb", buffering=0) as filler:
            while True:
                filler.write(chunk)

    filler = threading.Thread(target=fill, daemon=True)
    filler.start()
    try:
        yield
    finally:
        stop.set()
        filler.join(timeout=10)


def test_a_full_disk_stops_the_run_and_the_next_run_emits_exactly_the_rest(server, tmp_path):
    state, log = tmp_path / "state", tmp_path / "crawl.log"
    with tmpfs(tmp_path / "small", "16m") as small:
        with disk_filled_after_first_batch(small, small / "run"):
            failed = crawl(server, small / "run", state, NEWS_BATCH_SIZE="4", LOG_FILE=str(log))
        assert failed.returncode == ExitCode.UNHEALTHY, failed.stderr[-2000:]
        text = log.read_text()
        assert "output failed" in text and "No space left on device" in text
        assert "Traceback" not in text
        committed = records_of(small / "run")
        assert 0 < len(committed) < 41
        texts_match_records(small / "run")
    rest = tmp_path / "rest"
    again = crawl(server, rest, state)
    assert again.returncode == ExitCode.OK, again.stderr[-2000:]
    assert not story_problems(committed + records_of(rest))


def test_a_state_store_held_locked_fails_the_batch_and_loses_nothing(server, tmp_path):
    state = tmp_path / "state"
    first = tmp_path / "first"
    # One site only: the locked run must have stories of its own to commit, however fast
    # the first run is (stopping it after N items let it finish every site on a quick run).
    one_site = run_crawl(
        server.proxy_url, first, state_dir=state, extra_args=["-a", "site=harbor-herald"]
    )
    assert one_site.returncode == ExitCode.OK, one_site.stderr[-2000:]
    before = records_of(first)
    holder = sqlite3.connect(state / "state.sqlite3", isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")  # another program writes and does not let go
    try:
        locked = tmp_path / "locked"
        failed = crawl(server, locked, state, NEWS_STATE_TIMEOUT="1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert failed.returncode == ExitCode.UNHEALTHY, failed.stderr[-2000:]
    log = (locked / "crawl.log").read_text()
    assert "stayed locked" in log and "Traceback" not in log
    assert records_of(locked) == [], "nothing of a batch that did not commit is visible"
    texts_match_records(locked)
    rest = tmp_path / "rest"
    assert crawl(server, rest, state).returncode == ExitCode.OK
    assert not story_problems(before + records_of(rest))


def test_a_failed_feed_of_the_users_makes_the_run_unhealthy_not_incomplete(server, tmp_path):
    state = tmp_path / "state"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    run_dir = tmp_path / "run"
    result = run_crawl(
        server.proxy_url,
        run_dir,
        state_dir=state,
        extra_args=["-o", str(blocker / "mine.jsonl")],
    )
    assert result.returncode == ExitCode.UNHEALTHY
    assert not manifest(run_dir)["health"]["ok"]
    assert not story_problems(records_of(run_dir)), "the run's own outputs are complete"
    assert not (state / "validators.json").exists(), "an unhealthy run saves no validators"


# --- state shared, damaged ----------------------------------------------------------------


def test_two_crawls_on_one_state_directory_never_emit_twice(server, tmp_path):
    state = tmp_path / "state"
    env = proxy_env(server.proxy_url)
    runs = [tmp_path / "one", tmp_path / "two"]
    for run_dir in runs:
        run_dir.mkdir()
    started = [
        subprocess.Popen(
            crawl_command(run_dir, state_dir=state),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run_dir in runs
    ]
    outcomes = [process.communicate(timeout=300) for process in started]
    codes = sorted(process.returncode for process in started)
    assert codes == [ExitCode.OK, ExitCode.LOCKED], outcomes
    loser = started[[p.returncode for p in started].index(ExitCode.LOCKED)]
    assert "is using" in outcomes[started.index(loser)][1]
    assert not story_problems(records_of(*runs))


def test_a_second_crawl_may_wait_for_the_first(server, tmp_path):
    state = tmp_path / "state"
    first = tmp_path / "first"
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(crawl(server, first, state)))
    thread.start()
    while not (state / "state.lock").exists():
        time.sleep(0.05)
    second = crawl(server, tmp_path / "second", state, NEWS_STATE_LOCK="wait")
    thread.join()
    assert results[0].returncode == ExitCode.OK and second.returncode == ExitCode.OK
    assert not story_problems(records_of(first, tmp_path / "second"))


def test_random_bytes_in_the_state_database_stop_the_run_with_what_to_do(server, tmp_path):
    state = tmp_path / "state"
    assert crawl(server, tmp_path / "first", state).returncode == ExitCode.OK
    database = state / "state.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(database.read_bytes())
    page = 4096
    data[2 * page : 3 * page] = os.urandom(page)  # one page of a table, overwritten
    database.write_bytes(bytes(data))
    damaged = crawl(server, tmp_path / "second", state)
    assert damaged.returncode == ExitCode.STATE_UNUSABLE, damaged.stderr[-2000:]
    assert "is damaged" in damaged.stderr and "NEWS_STATE_RESET" in damaged.stderr
    one_clear_line(damaged)
    assert not list((tmp_path / "second").glob("articles-*.jsonl"))


def test_a_truncated_state_database_stops_the_run_without_a_traceback(server, tmp_path):
    state = tmp_path / "state"
    assert crawl(server, tmp_path / "first", state).returncode == ExitCode.OK
    database = state / "state.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 3])
    damaged = crawl(server, tmp_path / "second", state)
    assert damaged.returncode == ExitCode.STATE_UNUSABLE, damaged.stderr[-2000:]
    assert "NEWS_STATE_RESET" in damaged.stderr
    one_clear_line(damaged)
    fresh = crawl(server, tmp_path / "third", state, NEWS_STATE_RESET="1")
    assert fresh.returncode == ExitCode.OK


# --- touching nothing that is not ours ---------------------------------------------------


def test_startup_cleanup_leaves_other_programs_files_alone(server, tmp_path):
    output = tmp_path / "home"
    theirs = [
        output / ".mail.part",
        output / "project" / ".download.part",
        output / "project" / "deep" / ".cache.part",
    ]
    for path in theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("someone else's")
    result = crawl(server, output / "run", tmp_path / "state")
    assert result.returncode == ExitCode.OK
    assert all(path.read_text() == "someone else's" for path in theirs)


def test_a_run_with_nothing_new_writes_no_batch_file(server, tmp_path):
    state = tmp_path / "state"
    assert crawl(server, tmp_path / "first", state).returncode == ExitCode.OK
    second = tmp_path / "second"
    assert crawl(server, second, state).returncode == ExitCode.OK
    assert not list(second.glob("articles-*.jsonl"))
    assert manifest(second)["records"] == 0
    assert manifest(second)["health"]["ok"]


# --- the shared state of distributed mode ---------------------------------------------------


@pytest.mark.redis
def test_redis_killed_mid_crawl_then_restarted_loses_nothing(server, tmp_path):
    with redis_server(persistent=True) as redis:
        common = common_settings(redis.url, NEWS_CLAIM_TTL="1", NEWS_BATCH_SIZE="3")
        first = tmp_path / "round1"
        seed(server.proxy_url, common)
        worker = start_worker(server.proxy_url, first, {**common, "NEWS_WORKER_ID": "w1"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not records_of(first) and worker.poll() is None:
            time.sleep(0.05)
        redis.kill()
        _, stderr = worker.communicate(timeout=180)
        assert worker.returncode != ExitCode.OK, "a worker that lost Redis is not healthy"
        assert "Traceback" not in stderr
        log = (first / "crawl.log").read_text()
        assert "lost the connection to Redis" in log
        committed = records_of(first)
        assert committed, "some batches were committed before Redis died"
        redis.restart()
        time.sleep(2)  # the dead worker's claims and lease lapse (NEWS_CLAIM_TTL=1)
        second = tmp_path / "round2"
        seed(server.proxy_url, common)
        worker = start_worker(server.proxy_url, second, {**common, "NEWS_WORKER_ID": "w1"})
        _, stderr = worker.communicate(timeout=300)
        assert worker.returncode == ExitCode.OK, stderr[-2000:]
    assert not story_problems(committed + records_of(second))
