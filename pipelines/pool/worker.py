"""Inside a worker process: one page at a time, dying with the crawl."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any

from pipelines.pool.jobs import ExtractJob

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_crawl() -> None:
    """Linux, fork server workers: be killed when the crawl dies, even mid-page.

    Only the crawl enforces the time limit: a worker stuck on a page must not outlive a
    crawl killed with SIGKILL. The fork server (this worker's parent) exits once no
    process holds its "alive" pipe: the crawl, and its workers unless they close their
    copy, as done here. Its exit then kills this worker from the kernel
    (``PR_SET_PDEATHSIG``), whatever the worker is doing.
    """
    server = getattr(forkserver, "_forkserver", None)
    alive_fd = getattr(server, "_forkserver_alive_fd", None)
    if not sys.platform.startswith("linux") or server is None or alive_fd is None:
        return
    os.close(alive_fd)
    server._forkserver_alive_fd = None
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        logger.debug("prctl(PR_SET_PDEATHSIG) unavailable: a worker may outlive a killed crawl")
        return
    if os.getppid() != parent:  # the fork server was gone before prctl took effect
        os._exit(0)


def worker_main(conn: Connection, work: Callable[[ExtractJob], Any], max_tasks: int) -> None:
    """A worker's loop: one page at a time until EOF or ``max_tasks`` pages.

    MemoryError and anything that is not an ``Exception`` end the process: its state
    cannot be trusted, and the parent counts the page as a crash.
    """
    # Ctrl-C reaches the whole process group: the crawl shuts down gracefully and closes
    # the pool itself, so a worker must not die mid-page on the same signal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_crawl()
    # Everything imported so far lives as long as the worker: keep the collector off it, so
    # collections are cheaper and do not copy the fork server's shared pages.
    gc.freeze()
    try:
        conn.send(("ready", os.getpid()))
    except OSError:
        return  # the pool closed before this worker was ready
    done = 0
    while not max_tasks or done < max_tasks:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the pipe: stop
        try:
            message: tuple[str, Any] = ("ok", work(job))
        except MemoryError:
            raise
        except Exception as exc:
            message = ("error", (exc, traceback.format_exc()))
        try:
            try:
                conn.send(message)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                # An exception or result that cannot cross the pipe: send its text instead.
                text = f"{traceback.format_exc()}\n(unpicklable: {exc!r})"
                conn.send(("error", (None, text)))
        except OSError:
            return  # the pool is gone (closed, or the crawl died): nobody to answer
        done += 1
    conn.close()
