"""kill -9 while archiving and while re-cleaning: no torn WARC file is ever visible, every
visible record's response is in a complete WARC file, and the next run emits the rest once."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import harness
from fixtures.harness import PROJECT_ROOT, crawl_command, proxy_env, reprocess_command
from fixtures.server import REGISTRY, FixtureServer
from pipelines.archive.reader import Capture, scan
from tests.expected import read_records, story_problems

pytestmark = pytest.mark.e2e

CHANGED_SITE = "meridian-times"


def run_dirs(output: Path) -> list[Path]:
    return sorted(p for p in output.iterdir() if p.is_dir()) if output.exists() else []


def visible_records(output: Path) -> list[dict]:
    return [r for d in run_dirs(output) for r in read_records(d)]


def kill_when(command: list[str], output: Path, records: int, env: dict[str, str]) -> None:
    """Start ``command`` and SIGKILL it (all its processes) once ``records`` are visible."""
    harness.kill_when(command, env, lambda: len(visible_records(output)) >= records)


def check_archive(run_dir: Path) -> None:
    """Every visible WARC file reads whole; every record's response is in its file."""
    captures: dict[str, Capture] = {}
    for path in sorted((run_dir / "warc").glob("*.warc.gz")):
        for item in scan(path, 10**8):
            assert isinstance(item, Capture), f"damaged WARC file visible: {item}"
            captures[item.record_id] = item
    for record in read_records(run_dir):
        capture = captures.get(record["warcRecordId"])
        assert capture is not None, f"{record['url']}: its response is not archived"
        assert capture.path == (run_dir / record["warcFile"]).resolve()
        assert capture.url == record["url"]


@pytest.mark.parametrize("kill_after", [1, 8, 20])
def test_sigkill_while_crawling_leaves_no_torn_warc_and_loses_nothing(tmp_path, kill_after):
    output, state = tmp_path / "output", tmp_path / "state"
    settings = {"NEWS_BATCH_SIZE": "3"}
    with FixtureServer() as server:
        env = proxy_env(server.proxy_url)
        first = output / "killed"
        first.mkdir(parents=True)
        kill_when(
            crawl_command(first, state_dir=state, settings=settings),
            output,
            kill_after,
            env,
        )
        assert not (first / "manifest.json").exists(), "killed before it finished"
        check_archive(first)
        second = output / "rerun"
        second.mkdir()
        rerun = subprocess.run(
            crawl_command(second, state_dir=state, settings={"NEWS_BATCH_SIZE": "3"}),
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert not story_problems(visible_records(output))
    for run_dir in (first, second):
        check_archive(run_dir)
        assert not list(run_dir.glob("**/.newscrawler.*.part")), "a dead run's temporary file"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("crawl") / "run"
    run_dir.mkdir()
    with FixtureServer() as server:
        result = subprocess.run(
            crawl_command(run_dir),
            cwd=PROJECT_ROOT,
            env=proxy_env(server.proxy_url),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return run_dir


@pytest.mark.parametrize("kill_after", [1, 4])
def test_sigkill_while_re_cleaning_then_rerun_emits_each_revision_once(
    crawled, tmp_path, kill_after
):
    state = tmp_path / "state"
    shutil.copytree(crawled / "state", state, ignore=shutil.ignore_patterns("*.lock"))
    registry = tmp_path / "changed.toml"
    registry.write_text(
        REGISTRY.read_text(encoding="utf-8")
        + f'\n[sites.{CHANGED_SITE}.cleaning]\ndrop_phrases = [" the "]\n',
        encoding="utf-8",
    )
    output = tmp_path / "output"
    settings = {"NEWS_BATCH_SIZE": "2", "NEWS_EXTRACT_WORKERS": "1"}
    first, second = output / "killed", output / "rerun"
    for run_dir in (first, second):
        run_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    kill_when(
        reprocess_command(
            [crawled / "warc"], first, state_dir=state, registry=registry, settings=settings
        ),
        output,
        kill_after,
        env,
    )
    killed = read_records(first)
    assert killed, "the first run was killed after it had committed something"
    rerun = subprocess.run(
        reprocess_command([crawled / "warc"], second, state_dir=state, registry=registry),
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    revised = visible_records(output)
    expected = [r for r in read_records(crawled) if r["site"] == CHANGED_SITE]
    assert sorted(r["id"] for r in revised) == sorted(r["id"] for r in expected)
    assert all(r["version"] == 2 for r in revised)
    before = {r["id"]: r["fingerprint"] for r in expected}
    assert all(r["previousFingerprint"] == before[r["id"]] for r in revised)
    texts = [p for d in (first, second) for p in (d / "text").glob("*.txt")]
    assert len(texts) == len(revised)
