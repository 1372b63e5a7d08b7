"""Why an item was dropped: a typed reason carried with the drop, never parsed from text.

Every drop raises :class:`NewsDrop` with a :class:`DropReason`; stats (``news/<stage>/
<reason>``), per-site counters and the manifest read ``exception.reason``.
"""

from __future__ import annotations

from enum import StrEnum

from scrapy.exceptions import DropItem


class DropReason(StrEnum):
    # Extraction: the page itself
    NOT_HTML = "not_html"
    EMPTY = "empty"
    NO_TEXT = "no_text"
    TOO_LARGE = "too_large"
    NO_ID = "no_id"  # no URL identity to name the record by
    LANGUAGE = "language"  # not in NEWS_LANGUAGES or the site's languages
    # Extraction: the pool gave up on the page (it may pass next time)
    TIMEOUT = "timeout"
    WORKER_CRASH = "worker_crash"
    SHUTDOWN = "shutdown"
    POOL_BROKEN = "pool_broken"
    # Flags listed in NEWS_DROP_FLAGS (crawler.items.ARTICLE_FLAGS)
    PAYWALL = "paywall"
    SHORT = "short"
    TOO_SHORT = "too_short"
    NOT_ARTICLE = "not_article"
    CONSENT_WALL = "consent_wall"
    TOO_DEEP = "too_deep"
    # Deduplication
    UNCHANGED = "unchanged"
    DUPLICATE_TEXT = "duplicate_text"
    NEAR_DUPLICATE = "near_duplicate"
    SAME_ID_IN_RUN = "same_id_in_run"
    # Output
    OUTPUT_FAILED = "output_failed"

    @property
    def stage(self) -> str:
        if self in _DEDUP:
            return "dedup"
        if self is DropReason.OUTPUT_FAILED:
            return "output"
        return "clean"

    @property
    def settles_page(self) -> bool:
        """The page was judged for what it is: no use downloading it again unchanged."""
        return self.stage == "clean" and self not in _TRANSIENT

    @property
    def stat(self) -> str:
        return f"news/{self.stage}/{self.value}"


_DEDUP = frozenset(
    {
        DropReason.UNCHANGED,
        DropReason.DUPLICATE_TEXT,
        DropReason.NEAR_DUPLICATE,
        DropReason.SAME_ID_IN_RUN,
    }
)
# A timeout or a crashed worker may pass next time; a page of a closing crawl was not judged.
_TRANSIENT = frozenset(
    {DropReason.TIMEOUT, DropReason.WORKER_CRASH, DropReason.SHUTDOWN, DropReason.POOL_BROKEN}
)


class NewsDrop(DropItem):
    """An expected drop, with its reason (logged at INFO unless said otherwise)."""

    def __init__(self, reason: DropReason, detail: str, log_level: str = "INFO") -> None:
        super().__init__(f"{reason.value}: {detail}", log_level=log_level)
        self.reason = reason


def drop_reason(exception: BaseException) -> DropReason | None:
    """The reason of a drop raised by this project, None for anyone else's."""
    return exception.reason if isinstance(exception, NewsDrop) else None
