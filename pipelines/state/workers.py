"""Which workers of a distributed crawl are alive: tokens, leases in Redis, heartbeats.

A worker process has a token (its worker id, host, pid and a random part); it is alive
while its lease key exists in Redis, which a heartbeat thread renews. A lapsed lease, or a
pid of this host that is gone, marks a dead worker whose claims and requests others take.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable

import redis

logger = logging.getLogger(__name__)


def new_worker_token(worker: str) -> str:
    """One per process: host and pid tell whether a previous incarnation is still alive."""
    return f"{worker}@{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_key(prefix: str, token: str) -> str:
    return f"{prefix}:lease:{token}"


def token_is_dead(client: redis.Redis, prefix: str, token: str) -> bool:
    """No lease in Redis, or a process of this host that is gone (pid not running)."""
    if not client.exists(lease_key(prefix, token)):
        return True
    host, _, rest = token.rpartition("@")[2].partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Heartbeat:
    """Calls ``beat`` every ``interval`` seconds in a daemon thread until stopped.

    A thread, not a reactor timer: a worker busy for a long time in one callback (a large
    sitemap) is still alive and must keep its claims.
    """

    def __init__(self, beat: Callable[[], object], interval: float, name: str) -> None:
        self._beat = beat
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._beat()
            except redis.RedisError as exc:
                logger.warning("Heartbeat %s failed: %s", self._thread.name, exc)
