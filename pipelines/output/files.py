"""Files that appear whole or not at all, with the permissions the umask asks for.

A file is written under a temporary name (:func:`pipelines.output.layout.temporary_name`)
created with mode 0666 minus the process umask, as ``open()`` would (``mkstemp`` would make
it 0600 whatever the umask: nobody else could read the records). It is then made durable
and renamed into place; a directory fsync makes the rename durable too.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from pipelines.output.layout import temporary_name

FileMove = tuple[str, str]  # (temporary path, final path)


def create_new(path: Path) -> IO[bytes]:
    """Open a new file for writing; it must not exist. Mode 0666 minus the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    return os.fdopen(fd, "wb")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` in one step, durably."""
    temporary = temporary_name(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with create_new(temporary) as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def _load_syncfs() -> Any:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return None  # not Linux/glibc: fsync file by file
    syncfs.argtypes = [ctypes.c_int]
    return syncfs


def make_durable(files: Iterable[Path]) -> None:
    """Everything written to ``files`` is on disk when this returns; raises OSError.

    One ``syncfs`` for the file system holding them: a journal commit for a whole batch
    instead of an fsync per file (which blocked the reactor for a fifth of a crawl). Files
    on other file systems, or systems without ``syncfs``, get an fsync each.
    """
    existing = [path for path in files if path.exists()]
    if not existing:
        return
    synced_device: int | None = None
    syncfs = _load_syncfs()
    if syncfs is not None:
        fd = os.open(existing[0], os.O_RDONLY)
        try:
            if syncfs(fd) != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, os.strerror(errno), str(existing[0]))
            synced_device = os.fstat(fd).st_dev
        finally:
            os.close(fd)
    for path in existing:
        if synced_device is None or path.stat().st_dev != synced_device:
            fsync_path(path)


def finish_moves(moves: Sequence[FileMove]) -> int:
    """Rename each temporary file into place (those still there); returns how many."""
    done = 0
    for temporary, final in moves:
        if Path(temporary).exists():
            Path(temporary).replace(final)
            done += 1
    for directory in {Path(final).parent for _, final in moves}:
        if directory.exists():
            fsync_directory(directory)
    return done


def fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory's fsync makes its renames durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(directory: Path) -> None:
    fsync_path(directory)
