"""A throwaway Redis for tests: Debian's ``redis-server`` on a free loopback port.

No persistence (``--save "" --appendonly no``) unless asked for (then an append-only file
synced at every write, as the README asks of production: a killed server restarts with
its data), its working directory a temporary one,
bound to 127.0.0.1 only, run in the foreground as our child so that stopping it is
stopping the process we started. Tests that need it are marked ``redis`` and skip with
the reason when the binary is missing (``.ci/install-redis`` installs it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

SERVER = "redis-server"
MISSING = (
    f"{SERVER} is not installed (Debian: apt-get install redis-server, or run .ci/install-redis)"
)
_START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, binary: str, directory: Path, persistent: bool = False) -> None:
        self.binary = binary
        self.directory = directory
        self.persistent = persistent
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> RedisServer:
        # The port is free when picked but could be taken before the server binds it:
        # try a few.
        for _ in range(5):
            self.port = _free_port()
            if self._launch():
                return self
            self.stop()
        raise RuntimeError(f"{self.binary} did not start on a free loopback port")

    def _launch(self) -> bool:
        persistence = ["--appendonly", "no"]
        if self.persistent:
            persistence = ["--appendonly", "yes", "--appendfsync", "always"]
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *persistence,
                *("--dir", str(self.directory), "--daemonize", "no", "--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self._wait_ready()

    def kill(self) -> None:
        """SIGKILL: the server dies as in a crash, with no chance to save anything."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def restart(self) -> None:
        """Start again on the same port and directory (an append-only file is replayed)."""
        if not self._launch():
            raise RuntimeError(f"{self.binary} did not restart on port {self.port}")

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1) as client:
                    if client.ping():
                        return True
            except redis.ConnectionError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def redis_server(persistent: bool = False) -> Iterator[RedisServer]:
    """A running server for the block, stopped after it; skips the test without one."""
    binary = shutil.which(SERVER)
    if binary is None:
        pytest.skip(MISSING)
    with tempfile.TemporaryDirectory(prefix="test-redis-") as directory:
        server = RedisServer(binary, Path(directory), persistent).start()
        try:
            yield server
        finally:
            server.stop()
