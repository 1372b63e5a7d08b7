"""Fixtures shared by the state-store tests: every store kind, opened fresh for each test.

``store`` runs a test on the memory, SQLite and Redis stores; ``near_store`` on those with
the near-duplicate index. Both use :data:`tests.stores.INDEX`. The Redis server is started
once per module (and the Redis cases skip where ``redis-server`` is missing).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipelines.state.store import ArticleStore
from tests.redis_server import RedisServer, redis_server
from tests.stores import INDEX, KINDS, NEAR_KINDS, open_store

# The README's walk-through takes a third of the suite's time on its own; started first,
# it runs while the other files share the other processes (``make test`` runs pytest-xdist
# by file, in the order collected).
_LONGEST_FIRST = ("tests/test_readme.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in _LONGEST_FIRST)


@pytest.fixture(scope="session", autouse=True)
def _crawls_keep_temporary_files_in_the_test_directory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """The crawls the tests start (and kill: SIGKILL leaves multiprocessing's ``pymp-*``
    directories behind) write their temporary files where pytest cleans up, not in /tmp."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("tmp")))
        yield


@pytest.fixture(scope="module")
def redis_running() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[ArticleStore]:
    opened = open_store(request.param, request, tmp_path, INDEX)
    yield opened
    opened.close()


@pytest.fixture(params=NEAR_KINDS)
def near_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[ArticleStore]:
    opened = open_store(request.param, request, tmp_path, INDEX)
    yield opened
    opened.close()
