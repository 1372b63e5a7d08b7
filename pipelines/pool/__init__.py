"""A process pool for article extraction, driven from the asyncio reactor.

trafilatura costs 20-35 ms of CPU a page; run in the reactor it blocks downloading and
caps a crawl at one core, and threads do not help (GIL-bound tree walking). Here every
worker is a process of its own with its own socket. It takes its pages in order, and is
sent the next one before it answers for the current one (two in flight: it never waits
for the crawl process between pages), so the parent always knows which page a worker is
on: the first it has not answered for. That is what lets it:

* kill a worker stuck on one page after ``timeout`` seconds (that page fails with
  ``timeout``; the page sent after it goes to another worker) without touching the pages
  of the other workers;
* blame a crash (segfault, MemoryError, OOM kill) on the one page being processed
  (``worker_crash``), hand the page sent after it to another worker, and start a
  replacement;
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

from pipelines.pool.jobs import (
    Extraction,
    ExtractionFailed,
    ExtractJob,
    ExtractWork,
    PoolBroken,
    PoolConfig,
    RemoteTraceback,
    default_workers,
)
from pipelines.pool.pool import ExtractionPool, PoolCounts

__all__ = [
    "ExtractJob",
    "ExtractWork",
    "Extraction",
    "ExtractionFailed",
    "ExtractionPool",
    "PoolBroken",
    "PoolConfig",
    "PoolCounts",
    "RemoteTraceback",
    "default_workers",
]
