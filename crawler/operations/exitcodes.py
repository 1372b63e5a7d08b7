"""Exit codes of ``scrapy crawl news`` and ``newscrawler-cron``: one table for both."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # finished and healthy
    UNHEALTHY = 1  # unhealthy or failed: manifest.json's health.problems says why
    BAD_CONFIG = 2  # a bad setting, registry or argument (one line on stderr)
    CRASHED = 3  # the crawl died without writing a manifest (newscrawler-cron)
    STATE_UNUSABLE = 4  # state store damaged, from a newer version, or not writable
    DRIFT = 5  # finished and healthy, but a site drifted from its history (manifest "drift")
    LOCKED = 75  # another run holds the state directory (EX_TEMPFAIL)
