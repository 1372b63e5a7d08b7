"""The throughput benchmark counts what each variant produced, whatever its output layout,
and stops when a variant gave back too few pages to be compared."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.throughput.__main__ import _check_complete
from bench.throughput.variants import environment, run_command

# The trafilatura CLI writes one file per page and starts a numbered subdirectory every
# 1,000 files: counting only the top level once reported 3,000 pages as 3.
_NESTED_OUTPUT = """
import pathlib, sys
out = pathlib.Path(sys.argv[1])
for directory, count in (("1", 3), ("2", 2)):
    (out / directory).mkdir(parents=True)
    for n in range(count):
        (out / directory / f"{n}.txt").write_text("text of a page")
(out / "2" / "empty.txt").write_text("")
"""


def test_one_file_per_page_in_numbered_subdirectories_counts_every_page(tmp_path: Path):
    out = tmp_path / "cli"
    command = [sys.executable, "-c", _NESTED_OUTPUT, str(out)]
    run = run_command("nested", command, out, environment(None))
    assert run.pages == 5


def test_json_lines_output_counts_the_pages_with_text(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    script = (
        "import sys, json; open(sys.argv[1], 'w').write("
        "json.dumps({'text': 'a'}) + '\\n' + json.dumps({'text': ''}) + '\\n')"
    )
    run = run_command("lines", [sys.executable, "-c", script, str(out)], out, environment(None))
    assert run.pages == 1


def test_a_variant_that_gives_back_too_few_pages_stops_the_benchmark():
    _check_complete("all", 3000, 3000)
    _check_complete("a few lost", 2900, 3000)
    with pytest.raises(RuntimeError, match="trafilatura_cli gave 3 of 3000 pages"):
        _check_complete("trafilatura_cli", 3, 3000)
