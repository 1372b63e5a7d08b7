"""The run report from manifests: which runs, what is read, what the page shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from crawler.operations.report import ReportError, load_history
from crawler.operations.report_page import render
from fixtures.harness import PROJECT_ROOT


def manifest(start: str, sites: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "start_time": f"2026-11-{start}:00+00:00",
        "finish_time": f"2026-11-{start}:40+00:00",
        "finish_reason": "finished",
        "health": {"ok": True, "problems": []},
        "records": sum(s.get("emitted", 0) for s in sites.values()),
        "error_rate": 0.02,
        "sites": sites,
        "stats": {"downloader/response_count": 80, "elapsed_time_seconds": 40.0},
        **extra,
    }


def write_run(output: Path, name: str, data: Any) -> Path:
    run = output / name
    run.mkdir(parents=True)
    text = data if isinstance(data, str) else json.dumps(data)
    (run / "manifest.json").write_text(text, encoding="utf-8")
    return run


def cells(page: str, **wanted: str) -> list[str]:
    """Text of the cells whose data-* attributes have the wanted values ("": none)."""
    root = lxml.html.document_fromstring(page)
    condition = " and ".join(
        f"@data-{k}='{v}'" if v else f"not(@data-{k})" for k, v in wanted.items()
    )
    return [cell.text_content() for cell in root.xpath(f"//td[{condition}]")]


@pytest.fixture
def output(tmp_path: Path) -> Path:
    out = tmp_path / "output"
    write_run(out, "2026-11-20T100000Z", manifest("20T10:00", {"npr": {"emitted": 4}}))
    write_run(
        out,
        "2026-11-21T100000Z",
        manifest(
            "21T10:00",
            {
                "npr": {
                    "emitted": 7,
                    "discovered": 12,
                    "fetched": 11,
                    "dropped": {"too_short": 2, "near_duplicate": 1},
                    "coverage": {"headline": 1.0, "authors": 0.857, "mainImage": 0.5},
                    "median_words": 412.5,
                    "drift": ["authors fell from 95% to 40%"],
                },
                "bbc-news": {"emitted": 3},
            },
            drift=["npr: authors fell from 95% to 40%"],
        ),
    )
    (out / "2026-11-22T100000Z").mkdir()  # a run in progress: no manifest yet
    (out / "report.html").write_text("old", encoding="utf-8")
    return out


def test_the_last_n_runs_by_name_oldest_first(output):
    history = load_history(output, 20)
    assert [r.name for r in history.runs] == ["2026-11-20T100000Z", "2026-11-21T100000Z"]
    assert [r.name for r in load_history(output, 1).runs] == ["2026-11-21T100000Z"]
    run = history.runs[-1]
    assert run.pages_per_second == 2.0 and run.records == 10
    assert run.sites["npr"].dropped == {"too_short": 2, "near_duplicate": 1}
    assert run.sites["bbc-news"].coverage is None and run.sites["bbc-news"].drift is None


def test_page_shows_records_coverage_drift_drops_and_speed(output):
    page = render(load_history(output, 20))
    latest = "2026-11-21T100000Z"
    assert cells(page, run=latest, site="npr", field="emitted") == ["7", "7"]
    assert cells(page, run="2026-11-20T100000Z", site="npr", field="emitted") == ["4", "4"]
    assert cells(page, run="2026-11-20T100000Z", site="bbc-news", field="emitted") == ["–"]
    assert cells(page, run=latest, site="npr", field="coverage-authors") == ["86%"]
    assert cells(page, run=latest, site="npr", field="coverage-mainImage") == ["50%"]
    assert cells(page, run=latest, site="npr", field="coverage-datePublished") == []
    assert cells(page, run=latest, site="npr", field="median_words") == ["412"]
    assert cells(page, run=latest, site="bbc-news", field="median_words") == ["n/a"]
    header = lxml.html.document_fromstring(page).xpath("//tr[th='mainImage']/th/text()")
    assert header[2:5] == ["headline", "authors", "mainImage"]  # the reported ones, in order
    assert cells(page, run=latest, site="bbc-news", field="coverage-headline") == ["n/a"]
    assert cells(page, run=latest, site="npr", field="drift") == [
        "authors fell from 95% to 40%",
        "authors fell from 95% to 40%",
    ]
    assert cells(page, run="2026-11-20T100000Z", site="", field="drift") == ["n/a"]
    assert cells(page, run=latest, site="", field="drift") == ["npr: authors fell from 95% to 40%"]
    assert cells(page, run=latest, site="npr", field="dropped") == ["near_duplicate 1, too_short 2"]
    assert cells(page, site="npr", field="drop-too_short") == ["2"]
    assert cells(page, site="bbc-news", field="drop-too_short") == ["0"]
    assert cells(page, run=latest, field="pages_per_second") == ["2.0"]
    assert "downloader/response_count" in page


def test_page_is_self_contained_and_escapes_what_manifests_say(tmp_path):
    hostile = '<script>alert("x")</script>'
    out = tmp_path / "output"
    write_run(
        out,
        "2026-11-20T100000Z",
        manifest("20T10:00", {hostile: {"emitted": 1, "drift": [hostile]}}),
    )
    page = render(load_history(out, 5))
    root = lxml.html.document_fromstring(page)
    assert not root.xpath("//script")
    assert not root.xpath("//*[@src]") and not root.xpath("//link")
    assert root.xpath("//svg")  # the charts are inline
    assert hostile in root.text_content()


def test_unreadable_manifests_are_listed_not_hidden(tmp_path):
    out = tmp_path / "output"
    write_run(out, "2026-11-20T100000Z", "{not json")
    write_run(out, "2026-11-21T100000Z", manifest("21T10:00", {"npr": {"emitted": 2}}))
    history = load_history(out, 5)
    assert [s.name for s in history.skipped] == ["2026-11-20T100000Z"]
    assert "Skipped (manifest unreadable): 2026-11-20T100000Z" in render(history)


def test_no_runs_is_an_error(tmp_path):
    with pytest.raises(ReportError, match=r"no run directory with a manifest\.json under"):
        load_history(tmp_path, 5)
    with pytest.raises(ReportError, match="cannot read"):
        load_history(tmp_path / "missing", 5)
    write_run(tmp_path, "2026-11-20T100000Z", "[]")
    with pytest.raises(ReportError, match="no readable run"):
        load_history(tmp_path, 5)


def report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "report", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_command_writes_the_page_and_fails_in_one_line(output, tmp_path):
    result = report("--output-dir", str(output), "--runs", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Report of 2 runs written to {output / 'report.html'}\n"
    assert "npr" in (output / "report.html").read_text(encoding="utf-8")
    target = tmp_path / "elsewhere.html"
    assert report("--output-dir", str(output), "-o", str(target)).returncode == 0
    assert target.exists()

    empty = report("--output-dir", str(tmp_path / "none"))
    assert empty.returncode == 1
    assert empty.stderr.startswith("error: cannot read ") and empty.stderr.count("\n") == 1
    bad = report("--output-dir", str(output), "--runs", "0")
    assert bad.returncode == 2
    assert bad.stderr == "error: --runs: expected a whole number from 1 (got 0)\n"
