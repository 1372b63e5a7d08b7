"""One state directory, one writer: an exclusive ``flock`` on a file in it.

Two crawls sharing a state directory would each decide "new" for the same stories and
emit them twice. The lock is held by an open file description, so the kernel releases
it when the process ends, however it ends (even ``kill -9``): no stale lock to clean up.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)


class StateLocked(RuntimeError):
    """Another process holds the lock; the message names it and what to do."""


class DirectoryLock:
    def __init__(self, path: Path, what: str = "run") -> None:
        self.path = path
        self.what = what
        self._handle: IO[str] | None = None

    def acquire(self, *, wait: bool = False) -> None:
        """Take the lock; raises :class:`StateLocked` (``wait=False``) or waits for it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="ascii")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                handle.close()
                raise StateLocked(
                    f"another {self.what} (pid {self.holder()}) is using {self.path.parent} "
                    f"(it holds {self.path}); wait for it to finish, or use another state "
                    "directory (NEWS_STATE_LOCK=wait waits for it)"
                ) from None
            logger.warning(
                "Waiting for the %s (pid %s) that holds %s", self.what, self.holder(), self.path
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the description releases the flock
            self._handle = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip() or "?"
        except OSError:
            return "?"
