"""``scrapy report``: one self-contained HTML page about the last N runs.

Reads ``manifest.json`` of the last ``--runs`` run directories under ``--output-dir``
(default: ``NEWS_OUTPUT_DIR``) and writes the page to ``-o FILE`` (default:
``<output-dir>/report.html``), replacing it in one step. Records per site per run, field
coverage, drift flags, drop reasons, pages per second, with small charts; see
:mod:`crawler.operations.report` for what is read and how.

Exit codes: 0 written; 1 no run to report on (or the page cannot be written); 2 a bad
option or setting. Each failure is one line on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.config import ConfigError, NewsConfig
from crawler.operations.exitcodes import ExitCode
from crawler.operations.report import ReportError, load_history
from crawler.operations.report_page import render
from pipelines.output.files import write_atomic

if TYPE_CHECKING:
    import argparse

REPORT_NAME = "report.html"
DEFAULT_RUNS = 20


class Command(ScrapyCommand):
    requires_project = True
    # Manifests in, one file out: no crawl.
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Write an HTML report of the last runs (records, coverage, drift, drops, speed)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--runs",
            type=int,
            default=DEFAULT_RUNS,
            metavar="N",
            help=f"the last N runs (default: {DEFAULT_RUNS})",
        )
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            metavar="DIR",
            help="where the run directories are (default: NEWS_OUTPUT_DIR)",
        )
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            default=None,
            metavar="FILE",
            help=f"the page to write (default: DIR/{REPORT_NAME})",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy report takes no arguments, only options")
        assert self.settings is not None
        try:
            config = NewsConfig.from_settings(self.settings)
            if opts.runs < 1:
                raise ConfigError(f"--runs: expected a whole number from 1 (got {opts.runs})")
        except ConfigError as exc:
            _fail(ExitCode.BAD_CONFIG, str(exc))
        output_dir: Path = opts.output_dir or config.output_dir
        target: Path = opts.output or output_dir / REPORT_NAME
        try:
            history = load_history(output_dir, opts.runs)
        except ReportError as exc:
            _fail(ExitCode.UNHEALTHY, str(exc))
        page = render(history)
        try:
            write_atomic(target, page)
        except OSError as exc:
            _fail(ExitCode.UNHEALTHY, f"cannot write {target}: {exc.strerror or exc}")
        skipped = f", {len(history.skipped)} skipped" if history.skipped else ""
        sys.stdout.write(f"Report of {len(history.runs)} runs{skipped} written to {target}\n")


def _fail(code: ExitCode, message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(int(code))
