"""What the pool runs: a page to extract, the work function, and how it can fail."""

from __future__ import annotations

import os
from dataclasses import dataclass

from crawler.discovery.registry import CleaningRules
from crawler.items import Article, DiscoveryHints
from pipelines.state.neardup import NearDupConfig, text_signature


def default_workers() -> int:
    """Cores this process may run on (an affinity mask or cpuset can be below cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ExtractJob:
    """One page to extract: the arguments of :func:`pipelines.cleaning.clean.clean_html`.

    The word limits have no default here: the caller's settings decide them.
    """

    body: bytes
    url: str
    min_words: int
    short_words: int
    hints: DiscoveryHints | None = None
    rules: CleaningRules | None = None
    language: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None  # ISO 8601: relative dates on the page count from it
    markdown_links: bool = False  # NEWS_MARKDOWN_LINKS


@dataclass(frozen=True)
class Extraction:
    """A worker's answer: the article and, when dedup asked for it, its MinHash signature."""

    article: Article
    signature: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ExtractWork:
    """The pool's work: ``clean_html`` on one page, then the text's MinHash signature.

    The signature is a function of the text alone (:func:`text_signature`): computed here,
    it costs the workers what it would have cost the crawl process, which the workers
    otherwise wait on (shingling is a tenth of that process's CPU).
    """

    near_dup: NearDupConfig | None = None

    def __call__(self, job: ExtractJob) -> Extraction | None:
        # Imported here: the crawl process never extracts (the fork server preloads it).
        from pipelines.cleaning.clean import clean_html

        article = clean_html(
            job.body,
            job.url,
            hints=job.hints,
            rules=job.rules,
            language=job.language,
            content_type=job.content_type,
            min_words=job.min_words,
            short_words=job.short_words,
            fetched_at=job.fetched_at,
            markdown_links=job.markdown_links,
        )
        if article is None:
            return None
        if self.near_dup is None:
            return Extraction(article)
        return Extraction(article, text_signature(article.articleBody, self.near_dup))


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
