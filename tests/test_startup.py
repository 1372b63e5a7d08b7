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
DISTRIBUTED_ONLY = ("scrapy_redis",)


def imported_by(*command: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scrapy", *command],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(re.findall(r"^import time:.*\|\s*([\w.]+)$", result.stderr, re.MULTILINE))


def test_a_scrapy_command_loads_neither_the_extractors_nor_scrapy_redis():
    loaded = imported_by("version")
    assert "crawler.onboarding.session" in loaded  # addsite's: the command modules were read
    assert not loaded & {*WORKER_ONLY, *DISTRIBUTED_ONLY}
