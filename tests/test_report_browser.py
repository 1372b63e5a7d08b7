"""The run report of real fixture crawls, rendered by headless Chromium: the page a person
opens shows the runs' numbers (records per site, coverage, pages/s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from fixtures.harness import PROJECT_ROOT, run_crawl
from fixtures.server import FixtureServer
from pipelines.output.layout import MANIFEST_NAME, new_run_dir
from tests.chromium import dump_dom, screenshot
from tests.expected import load_expected, read_records

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def stories() -> set[str]:
    """The fixture sites' stories: what a first plain crawl emits, one record each."""
    return {a.id for site in load_expected().values() for a in site.articles}


def coverage_of(records: list[dict[str, Any]]) -> dict[str, float]:
    """Field coverage of a site's records, as the manifest's per-site "coverage" has it:
    the share of emitted records with each field."""
    fields = ("headline", "authors", "datePublished", "inLanguage", "description", "mainImage")
    return {f: round(sum(1 for r in records if r.get(f)) / len(records), 3) for f in fields}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Two fixture runs in one output directory: everything, then nothing new."""
    output = tmp_path_factory.mktemp("output")
    state = tmp_path_factory.mktemp("state")
    runs = []
    with FixtureServer() as server:
        for _ in range(2):
            run_dir = new_run_dir(output)
            result = run_crawl(server.proxy_url, run_dir, state_dir=state)
            assert result.returncode == 0, result.stderr[-3000:]
            runs.append(run_dir)
    first = runs[0]
    manifest = json.loads((first / MANIFEST_NAME).read_text(encoding="utf-8"))
    records = read_records(first)
    for site, counts in manifest["sites"].items():
        # Until the crawl records coverage itself, the test adds it as the manifest will
        # hold it: {field: share} per site, here from the run's own records.
        if "coverage" not in counts:
            counts["coverage"] = coverage_of([r for r in records if r["site"] == site])
    (first / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return output, runs


def test_chromium_shows_the_runs_numbers(crawled, tmp_path):
    output, runs = crawled
    page = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--output-dir", str(output), "-o", str(page)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    dom = lxml.html.document_fromstring(dump_dom(page))

    def shown(**wanted: str) -> list[str]:
        condition = " and ".join(f"@data-{k}='{v}'" for k, v in wanted.items())
        return [" ".join(c.text_content().split()) for c in dom.xpath(f"//td[{condition}]")]

    first = json.loads((runs[0] / MANIFEST_NAME).read_text(encoding="utf-8"))
    name = runs[0].name
    assert shown(run=name, field="records") == [str(first["records"])] == [str(len(stories()))]
    for site, counts in first["sites"].items():
        # Once in the records-per-site table, once in the run's own table.
        assert shown(run=name, site=site, field="emitted") == [str(counts["emitted"])] * 2
    later = runs[1].name  # nothing new: 0 records, and no coverage to show
    assert shown(run=later, site="valley-ledger", field="coverage-authors") == ["n/a"]
    assert shown(run=later, site="valley-ledger", field="coverage-headline") == ["n/a"]
    second = json.loads((runs[1] / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert shown(run=later, field="records") == ["0"]
    pages = second["stats"]["downloader/response_count"] / second["stats"]["elapsed_time_seconds"]
    assert shown(run=later, field="pages_per_second") == [f"{pages:,.1f}"]
    # The charts are in the rendered page, as SVG.
    assert len(dom.xpath("//*[local-name()='svg']")) >= 3
    assert screenshot(page, tmp_path / "report.png").stat().st_size > 10_000


def test_chromium_shows_coverage_figures(crawled, tmp_path):
    _, runs = crawled
    page = tmp_path / "first.html"
    # Only the first run: its manifest has the coverage of its records.
    only_first = tmp_path / "one-run"
    only_first.mkdir()
    (only_first / runs[0].name).symlink_to(runs[0])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "report",
            "--output-dir",
            str(only_first),
            "-o",
            str(page),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    dom = lxml.html.document_fromstring(dump_dom(page))
    manifest = json.loads((runs[0] / MANIFEST_NAME).read_text(encoding="utf-8"))
    for site, counts in manifest["sites"].items():
        for name, share in counts["coverage"].items():
            cell = dom.xpath(
                f"//td[@data-run='{runs[0].name}' and @data-site='{site}' "
                f"and @data-field='coverage-{name}']"
            )
            assert [c.text_content() for c in cell] == [f"{share:.0%}"], (site, name)
    # Every fixture article has a headline; not every one an author.
    harbor = manifest["sites"]["harbor-herald"]["coverage"]
    assert (
        harbor["headline"] == 1.0
        and 0 < manifest["sites"]["valley-ledger"]["coverage"]["authors"] < 1
    )
