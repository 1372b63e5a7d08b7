"""DedupPipeline: one record per story, across runs and sites.

Same article id (canonical URL identity) with the same text: dropped as
unchanged. Same id, changed text in a later run: emitted again as the next
version; within one run, a second page with an emitted id is a variant (AMP,
print, mobile) and dropped as ``same_id_in_run``. Same text or a near copy
(MinHash/LSH) under another id: dropped, or kept with ``duplicateOf`` when
``NEWS_DUPLICATES = "keep"``. Every decision is counted under
``news/dedup/<verdict>``; decisions reach the state store through the
:class:`EmissionLedger`, together with the output files that carry them.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from pipelines.state.ledger import EmissionLedger
from pipelines.state.store import Verdict

logger = logging.getLogger(__name__)

DUPLICATE_MODES = ("drop", "keep")


class DedupPipeline:
    def __init__(
        self, stats: StatsCollector, ledger: EmissionLedger, keep_duplicates: bool = False
    ) -> None:
        self.stats = stats
        self.ledger = ledger
        self.keep_duplicates = keep_duplicates
        self.ids_this_run: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        mode = settings.get("NEWS_DUPLICATES", "drop")
        if mode not in DUPLICATE_MODES:
            raise NotConfigured(f"NEWS_DUPLICATES={mode!r}: expected 'drop' or 'keep'")
        ledger = EmissionLedger.of(crawler)
        if ledger is None:
            raise NotConfigured("the EmissionLedger extension is not enabled (EXTENSIONS)")
        assert crawler.stats is not None
        return cls(crawler.stats, ledger, mode == "keep")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if item.id in self.ids_this_run:
            self.stats.inc_value("news/dedup/same_id_in_run")
            self.ledger.settle(item)
            raise DropItem(
                f"same_id_in_run: {item.url} is a variant of article {item.id}", log_level="INFO"
            )
        candidate = self.ledger.candidate(item)
        registration = self.ledger.decide(candidate)
        verdict = registration.verdict
        self.stats.inc_value(f"news/dedup/{verdict.value}")
        emitted = verdict in (Verdict.NEW, Verdict.REVISED) or (
            self.keep_duplicates and verdict is not Verdict.UNCHANGED
        )
        self.ledger.record(item, candidate, registration, emitted)
        if emitted:
            self.ids_this_run.add(item.id)
        if verdict is Verdict.NEW:
            return item
        if verdict is Verdict.REVISED:
            return replace(
                item,
                version=registration.version,
                previousFingerprint=registration.previous_fingerprint,
            )
        if verdict is Verdict.UNCHANGED:
            raise DropItem(f"unchanged: {item.url} (article {item.id})", log_level="INFO")
        if self.keep_duplicates:
            return replace(item, duplicateOf=registration.duplicate_of)
        similarity = (
            f", similarity {registration.similarity:.2f}" if registration.similarity else ""
        )
        raise DropItem(
            f"{verdict.value}: {item.url} repeats article {registration.duplicate_of}{similarity}",
            log_level="INFO",
        )
