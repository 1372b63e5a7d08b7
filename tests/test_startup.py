"""What every ``scrapy`` command loads before it does anything.

Scrapy imports every command module of the project to list the commands, so a module-level
import in one command is paid by all of them, ``scrapy crawl`` included. The extractors
belong to the pool's workers (its fork server preloads them), Redis to distributed mode.
"""

import re
import subprocess
import sys

from fixtures.harness import PROJECT_ROOT

# trafilatura, readability-lxml and their helpers cost ~0.45 s and ~25 MB per process.
WORKER_ONLY = ("trafilatura", "readability", "htmldate", "justext", "pipelines.cleaning.clean")
DISTRIBUTED_ONLY = ("scrapy_redis", "redis")


def python(*argv: str) -> subprocess.CompletedProcess[str]:
    """``python argv...`` in the project directory; it must succeed."""
    return subprocess.run(
        [sys.executable, *argv], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )


def imported_by(*command: str) -> set[str]:
    result = python("-X", "importtime", "-m", "scrapy", *command)
    return set(re.findall(r"^import time:.*\|\s*([\w.]+)$", result.stderr, re.MULTILINE))


def test_a_scrapy_command_loads_neither_the_extractors_nor_scrapy_redis():
    loaded = imported_by("version")
    assert "crawler.onboarding.session" in loaded  # addsite's: the command modules were read
    assert not loaded & {*WORKER_ONLY, *DISTRIBUTED_ONLY}


# Every component a crawl builds from the project's settings, imported as Scrapy would.
_LOAD_COMPONENTS = """
import sys
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings

settings = get_project_settings()
for name in ("ADDONS", "EXTENSIONS", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES",
             "SPIDER_MIDDLEWARES"):
    for path in settings.getdict(name):
        if isinstance(path, str):
            load_object(path)
for path in settings.getdict("FEED_STORAGES").values():
    load_object(path)
for setting in ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "LOG_FORMATTER"):
    load_object(settings[setting])
SpiderLoader.from_settings(settings).load("news")
print(" ".join(sorted(sys.modules)))
"""


def test_a_crawls_components_load_no_redis_client():
    # The ledger extension reads the store's failures as StoreError (RedisStore converts
    # them), so only distributed mode loads the Redis client.
    loaded = set(python("-c", _LOAD_COMPONENTS).stdout.split())
    assert "crawler.extensions.ledger" in loaded and "crawler.spiders.news" in loaded
    assert not loaded & {*WORKER_ONLY, *DISTRIBUTED_ONLY}
