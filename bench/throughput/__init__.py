"""Throughput benchmark: the crawl against what a data engineer would write instead.

``python -m bench.throughput [--pages N] [--rounds R] [--memory-pages M] [--json FILE]``

On N generated news pages served on loopback (:mod:`bench.throughput.site`), in one
invocation, R alternating rounds of: the real ``scrapy crawl news``, the trafilatura CLI,
a ``multiprocessing.Pool(2)`` script that downloads and extracts, a script of 8 download
threads feeding a ``ProcessPool(2)`` (both in :mod:`bench.peers`), and our own cleaning
over the saved pages in a ``Pool(2)`` and in one process. Medians of pages/s, CPU per page
per kind of process, peak RSS of each process tree; the cleaning's CPU against bare
``trafilatura.extract`` in-process; and a crawl of M pages for the memory profile. The
targets are printed with the figures, and the command exits 1 when one is missed.
"""

from bench.throughput.site import SEED, BenchSite, build_site, reuse_site

__all__ = ["SEED", "BenchSite", "build_site", "reuse_site"]
