"""A process pool for article extraction, driven from the asyncio reactor.

trafilatura costs 20-35 ms of CPU a page; run in the reactor it blocks downloading and
caps a crawl at one core, and threads do not help (GIL-bound tree walking). Here every
worker is a process of its own with its own socket, and holds at most one page at a time,
so the parent always knows which page a worker is on. That is what lets it:

* kill a worker stuck on one page after ``timeout`` seconds (that page fails with
  ``timeout``) without touching the pages of the other workers;
* blame a crash (segfault, MemoryError, OOM kill) on the one page being processed
  (``worker_crash``) and start a replacement;
* retire a worker after ``max_tasks_per_worker`` pages, so leaks in the extraction
  libraries (caches, fragmented heaps) cannot grow for the whole crawl.

``concurrent.futures.ProcessPoolExecutor`` can do none of these for a single page: a
dead worker breaks the whole executor and fails every page in flight.

Workers come from the ``forkserver`` context (never forked from the running reactor,
whose threads and sockets a fork would copy), and the fork server preloads this module,
so a replacement worker starts in milliseconds instead of re-importing trafilatura.
The parent never blocks on a worker: its end of each worker's socket is non-blocking
(``loop.add_reader``/``add_writer``, messages framed as ``multiprocessing.Connection``
frames them, so the worker keeps a plain blocking ``Connection``), and exits are noticed
through the process sentinel. A worker preempted or stopped halfway through a message
cannot stall the reactor, and the time limit always fires.

Like all ``spawn``/``forkserver`` multiprocessing, a script that starts a pool itself must
guard its entry point with ``if __name__ == "__main__":``.

``workers=0`` runs extraction inline in the calling process (debugging, tests); the size
limit still applies there, the time limit cannot.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any, Literal, cast

from crawler.discovery.registry import CleaningRules
from crawler.items import Article, DiscoveryHints
from pipelines.cleaning.clean import DEFAULT_MIN_WORDS, clean_html

logger = logging.getLogger(__name__)

# Consecutive workers dying before they are ready: the pool cannot work (e.g. import error).
_MAX_START_FAILURES = 3
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# How long a worker asked to stop may take before it is killed.
_STOP_GRACE = 5.0


def default_workers() -> int:
    """Cores this process may run on (an affinity mask or cpuset can be below cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ExtractJob:
    """One page to extract: the arguments of :func:`pipelines.cleaning.clean.clean_html`."""

    body: bytes
    url: str
    hints: DiscoveryHints | None = None
    rules: CleaningRules | None = None
    language: str | None = None
    content_type: str | None = None
    min_words: int = DEFAULT_MIN_WORDS


def extract_job(job: ExtractJob) -> Article | None:
    """The pool's work: ``clean_html`` on one page."""
    return clean_html(
        job.body,
        job.url,
        hints=job.hints,
        rules=job.rules,
        language=job.language,
        content_type=job.content_type,
        min_words=job.min_words,
    )


Work = Callable[[ExtractJob], Article | None]


class ExtractionFailed(Exception):
    """A page the pool gave up on; ``reason`` is the stat key (``news/clean/<reason>``)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class PoolBroken(RuntimeError):
    """Workers die before they are ready: extraction cannot run at all."""


class RemoteTraceback(Exception):
    """The worker-side traceback, attached as ``__cause__`` of a re-raised exception."""


@dataclass(frozen=True)
class PoolConfig:
    """How the pool runs: workers (0 = inline), seconds a page may take, largest page
    accepted, and pages after which a worker is replaced (0 = never)."""

    workers: int
    timeout: float
    max_bytes: int
    max_tasks_per_worker: int

    def __post_init__(self) -> None:
        if self.workers < 0 or self.max_tasks_per_worker < 0:
            raise ValueError(f"workers and max_tasks_per_worker must be >= 0: {self}")
        if not self.timeout > 0 or self.max_bytes <= 0:
            raise ValueError(f"timeout and max_bytes must be positive: {self}")


@dataclass
class _Task:
    job: ExtractJob
    future: asyncio.Future[Article | None]


# multiprocessing.Connection's framing: a signed 4-byte big-endian length, or -1 and an
# unsigned 8-byte length for messages of 2 GiB and more.
_SIZE = struct.Struct("!i")
_HUGE_SIZE = struct.Struct("!Q")
_READ_CHUNK = 1 << 20


class _Channel:
    """The parent's end of a worker's socket: non-blocking, never waits for the worker."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self.sock = sock
        self._inbox = bytearray()
        self._outbox = bytearray()

    def fileno(self) -> int:
        return self.sock.fileno()

    def put(self, message: object) -> None:
        """Queue one message (pickling errors are raised here, before anything is queued)."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) < 2**31:
            self._outbox += _SIZE.pack(len(data))
        else:
            self._outbox += _SIZE.pack(-1) + _HUGE_SIZE.pack(len(data))
        self._outbox += data

    def flush(self) -> bool:
        """Write what the socket takes now; True once everything queued is sent."""
        while self._outbox:
            try:
                sent = self.sock.send(self._outbox)
            except BlockingIOError:
                return False
            del self._outbox[:sent]
        return True

    def receive(self) -> tuple[list[bytes], bool]:
        """The complete messages read so far, and whether the worker's end is closed."""
        closed = False
        while True:
            try:
                data = self.sock.recv(_READ_CHUNK)
            except BlockingIOError:
                break
            except OSError:
                closed = True
                break
            if not data:
                closed = True
                break
            self._inbox += data
        messages = []
        while len(self._inbox) >= _SIZE.size:
            (size,) = _SIZE.unpack_from(self._inbox)
            start = _SIZE.size
            if size == -1:
                if len(self._inbox) < start + _HUGE_SIZE.size:
                    break
                (size,) = _HUGE_SIZE.unpack_from(self._inbox, start)
                start += _HUGE_SIZE.size
            if len(self._inbox) < start + size:
                break
            messages.append(bytes(self._inbox[start : start + size]))
            del self._inbox[: start + size]
        return messages, closed

    def close(self) -> None:
        self.sock.close()


@dataclass
class _Worker:
    number: int
    process: BaseProcess
    channel: _Channel
    ready: bool = False
    done: int = 0
    task: _Task | None = None
    timer: asyncio.TimerHandle | None = None


@dataclass
class PoolCounts:
    """What happened to the workers, for the closing log line."""

    started: int = 0
    recycled: int = 0
    timed_out: int = 0
    crashed: int = 0


class ExtractionPool:
    def __init__(
        self,
        config: PoolConfig,
        work: Work = extract_job,
        start_method: Literal["forkserver", "spawn"] = "forkserver",
    ) -> None:
        self.config = config
        self.work = work
        self.counts = PoolCounts()
        self._context = cast(
            "ForkServerContext | SpawnContext", multiprocessing.get_context(start_method)
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: deque[_Task] = deque()
        self._workers: dict[int, _Worker] = {}
        self._exiting: set[BaseProcess] = set()
        self._next_number = 0
        self._start_failures = 0
        self._closing = False  # no new pages
        self._stopped = False  # no new workers
        self._broken: str | None = None

    @property
    def inline(self) -> bool:
        return self.config.workers == 0

    # --- public interface -----------------------------------------------------------

    async def start(self) -> None:
        """Start the workers; returns once they are launched (not yet ready)."""
        if self.inline or self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        if isinstance(self._context, ForkServerContext):
            # Process-wide, and only effective before the fork server first starts: the
            # server imports the extraction stack once, every worker forks from it.
            self._context.set_forkserver_preload([__name__])
        # The first launch starts the fork server and waits for its imports (~1 s): not
        # on the reactor thread.
        launched = await asyncio.to_thread(
            lambda: [self._launch() for _ in range(self.config.workers)]
        )
        for worker in launched:
            self._register(worker)
        logger.info(
            "Extraction pool: %d workers, %.1f s per page, pages up to %d bytes, "
            "workers recycled after %s pages",
            self.config.workers,
            self.config.timeout,
            self.config.max_bytes,
            self.config.max_tasks_per_worker or "no limit of",
        )

    async def extract(self, job: ExtractJob) -> Article | None:
        """The article of one page, or None; ExtractionFailed when the pool gave up on it."""
        size = len(job.body)
        if size > self.config.max_bytes:
            raise ExtractionFailed("too_large", f"{size} bytes > {self.config.max_bytes}")
        if self.inline:
            return self.work(job)
        if self._broken:
            raise PoolBroken(self._broken)
        if self._closing:
            raise ExtractionFailed("shutdown", "the extraction pool is closing")
        if self._loop is None:
            await self.start()
        assert self._loop is not None
        task = _Task(job, self._loop.create_future())
        self._queue.append(task)
        self._dispatch()
        return await task.future

    async def close(self, drain_timeout: float | None = None) -> None:
        """Finish every page already submitted, then stop the workers.

        Pages still unfinished after ``drain_timeout`` seconds (by default: long enough for
        every queued page to use its full time limit) fail with ``shutdown``.
        """
        if self._loop is None or self._closing:
            self._closing = True
            return
        self._closing = True
        pending = [t.future for t in self._queue]
        pending += [w.task.future for w in self._workers.values() if w.task]
        if pending:
            if drain_timeout is None:
                rounds = len(pending) / max(1, self.config.workers) + 1
                drain_timeout = rounds * self.config.timeout + _STOP_GRACE
            logger.info("Extraction pool: waiting for %d pages in progress", len(pending))
            await asyncio.wait(pending, timeout=drain_timeout)
        self._stopped = True
        for task in self._queue:
            self._fail(task, ExtractionFailed("shutdown", "unfinished when the pool closed"))
        self._queue.clear()
        for worker in list(self._workers.values()):
            if worker.task:
                self._fail(worker.task, ExtractionFailed("shutdown", "unfinished at close"))
                worker.task = None
            self._retire(worker, kill=False)
        await self._wait_exits(_STOP_GRACE)
        logger.info(
            "Extraction pool closed: %d workers started, %d recycled, %d killed after a "
            "timeout, %d crashed",
            self.counts.started,
            self.counts.recycled,
            self.counts.timed_out,
            self.counts.crashed,
        )

    # --- workers --------------------------------------------------------------------

    def _launch(self) -> _Worker:
        parent_end, child_socket = socket.socketpair()
        child_end = Connection(child_socket.detach())
        process = self._context.Process(
            target=_worker_main,
            args=(child_end, self.work, self.config.max_tasks_per_worker),
            name=f"extract-{self._next_number}",
            daemon=True,  # never outlive the crawl, whatever happens to it
        )
        process.start()
        child_end.close()
        worker = _Worker(self._next_number, process, _Channel(parent_end))
        self._next_number += 1
        self.counts.started += 1
        return worker

    def _register(self, worker: _Worker) -> None:
        assert self._loop is not None
        self._workers[worker.number] = worker
        self._loop.add_reader(worker.channel.fileno(), self._on_readable, worker)

    def _replace(self) -> None:
        if self._stopped or self._broken:
            return
        try:
            self._register(self._launch())
        except OSError as exc:
            self._break(f"cannot start an extraction worker: {exc}")

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        """Disconnect a worker; it exits on EOF (or now, when killed) and is reaped later."""
        assert self._loop is not None
        self._workers.pop(worker.number, None)
        if worker.timer:
            worker.timer.cancel()
        self._loop.remove_reader(worker.channel.fileno())
        self._loop.remove_writer(worker.channel.fileno())
        worker.channel.close()
        if kill:
            worker.process.kill()
        self._exiting.add(worker.process)
        self._loop.add_reader(worker.process.sentinel, self._reap, worker.process)

    def _reap(self, process: BaseProcess) -> None:
        assert self._loop is not None
        self._loop.remove_reader(process.sentinel)
        process.join()  # the sentinel fired: it has exited, this does not wait
        logger.debug("Extraction worker %s exited with code %s", process.name, process.exitcode)
        process.close()
        self._exiting.discard(process)

    async def _wait_exits(self, grace: float) -> None:
        deadline = time.monotonic() + grace
        while self._exiting and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        for process in list(self._exiting):
            logger.warning("Extraction worker %s did not stop: killed", process.name)
            process.kill()
            self._reap(process)

    def _break(self, why: str) -> None:
        logger.error("Extraction pool broken: %s", why)
        self._broken = why
        while self._queue:
            self._fail(self._queue.popleft(), PoolBroken(why))

    # --- messages and dispatch ------------------------------------------------------

    def _on_readable(self, worker: _Worker) -> None:
        messages, closed = worker.channel.receive()
        for data in messages:
            if worker.number not in self._workers:
                break  # retired after its last page; nothing else can follow
            self._on_message(worker, data)
        if closed and worker.number in self._workers:
            self._on_death(worker)
        self._dispatch()

    def _on_writable(self, worker: _Worker) -> None:
        assert self._loop is not None
        try:
            done = worker.channel.flush()
        except OSError:
            self._on_death(worker)
            self._dispatch()
            return
        if done:
            self._loop.remove_writer(worker.channel.fileno())

    def _send(self, worker: _Worker, message: object) -> None:
        assert self._loop is not None
        worker.channel.put(message)
        if not worker.channel.flush():
            # The rest goes out as the worker reads: a 4 MiB page exceeds the socket buffer.
            self._loop.add_writer(worker.channel.fileno(), self._on_writable, worker)

    def _on_message(self, worker: _Worker, data: bytes) -> None:
        try:
            kind, payload = pickle.loads(data)
        except Exception as exc:  # e.g. an exception class that cannot be rebuilt here
            kind, payload = "error", (None, f"unreadable result from the worker: {exc!r}")
        if kind == "ready":
            worker.ready = True
            self._start_failures = 0
        else:
            task, worker.task = worker.task, None
            if worker.timer:
                worker.timer.cancel()
                worker.timer = None
            worker.done += 1
            if task is not None and not task.future.done():
                if kind == "ok":
                    task.future.set_result(payload)
                else:
                    task.future.set_exception(_remote_error(payload))
            limit = self.config.max_tasks_per_worker
            if limit and worker.done >= limit:
                # It exits by itself after its last page; the replacement starts meanwhile.
                self.counts.recycled += 1
                self._retire(worker, kill=False)
                self._replace()

    def _on_death(self, worker: _Worker) -> None:
        self._retire(worker, kill=True)
        task = worker.task
        if task is not None:
            self.counts.crashed += 1
            logger.warning(
                "Extraction worker %s died on %s: page dropped, worker replaced",
                worker.process.name,
                task.job.url,
            )
            self._fail(task, ExtractionFailed("worker_crash", "the extraction worker died"))
        elif not worker.ready:
            self._start_failures += 1
            logger.warning("Extraction worker %s died while starting", worker.process.name)
            if self._start_failures >= _MAX_START_FAILURES:
                self._break(f"{self._start_failures} workers in a row died while starting")
                return
        else:
            logger.warning("Extraction worker %s died while idle: replaced", worker.process.name)
        self._replace()
        self._dispatch()

    def _on_timeout(self, worker: _Worker, task: _Task) -> None:
        if worker.task is not task:
            return
        self.counts.timed_out += 1
        logger.warning(
            "Extraction of %s took over %.1f s: page dropped, worker replaced",
            task.job.url,
            self.config.timeout,
        )
        worker.task = None
        self._retire(worker, kill=True)
        self._fail(task, ExtractionFailed("timeout", f"over {self.config.timeout:g} s"))
        self._replace()
        self._dispatch()

    def _dispatch(self) -> None:
        assert self._loop is not None
        idle = [w for w in self._workers.values() if w.ready and w.task is None]
        while self._queue and idle:
            task = self._queue.popleft()
            if task.future.done():  # its caller was cancelled
                continue
            worker = idle.pop()
            try:
                self._send(worker, task.job)
            except OSError:
                # The worker died between its last message and now: not this page's fault.
                self._queue.appendleft(task)
                self._on_death(worker)
                return
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                self._fail(task, exc)
                idle.append(worker)
                continue
            worker.task = task
            worker.timer = self._loop.call_later(
                self.config.timeout, self._on_timeout, worker, task
            )

    @staticmethod
    def _fail(task: _Task, exc: BaseException) -> None:
        if not task.future.done():
            task.future.set_exception(exc)


def _remote_error(payload: tuple[BaseException | None, str]) -> BaseException:
    exc, text = payload
    error = exc if exc is not None else RuntimeError("extraction failed in a worker")
    error.__cause__ = RemoteTraceback(f"\n\nIn the extraction worker:\n{text}")
    return error


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


def _worker_main(conn: Connection, work: Work, max_tasks: int) -> None:
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
