"""The crawl's stats collector: Scrapy's in-memory one, without its per-call shim."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class NewsStatsCollector(MemoryStatsCollector):
    """Scrapy's ``MemoryStatsCollector``, whose attributes are looked up the plain way.

    Scrapy 2.19's ``StatsCollector`` sends every attribute lookup, its own ``self._stats``
    inside each method included, through a ``__getattribute__`` that wraps the public
    methods to warn about a deprecated ``spider`` argument; each lookup of a name it has
    not wrapped raises and catches an ``AttributeError``. A crawl updates its stats a few
    dozen times a page: this was 3.9% of the crawl's Scrapy process (about 0.2 ms a page,
    by a sampling profile of ``python -m bench.throughput``'s crawl). A faster check is
    merged upstream (scrapy/scrapy#7842) but not in 2.19.0, the newest release.

    What is given up: the deprecation warning when a caller passes ``spider`` to a stats
    method (the argument is ignored, as Scrapy ignores it). Neither this project nor Scrapy
    2.19 passes it.
    """

    __getattribute__ = object.__getattribute__
