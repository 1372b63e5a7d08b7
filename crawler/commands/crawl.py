"""``scrapy crawl``: refuses bad configuration in one line, and exits with the run's verdict.

Before the crawler process and its logging exist, a ``news`` crawl's ``NEWS_*`` settings,
registry and spider arguments are validated; a problem is one line on stderr and exit
code 2, with nothing written and no state touched. The registry read here is handed to
the crawl (``NEWS_REGISTRY`` then holds it, validated), so it is read once.

A crawl that cannot start (the state directory locked by another run, a damaged state
store) also ends with one line, and its own exit code; a crawl that ran exits with its
health verdict: 0 healthy, 1 not (see ``manifest.json``). Codes: :mod:`crawler.operations.
exitcodes`.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.addon import NewsAddon, read_registry
from crawler.config import ConfigError, NewsConfig
from crawler.discovery.registry import RegistryError
from crawler.operations.exitcodes import ExitCode
from crawler.spiders.news import NewsSpider, check_spider_arguments
from pipelines.output.runs import RunDirectoryBusy
from pipelines.state.lock import StateLocked
from pipelines.state.store import StoreError

if TYPE_CHECKING:
    import argparse

# What stops a crawl before it starts, and the exit code that says so.
_BOOTSTRAP_ERRORS: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (ConfigError, ExitCode.BAD_CONFIG),
    (StateLocked, ExitCode.LOCKED),
    (StoreError, ExitCode.STATE_UNUSABLE),
    (RunDirectoryBusy, ExitCode.STATE_UNUSABLE),
)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if args and args[0] == NewsSpider.name and self.settings is not None:
            try:
                config = NewsConfig.from_settings(self.settings)
                registry = read_registry(config.registry)
                check_spider_arguments(registry, opts.spargs)
            except (ConfigError, RegistryError) as exc:
                _exit(ExitCode.BAD_CONFIG, str(exc))
            priority = self.settings.getpriority("NEWS_REGISTRY") or "cmdline"
            self.settings.set("NEWS_REGISTRY", registry, priority=priority)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("expected one spider name: scrapy crawl news")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        failures: list[BaseException] = []
        _catch(self.crawler_process.crawl(crawler, **opts.spargs), failures)
        self.crawler_process.start()
        if failures:
            code, message = _bootstrap_failure(failures[0])
            _exit(code, message)
        addon = crawler.get_addon(NewsAddon)
        self.exitcode = addon.exit_code if addon is not None else ExitCode.OK
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.UNHEALTHY


def _catch(started: Any, failures: list[BaseException]) -> None:
    """Keep the exception a crawl failed to start with (a Deferred or an asyncio Task)."""
    if hasattr(started, "addErrback"):
        started.addErrback(lambda failure: failures.append(failure.value))
    else:

        def done(task: Any) -> None:
            if not task.cancelled() and task.exception() is not None:
                failures.append(task.exception())

        started.add_done_callback(done)


def _bootstrap_failure(error: BaseException) -> tuple[ExitCode, str]:
    for kind, code in _BOOTSTRAP_ERRORS:
        if isinstance(error, kind):
            return code, str(error)
    # Not an expected failure: a bug, whose traceback is worth more than one line.
    traceback.print_exception(error)
    return ExitCode.UNHEALTHY, f"the crawl could not start: {type(error).__name__}: {error}"


def _exit(code: ExitCode, message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(int(code))
