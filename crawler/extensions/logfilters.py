"""QuietExpectedErrors: expected failures are one INFO line; ERROR means something is wrong.

The run's health counts ERROR lines, so an ERROR must be a problem of ours to act on, never
the open web being the open web:

- a robots.txt that cannot be downloaded is logged by Scrapy as an ERROR with a traceback;
  it is an expected download failure (the site is then crawled as if it had none), made
  one INFO line;
- a batch that could not be written (:class:`crawler.extensions.feedstorage.OutputError`)
  has been reported in one clear line already: Scrapy's own ERROR with a traceback for the
  same failure (the feed exporter's, or a signal handler's) is left out.

Give-ups after retries are INFO by ``RETRY_GIVE_UP_LOG_LEVEL`` in the settings.
The filters are removed when the engine stops.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.extensions.feedstorage import OutputError

_ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
_REPORTED_LOGGERS = ("scrapy.extensions.feedexport", "scrapy.utils.signal")


class _RobotsFailure(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.msg.startswith("Error downloading"):
            record.levelno, record.levelname = logging.INFO, "INFO"
            error = record.exc_info[1] if record.exc_info else None
            record.exc_info, record.exc_text = None, None
            if error is not None:
                record.msg = "robots.txt unavailable (%(f_exception)s), crawling as if none"
        return True


class _AlreadyReported(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, OutputError) and not isinstance(
            getattr(error, "value", None), OutputError
        )


class QuietExpectedErrors:
    def __init__(self) -> None:
        self._installed: list[tuple[logging.Logger, logging.Filter]] = [
            (logging.getLogger(_ROBOTS_LOGGER), _RobotsFailure()),
            *((logging.getLogger(name), _AlreadyReported()) for name in _REPORTED_LOGGERS),
        ]
        for logger, log_filter in self._installed:
            logger.addFilter(log_filter)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        for logger, log_filter in self._installed:
            logger.removeFilter(log_filter)
