"""``scrapy reprocess PATH...``: re-clean archived pages, offline, exactly once.

Reads the WARC files named (or every ``*.warc.gz`` / ``*.warc`` under the directories
named: a run directory's ``warc/``, a folder of CC-NEWS files) and runs their pages
through the crawl's cleaning, dedup and output pipelines into a new run directory, with
the same state store as crawls (``NEWS_STATE_DIR``): an article whose text is unchanged
emits nothing, one whose text changed emits the next ``version`` with
``previousFingerprint``. Options as for ``scrapy crawl`` (``-s``, ``-o``...), and:

- ``-a all_hosts=1``: also pages of hosts no registry site covers (site named after the host);
- ``-a since=6h`` / ``-a since=2026-11-01``, ``-a until=...``: captures in this window only.

Settings, registry, arguments and paths are checked before anything starts (one line and
exit code 2); exit codes are those of ``scrapy crawl``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import UsageError

from crawler.addon import read_registry
from crawler.commands.crawl import Command as CrawlCommand
from crawler.commands.crawl import _exit
from crawler.config import ConfigError, NewsConfig
from crawler.discovery.registry import RegistryError
from crawler.operations.exitcodes import ExitCode
from crawler.spiders.reprocess import ReprocessSpider, check_reprocess_arguments

if TYPE_CHECKING:
    import argparse


class Command(CrawlCommand):
    def syntax(self) -> str:
        return "[options] PATH..."

    def short_desc(self) -> str:
        return "Re-clean archived pages (WARC files) through the cleaning, dedup and outputs"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if not args:
            raise UsageError("give the WARC files or directories to re-clean", print_help=True)
        assert self.settings is not None
        try:
            config = NewsConfig.from_settings(self.settings)
            registry = read_registry(config.registry)
            paths = check_reprocess_arguments(registry, {**opts.spargs, "paths": args})
        except (ConfigError, RegistryError) as exc:
            _exit(ExitCode.BAD_CONFIG, str(exc))
        priority = self.settings.getpriority("NEWS_REGISTRY") or "cmdline"
        self.settings.set("NEWS_REGISTRY", registry, priority=priority)
        opts.spargs["paths"] = [str(path) for path in paths]

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run([ReprocessSpider.name], opts)
