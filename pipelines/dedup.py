"""DedupPipeline: one record per story, across runs and sites.

Same article id (canonical URL identity) with the same text: dropped as
unchanged. Same id, changed text in a later run: emitted again as the next
version; within one run, a second page with an emitted id is a variant (AMP,
print, mobile) and dropped as ``same_id_in_run``. Same text or a near copy
(MinHash/LSH) under another id: dropped, or kept with ``duplicateOf`` when
``NEWS_DUPLICATES = "keep"``. A copy whose text changes in a later run is judged
again: still a copy of an original, it stays a duplicate (nothing new comes out);
a copy of nothing any more, it is emitted as an article of its own, as version 1
(its copies were never emitted) or, when duplicates are kept, as the next version
of the records kept under its id. Every decision is counted under
``news/dedup/<verdict>``; decisions reach the state store through the
:class:`~pipelines.state.ledger.EmissionLedger`, together with the output files that
carry them.

Any item carrying an article passes (a dict or an attrs object with the Article's
field names, through ItemAdapter); it comes out as an :class:`~crawler.items.Article`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, NoReturn, Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.addon import NewsAddon, news_addon
from crawler.config import ConfigError
from crawler.drops import DropReason, NewsDrop
from crawler.extensions.ledger import LedgerExtension
from crawler.items import Article, as_article
from pipelines.state.ledger import EmissionLedger
from pipelines.state.store import Registration, StoreError, Verdict

logger = logging.getLogger(__name__)

_EMITTED = (Verdict.NEW, Verdict.REVISED)


class DedupPipeline:
    def __init__(
        self,
        addon: NewsAddon,
        stats: StatsCollector,
        ledger: EmissionLedger,
        keep_duplicates: bool = False,
    ) -> None:
        self.addon = addon
        self.stats = stats
        self.ledger = ledger
        self.keep_duplicates = keep_duplicates
        self.ids_this_run: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = news_addon(crawler)
        extension = crawler.get_extension(LedgerExtension)
        if extension is None:
            # Not NotConfigured: dedup silently off would emit every story again.
            raise ConfigError(
                "DedupPipeline needs crawler.extensions.ledger.LedgerExtension in EXTENSIONS"
            )
        assert crawler.stats is not None
        return cls(addon, crawler.stats, extension.ledger, addon.config.duplicates == "keep")

    def process_item(self, item: Any) -> Any:
        article = as_article(item)
        if article is None:
            return item
        if article.id in self.ids_this_run:
            modified = article.dateModified or article.datePublished
            self.ledger.settle(self.ledger.url_notes(article.url, article.id, modified))
            self.stats.inc_value(DropReason.SAME_ID_IN_RUN.stat)
            self._drop(DropReason.SAME_ID_IN_RUN, f"{article.url} is a variant of {article.id}")
        candidate = self.ledger.candidate(article)
        try:
            registration = self.ledger.decide(candidate)
        except StoreError as exc:
            self.addon.fail(f"state store failed: {exc}", reason="state_failed")
            self._drop(DropReason.OUTPUT_FAILED, f"{article.url}: no decision possible")
        if registration.promoted and not self.keep_duplicates:
            # Its earlier texts were copies, dropped: this is the id's first record.
            registration = replace(registration, version=1, previous_fingerprint=None)
        verdict = registration.verdict
        self.stats.inc_value(f"news/dedup/{verdict.value}")
        emitted = verdict in _EMITTED or (self.keep_duplicates and verdict is not Verdict.UNCHANGED)
        self.ledger.record(article, candidate, registration, emitted)
        if emitted:
            self.ids_this_run.add(article.id)
        return self._outcome(article, registration)

    def _outcome(self, article: Article, registration: Registration) -> Article:
        verdict = registration.verdict
        if verdict is Verdict.UNCHANGED:
            self._drop(DropReason.UNCHANGED, f"{article.url} (article {article.id})")
        # What the id's earlier records were: none for a new article (version 1).
        history = replace(
            article,
            version=registration.version,
            previousFingerprint=registration.previous_fingerprint,
        )
        if verdict in _EMITTED:
            return history
        if self.keep_duplicates:
            return replace(history, duplicateOf=registration.duplicate_of)
        similarity = (
            f", similarity {registration.similarity:.2f}" if registration.similarity else ""
        )
        self._drop(
            DropReason(verdict.value),
            f"{article.url} repeats article {registration.duplicate_of}{similarity}",
        )

    @staticmethod
    def _drop(reason: DropReason, detail: str) -> NoReturn:
        raise NewsDrop(reason, detail)
