"""One of each state store, for tests that run on all of them.

The ``store`` and ``near_store`` fixtures (``tests/conftest.py``) are parametrized over
:data:`KINDS` and :data:`NEAR_KINDS` (the stores with the near-duplicate index) and open
each with :func:`open_store`; Redis takes the ``redis_running`` server of the conftest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.state.neardup import NearDupIndex
from pipelines.state.redis_store import RedisStore
from pipelines.state.sqlite_store import SQLiteStore
from pipelines.state.store import ArticleStore, MemoryStore
from tests.redis_server import RedisServer

REDIS = pytest.param("redis", marks=pytest.mark.redis)
KINDS = ["memory", "sqlite", REDIS]
NEAR_KINDS = ["sqlite", REDIS]
INDEX = NearDupIndex()  # the crawl's default parameters


def open_store(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, index: NearDupIndex
) -> ArticleStore:
    """A fresh, empty store of ``kind``."""
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SQLiteStore(tmp_path / "state.sqlite3", index)
    server: RedisServer = request.getfixturevalue("redis_running")
    server.client().flushall()
    return RedisStore(
        server.client(), index, prefix="news", worker="w1", token="w1@t:1:w1", ttl=60.0
    )
