"""ExtractionPool: the parent side, driven from the asyncio reactor (see the package)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any, Generic, Literal, TypeVar, cast

from pipelines.pool.channel import Channel
from pipelines.pool.jobs import (
    ExtractionFailed,
    ExtractJob,
    PoolBroken,
    PoolConfig,
    RemoteTraceback,
)
from pipelines.pool.worker import worker_main

logger = logging.getLogger(__name__)

R = TypeVar("R")  # what the work function returns for a page

# Consecutive workers dying before they are ready: the pool cannot work (e.g. import error).
_MAX_START_FAILURES = 3
# How long a worker asked to stop may take before it is killed.
_STOP_GRACE = 5.0
# Pages sent to a worker before its answer for the first arrives: it starts the next page
# at once instead of waiting for the crawl process, which shares the cores with it.
_IN_FLIGHT = 2


@dataclass
class _Task(Generic[R]):
    job: ExtractJob
    future: asyncio.Future[R]


@dataclass
class _Worker(Generic[R]):
    number: int
    process: BaseProcess
    channel: Channel
    ready: bool = False
    done: int = 0
    # Sent and unanswered, in the order the worker takes them: it is on the first.
    tasks: deque[_Task[R]] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None


@dataclass
class PoolCounts:
    """What happened to the workers, for the closing log line."""

    started: int = 0
    recycled: int = 0
    timed_out: int = 0
    crashed: int = 0


class ExtractionPool(Generic[R]):
    """Runs ``work`` (a picklable callable, e.g. :class:`ExtractWork`) on each page."""

    def __init__(
        self,
        config: PoolConfig,
        work: Callable[[ExtractJob], R],
        start_method: Literal["forkserver", "spawn"] = "forkserver",
    ) -> None:
        self.config = config
        self.work = work
        self.counts = PoolCounts()
        self._context = cast(
            "ForkServerContext | SpawnContext", multiprocessing.get_context(start_method)
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: deque[_Task[R]] = deque()
        self._workers: dict[int, _Worker[R]] = {}
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
            self._context.set_forkserver_preload([__name__, "pipelines.cleaning.clean"])
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

    async def extract(self, job: ExtractJob) -> R:
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
        task: _Task[R] = _Task(job, self._loop.create_future())
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
        pending += [t.future for w in self._workers.values() for t in w.tasks]
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
            while worker.tasks:
                self._fail(worker.tasks.popleft(), ExtractionFailed("shutdown", "unfinished"))
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

    def _launch(self) -> _Worker[R]:
        parent_end, child_socket = socket.socketpair()
        child_end = Connection(child_socket.detach())
        process = self._context.Process(
            target=worker_main,
            args=(child_end, self.work, self.config.max_tasks_per_worker),
            name=f"extract-{self._next_number}",
            daemon=True,  # never outlive the crawl, whatever happens to it
        )
        process.start()
        child_end.close()
        worker: _Worker[R] = _Worker(self._next_number, process, Channel(parent_end))
        self._next_number += 1
        self.counts.started += 1
        return worker

    def _register(self, worker: _Worker[R]) -> None:
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

    def _retire(self, worker: _Worker[R], *, kill: bool) -> None:
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

    def _on_readable(self, worker: _Worker[R]) -> None:
        messages, closed = worker.channel.receive()
        for data in messages:
            if worker.number not in self._workers:
                break  # retired after its last page; nothing else can follow
            self._on_message(worker, data)
        if closed and worker.number in self._workers:
            self._on_death(worker)
        self._dispatch()

    def _on_writable(self, worker: _Worker[R]) -> None:
        assert self._loop is not None
        try:
            done = worker.channel.flush()
        except OSError:
            self._on_death(worker)
            self._dispatch()
            return
        if done:
            self._loop.remove_writer(worker.channel.fileno())

    def _send(self, worker: _Worker[R], message: object) -> None:
        assert self._loop is not None
        worker.channel.put(message)
        if not worker.channel.flush():
            # The rest goes out as the worker reads: a 4 MiB page exceeds the socket buffer.
            self._loop.add_writer(worker.channel.fileno(), self._on_writable, worker)

    def _on_message(self, worker: _Worker[R], data: bytes) -> None:
        try:
            kind, payload = pickle.loads(data)
        except Exception as exc:  # e.g. an exception class that cannot be rebuilt here
            kind, payload = "error", (None, f"unreadable result from the worker: {exc!r}")
        if kind == "ready":
            worker.ready = True
            self._start_failures = 0
        else:
            task = worker.tasks.popleft() if worker.tasks else None
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
                self._requeue(worker)
                self._retire(worker, kill=False)
                self._replace()
            else:
                self._start_clock(worker)  # the worker has begun its next page

    def _on_death(self, worker: _Worker[R]) -> None:
        self._retire(worker, kill=True)
        task = worker.tasks.popleft() if worker.tasks else None
        self._requeue(worker)  # pages it had not begun go to the other workers
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

    def _on_timeout(self, worker: _Worker[R], task: _Task[R]) -> None:
        if not worker.tasks or worker.tasks[0] is not task:
            return
        self.counts.timed_out += 1
        logger.warning(
            "Extraction of %s took over %.1f s: page dropped, worker replaced",
            task.job.url,
            self.config.timeout,
        )
        worker.tasks.popleft()
        self._requeue(worker)
        self._retire(worker, kill=True)
        self._fail(task, ExtractionFailed("timeout", f"over {self.config.timeout:g} s"))
        self._replace()
        self._dispatch()

    def _room(self, worker: _Worker[R]) -> int:
        """Pages ``worker`` may be sent now: never more than it will take before it exits."""
        if not worker.ready:
            return 0
        room = _IN_FLIGHT - len(worker.tasks)
        limit = self.config.max_tasks_per_worker
        if limit:
            room = min(room, limit - worker.done - len(worker.tasks))
        return room

    def _dispatch(self) -> None:
        while self._queue:
            # The least busy worker first: a page never waits behind another while a worker
            # is idle.
            open_workers = [w for w in self._workers.values() if self._room(w) > 0]
            if not open_workers:
                return
            worker = min(open_workers, key=lambda w: len(w.tasks))
            task = self._queue.popleft()
            if task.future.done():  # its caller was cancelled
                continue
            try:
                self._send(worker, task.job)
            except OSError:
                # The worker died between its last message and now: not this page's fault.
                self._queue.appendleft(task)
                self._on_death(worker)
                return
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                self._fail(task, exc)
                continue
            worker.tasks.append(task)
            self._start_clock(worker)

    def _start_clock(self, worker: _Worker[R]) -> None:
        """The time limit of the page the worker is on, from when it began it."""
        assert self._loop is not None
        if worker.tasks and worker.timer is None:
            worker.timer = self._loop.call_later(
                self.config.timeout, self._on_timeout, worker, worker.tasks[0]
            )

    def _requeue(self, worker: _Worker[R]) -> None:
        """Pages sent to a worker that will not take them: first in line for the others."""
        while worker.tasks:
            task = worker.tasks.pop()
            if not task.future.done():
                self._queue.appendleft(task)

    @staticmethod
    def _fail(task: _Task[Any], exc: BaseException) -> None:
        if not task.future.done():
            task.future.set_exception(exc)


def _remote_error(payload: tuple[BaseException | None, str]) -> BaseException:
    exc, text = payload
    error = exc if exc is not None else RuntimeError("extraction failed in a worker")
    error.__cause__ = RemoteTraceback(f"\n\nIn the extraction worker:\n{text}")
    return error
