"""Which run directories are being written, and tidying up after the ones that died.

A run marks its directory with :data:`~pipelines.output.layout.RUN_MARK` (its pid) while
it writes there. At start-up, temporary files left by dead runs are removed: only in
directories that carry our mark, only the files named as ours
(:func:`~pipelines.output.layout.temporary_files`), never anything else a user keeps
beside the output.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pipelines.output.layout import ENGINE_MARK, RUN_MARK, temporary_files

logger = logging.getLogger(__name__)


class RunDirectoryBusy(RuntimeError):
    """Another live process writes into the run directory."""


def mark_running(run_dir: Path) -> None:
    """Create ``run_dir`` if needed and mark it as ours; raises OSError, RunDirectoryBusy."""
    mark = run_dir / RUN_MARK
    if mark.exists() and _is_alive(mark):
        raise RunDirectoryBusy(
            f"run directory {run_dir} is being written by another run (pid "
            f"{mark.read_text(encoding='ascii').strip()}); give each run its own NEWS_RUN_DIR"
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    remove_dead_temporaries(run_dir)
    mark.write_text(f"{os.getpid()}\n", encoding="ascii")


def clear_mark(run_dir: Path) -> None:
    (run_dir / ENGINE_MARK).unlink(missing_ok=True)
    (run_dir / RUN_MARK).unlink(missing_ok=True)


def mark_engine_running(run_dir: Path) -> None:
    (run_dir / ENGINE_MARK).write_text(f"{os.getpid()}\n", encoding="ascii")


def engine_running(run_dir: Path) -> bool:
    """Whether the run writing ``run_dir`` has its engine running: a graceful stop then
    closes it (see :data:`~pipelines.output.layout.ENGINE_MARK`)."""
    return (run_dir / ENGINE_MARK).is_file()


def remove_dead_temporaries(run_dir: Path) -> int:
    """Our temporary files in a run directory whose writer died: never committed, gone."""
    removed = 0
    for part in temporary_files(run_dir):
        logger.info("Removing uncommitted output %s", part)
        part.unlink(missing_ok=True)
        removed += 1
    return removed


def tidy_dead_runs(output_dir: Path) -> int:
    """Remove the temporary files of dead runs in the marked directories of ``output_dir``."""
    if not output_dir.is_dir():
        return 0
    removed = 0
    for run_dir in output_dir.iterdir():
        mark = run_dir / RUN_MARK
        if run_dir.is_dir() and mark.is_file() and not _is_alive(mark):
            removed += remove_dead_temporaries(run_dir)
            clear_mark(run_dir)
    return removed


def _is_alive(mark: Path) -> bool:
    try:
        pid = int(mark.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process whose parent died too can linger as a zombie until reaped.
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
