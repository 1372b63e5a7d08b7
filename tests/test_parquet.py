"""Parquet batches: the same records as the JSON Lines batches, committed with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from crawler.items import Article
from crawler.operations.exitcodes import ExitCode
from fixtures.harness import crawl_command, kill_when, proxy_env, run_crawl
from fixtures.server import FixtureServer
from pipelines.output.parquet import SCHEMA, write_batch
from tests.expected import read_records, story_problems


def test_the_schema_holds_every_record_field():
    fields = set(Article.__dataclass_fields__)
    assert set(SCHEMA.names) == fields


def test_a_batch_round_trips_with_nulls_and_lists(tmp_path):
    records: list[dict[str, Any]] = [
        {
            "id": "a" * 16,
            "url": "http://a.test/1",
            "authors": [{"name": "A B", "nameRaw": "By A B"}],
            "mainImage": {"url": "http://a.test/i.jpg", "width": 800},
            "wordCount": 120,
        },
        {"id": "b" * 16, "url": "http://a.test/2", "flags": ["short"], "unknown": "ignored"},
    ]
    write_batch(tmp_path / "b.parquet", records)
    table = pq.read_table(tmp_path / "b.parquet")
    assert table.schema.equals(SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert rows[0]["authors"] == [{"name": "A B", "nameRaw": "By A B"}]
    assert rows[0]["mainImage"]["width"] == 800 and rows[1]["authors"] is None
    assert rows[1]["flags"] == ["short"] and "unknown" not in rows[1]


def _parquet_ids(*run_dirs: Path) -> list[str]:
    return [
        row["id"]
        for run_dir in run_dirs
        for path in sorted(run_dir.glob("articles-*.parquet"))
        for row in pq.read_table(path, columns=["id"]).to_pylist()
    ]


@pytest.mark.e2e
def test_a_run_in_both_formats_reads_back_with_duckdb(tmp_path):
    run_dir = tmp_path / "run"
    with FixtureServer() as server:
        result = run_crawl(
            server.proxy_url,
            run_dir,
            settings={"NEWS_OUTPUT_FORMATS": "jsonl,parquet", "NEWS_BATCH_SIZE": "10"},
        )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    pattern = str(run_dir / "articles-*.parquet")
    database = duckdb.connect()
    count, sites = database.execute(
        "SELECT count(*), count(DISTINCT site) FROM read_parquet(?)", [pattern]
    ).fetchall()[0]
    assert count == manifest["records"] == len(read_records(run_dir)) >= 36
    assert sites == 4
    assert sorted(_parquet_ids(run_dir)) == sorted(r["id"] for r in read_records(run_dir))
    for batch in run_dir.glob("articles-*.jsonl"):
        parquet = batch.with_suffix(".parquet")
        assert [r["id"] for r in map(json.loads, batch.read_text().splitlines())] == [
            row["id"] for row in pq.read_table(parquet, columns=["id"]).to_pylist()
        ], "each Parquet batch holds its JSON Lines batch's records, in order"


@pytest.mark.e2e
def test_parquet_alone(tmp_path):
    run_dir = tmp_path / "run"
    with FixtureServer() as server:
        result = run_crawl(server.proxy_url, run_dir, settings={"NEWS_OUTPUT_FORMATS": "parquet"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert not list(run_dir.glob("articles-*.jsonl"))
    assert not list(run_dir.glob(".newscrawler.*"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["records"] == len(_parquet_ids(run_dir)) >= 36


@pytest.mark.e2e
@pytest.mark.parametrize("kill_after", [3, 15])
def test_a_killed_run_leaves_parquet_batches_exactly_once(tmp_path, kill_after):
    state = tmp_path / "state"
    settings = {"NEWS_OUTPUT_FORMATS": "jsonl,parquet", "NEWS_BATCH_SIZE": "4"}
    first = tmp_path / "first"
    first.mkdir()
    with FixtureServer() as server:
        kill_when(
            crawl_command(first, settings=settings, state_dir=state),
            proxy_env(server.proxy_url),
            lambda: len(_parquet_ids(first)) >= kill_after,
        )
        second = tmp_path / "second"
        rerun = run_crawl(server.proxy_url, second, settings=settings, state_dir=state)
    assert rerun.returncode == ExitCode.OK, rerun.stderr[-2000:]
    parquet_rows = [{"id": i} for i in _parquet_ids(first, second)]
    assert not story_problems(parquet_rows)
    assert sorted(_parquet_ids(first, second)) == sorted(
        r["id"] for r in read_records(first) + read_records(second)
    )
