"""Progress: log lines with pages/s and time left, or a bar on a terminal."""

from __future__ import annotations

import io
import logging

from crawler.operations.progress import Progress


def test_plain_lines_every_interval_with_rate_and_time_left(caplog):
    now = [100.0]
    progress = Progress(1000, interval=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="crawler.operations.progress"):
        for _ in range(80):
            now[0] += 0.125  # exact in binary: the line falls at 10 s sharp
            progress.advance(2)
        progress.close()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "Progress: 160 of 1000 pages (16.0 pages/s), 52s left"
    assert lines[-1] == "Done: 160 of 1000 pages in 10s (16.0 pages/s)"


def test_a_bar_on_a_terminal_with_log_lines_above_it():
    terminal = io.StringIO()
    handler = logging.StreamHandler(terminal)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        progress = Progress(50, terminal=terminal)
        progress.advance(10)
        logging.getLogger("x").warning("a line while the bar is shown")
        progress.close()
        assert handler.stream is terminal, "the handler's stream is given back"
    finally:
        root.removeHandler(handler)
    shown = terminal.getvalue()
    assert "10/50" in shown and "page/s" in shown
    assert "a line while the bar is shown" in shown
