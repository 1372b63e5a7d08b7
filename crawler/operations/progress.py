"""Progress of a long run over a known number of pages: pages/s and time left.

On a terminal, a tqdm bar on stderr; log lines printed meanwhile go through tqdm, so the
bar is redrawn below them instead of being torn. Anywhere else (a log file, cron, a
pipe), one INFO line every ``interval`` seconds and one at the end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import IO, Any

from tqdm import tqdm

logger = logging.getLogger(__name__)


class _ThroughTqdm:
    """A stream for a logging handler: writes with tqdm.write, above the bar."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        tqdm.write(text.rstrip("\n"), file=self.stream)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


class Progress:
    def __init__(
        self,
        total: int,
        *,
        terminal: IO[str] | None = None,
        what: str = "pages",
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.what = what
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self._next_line = self.started + interval
        self._bar: Any = None
        self._handlers: list[tuple[logging.StreamHandler[Any], IO[str]]] = []
        if terminal is not None:
            self._bar = tqdm(
                total=total, unit=" " + what.rstrip("s"), file=terminal, dynamic_ncols=True
            )
            self._redirect_logging(terminal)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
            return
        now = self.clock()
        if now >= self._next_line:
            self._next_line = now + self.interval
            logger.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        elapsed = max((now if now is not None else self.clock()) - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = _duration(left) if left is not None else "unknown"
        return (
            f"Progress: {self.done} of {self.total} {self.what} ({rate:.1f} {self.what}/s), "
            f"{eta} left"
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            for handler, stream in self._handlers:
                handler.setStream(stream)
            self._handlers = []
        elapsed = self.clock() - self.started
        logger.info(
            "Done: %d of %d %s in %s (%.1f %s/s)",
            self.done,
            self.total,
            self.what,
            _duration(elapsed),
            self.done / elapsed if elapsed > 0 else 0.0,
            self.what,
        )

    def _redirect_logging(self, terminal: IO[str]) -> None:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is terminal:
                original = handler.setStream(_ThroughTqdm(terminal))
                if original is not None:
                    self._handlers.append((handler, original))


def _duration(value: float) -> str:
    seconds = round(value)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
