"""NewsAddon: the crawler-owned object every component of the project reaches first.

Built by Scrapy from ``ADDONS`` before any extension, middleware or pipeline, it

- validates every ``NEWS_*`` setting (:class:`crawler.config.NewsConfig`) and reads the
  site registry, once per crawl, before anything is written: a bad value stops the crawl
  with a :class:`crawler.config.ConfigError` naming it;
- picks the run directory (``NEWS_RUN_DIR``, or a new dated one under
  ``NEWS_OUTPUT_DIR``) and adds the run's JSON Lines feed to ``FEEDS``, beside any feed
  of the user's (``-o``, ``-O``, ``FEEDS``): those never replace it;
- keeps the run's outcome: a component that cannot do its part (an output that cannot
  be written, a state store gone) calls :meth:`fail`, which stops the crawl, and the
  manifest's health verdict lands in :attr:`health`, from which ``scrapy crawl`` takes
  its exit code.

Components get it with ``crawler.get_addon(NewsAddon)`` (see :func:`news_addon`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.defer import deferred_from_coro

from crawler.config import ConfigError, NewsConfig
from crawler.discovery.registry import Registry, RegistryError, load_registry
from crawler.exporters import RECORDS_FORMAT, RecordLinesExporter
from crawler.operations import jobdir
from crawler.operations.exitcodes import ExitCode
from pipelines.output.layout import FEED_TEMPLATE, new_run_dir
from pipelines.state.store import StoreError

if TYPE_CHECKING:
    from crawler.operations.health import Health

logger = logging.getLogger(__name__)

# The feed option that marks the run's own feed: its batches commit their records.
COMMIT_OPTION = "news_commit"
# Problems kept for the manifest: the first ones say what happened; a full disk repeats.
_MAX_PROBLEMS = 5


class NewsAddon:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._config: NewsConfig | None = None
        self._registry: Registry | None = None
        self.run_dir: Path | None = None
        self.problems: list[str] = []
        self.errors_logged = 0  # ERROR lines fail() wrote: the health verdict expects them
        self.health: Health | None = None
        self.drift: list[str] = []  # sites that stopped looking like their history
        self._stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        config = NewsConfig.from_settings(settings)
        self._registry = read_registry(config.registry)
        job_dir = settings.get("JOBDIR")
        if job_dir and jobdir.is_unclean(Path(job_dir)):
            raise StoreError(
                f"JOBDIR {job_dir} holds the queue of a crawl that did not stop cleanly "
                "(killed?): Scrapy cannot resume it; delete the folder to start afresh "
                "(what that crawl committed is kept by the state store)"
            )
        run_dir = config.run_dir or new_run_dir(config.output_dir)
        self.run_dir = run_dir
        _set_over(settings, "NEWS_RUN_DIR", str(run_dir))
        # First among the feeds: the feed exporter gives each item to its feeds in order,
        # and stops at one that fails (a user's -o into a directory that cannot be made).
        # as_uri() would percent-encode the %(batch_id)s placeholder.
        feeds = {}
        feeds["file://" + str(run_dir.resolve() / FEED_TEMPLATE)] = {
            "format": RECORDS_FORMAT,  # JSON Lines (crawler.exporters)
            "encoding": "utf-8",
            "batch_item_count": config.batch_size,
            # A run with nothing new writes no batch file; the manifest says what happened.
            "store_empty": False,
            COMMIT_OPTION: True,
        }
        feeds.update(settings.getdict("FEEDS"))
        _set_over(settings, "FEEDS", feeds)
        exporter = f"{RecordLinesExporter.__module__}.{RecordLinesExporter.__qualname__}"
        exporters = {**settings.getdict("FEED_EXPORTERS"), RECORDS_FORMAT: exporter}
        _set_over(settings, "FEED_EXPORTERS", exporters)

    # --- what every component reads ---------------------------------------------------

    @property
    def config(self) -> NewsConfig:
        """The final settings (after every add-on, e.g. distributed mode, had its say)."""
        if self._config is None:
            self._config = NewsConfig.from_settings(self.crawler.settings)
        return self._config

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = read_registry(self.config.registry)
        return self._registry

    @property
    def output_dir(self) -> Path:
        assert self.run_dir is not None, "NewsAddon.update_settings has not run"
        return self.run_dir

    # --- the run's outcome -------------------------------------------------------------

    def fail(self, problem: str, reason: str = "failed") -> None:
        """Something this run promised cannot be done: say it once, and stop the crawl.

        The first problem is the run's one ERROR line; what follows from it (the other
        items in flight that cannot be written either) is logged at INFO.
        """
        if problem in self.problems:
            return
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem)
        if not self._stopping:
            logger.error("%s", problem)
            self.errors_logged += 1
        else:
            logger.info("Also: %s", problem)
        if self._stopping:
            return
        self._stopping = True
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no engine yet (or in a unit test): nothing to stop
            return
        if engine is not None and engine.running:
            # Not awaited: closing waits for the items in progress, maybe the caller's.
            deferred_from_coro(engine.close_spider_async(reason=reason))

    @property
    def exit_code(self) -> int:
        if self.health is None:
            return ExitCode.UNHEALTHY  # the run never got as far as its verdict
        if not self.health.ok:
            return ExitCode.UNHEALTHY
        return ExitCode.DRIFT if self.drift else ExitCode.OK


def news_addon(crawler: Crawler) -> NewsAddon:
    """The crawl's :class:`NewsAddon`; an error if ``ADDONS`` lacks it."""
    addon = crawler.get_addon(NewsAddon)
    if addon is None:
        raise ConfigError("crawler.addon.NewsAddon is not in ADDONS: the project cannot run")
    return addon


def read_registry(value: Path | Registry | None) -> Registry:
    if isinstance(value, Registry):
        return value
    try:
        return load_registry(value)
    except RegistryError as exc:
        raise ConfigError(str(exc)) from exc


def _set_over(settings: BaseSettings, name: str, value: Any) -> None:
    """Set ``name`` so that it wins over what it replaces, whatever that one's priority."""
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
    settings.set(name, value, priority=priority)
