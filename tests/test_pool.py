"""The extraction process pool: time limit, crashes, recycling, size limit, shutdown.

The work functions below run in pool workers (which import this module): the page URL
says what they do, so one pool can be given a mix of pages.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import pytest
from scrapy.exceptions import DropItem

from crawler.config import ConfigError
from crawler.extensions.ledger import LedgerExtension
from crawler.items import Article, FetchedPage
from fixtures.server import REGISTRY, SITES_DIR
from pipelines.extraction import ExtractionPipeline
from pipelines.pool import (
    Extraction,
    ExtractionFailed,
    ExtractionPool,
    ExtractJob,
    ExtractWork,
    PoolBroken,
    PoolConfig,
    RemoteTraceback,
)
from pipelines.state import neardup
from pipelines.state.neardup import NearDupConfig, text_signature
from tests.crawlers import news_crawler

T = TypeVar("T")
ARTICLE_URL = "http://harborherald.test/2026/11/12/sewer-overflow-sensor-pilot/"
ARTICLE_FILE = SITES_DIR / "harborherald.test/2026/11/12/sewer-overflow-sensor-pilot/index.html"


def scripted_work(job: ExtractJob) -> Article | None:
    """A stand-in for clean_html whose behaviour the URL chooses."""
    action = job.url.rsplit("/", 1)[-1]
    if action == "hang":
        time.sleep(60)
    elif action == "crash":
        os._exit(3)
    elif action == "oom":
        raise MemoryError
    elif action == "error":
        raise ValueError("bad page")
    elif action.startswith("slow"):
        time.sleep(0.2)
    elif action == "none":
        return None
    # The worker's pid as the headline tells the tests which process did the work.
    return Article(url=job.url, headline=str(os.getpid()), articleBody=job.body.decode())


def must_not_run(job: ExtractJob) -> Article | None:
    raise AssertionError(f"{job.url} reached the work function")


def _cannot_load() -> None:
    raise RuntimeError("this work function cannot be loaded in a worker")


class Unloadable:
    """A work function that kills every worker that tries to load it."""

    def __call__(self, job: ExtractJob) -> Extraction | None:
        return None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_cannot_load, ())


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def job(action: str, body: bytes = b"<p>text</p>") -> ExtractJob:
    return ExtractJob(body, f"http://pool.test/{action}", min_words=40, short_words=100)


def config(**changes: Any) -> PoolConfig:
    values = {"workers": 2, "timeout": 5.0, "max_bytes": 1000, "max_tasks_per_worker": 0}
    return PoolConfig(**{**values, **changes})


async def outcome(pool: ExtractionPool, page: ExtractJob) -> Article | str | None:
    """The article, or the failure reason / exception type name."""
    try:
        return await pool.extract(page)
    except ExtractionFailed as exc:
        return exc.reason
    except Exception as exc:
        return type(exc).__name__


def test_normal_page_becomes_an_article_and_its_signature_in_a_worker():
    near_dup = NearDupConfig()

    async def main() -> Extraction | None:
        pool = ExtractionPool(config(workers=1, max_bytes=10**6), ExtractWork(near_dup))
        await pool.start()
        try:
            job = ExtractJob(ARTICLE_FILE.read_bytes(), ARTICLE_URL, min_words=40, short_words=100)
            return await pool.extract(job)
        finally:
            await pool.close()

    extraction = run(main())
    assert extraction is not None
    article = extraction.article
    assert "sensor" in article.headline.lower()
    assert article.wordCount > 100
    # Another process, the same signature: the store compares it with this process's.
    assert extraction.signature == text_signature(article.articleBody, near_dup)


def test_no_signature_without_near_duplicate_detection():
    job = ExtractJob(ARTICLE_FILE.read_bytes(), ARTICLE_URL, min_words=40, short_words=100)
    extraction = ExtractWork()(job)
    assert extraction is not None and extraction.signature is None


def test_pages_and_results_larger_than_the_socket_buffer_cross_intact():
    async def main() -> list[Article | None]:
        pool = ExtractionPool(config(workers=1, max_bytes=10**7), scripted_work)
        await pool.start()
        pages = [job(f"big{i}", bytes([97 + i]) * (3 * 2**20)) for i in range(3)]
        results = await asyncio.gather(*(pool.extract(p) for p in pages))
        await pool.close()
        return results

    bodies = [a.articleBody for a in run(main()) if a is not None]
    assert bodies == [chr(97 + i) * (3 * 2**20) for i in range(3)]


def test_hanging_page_is_dropped_within_the_limit_and_others_are_not_lost():
    async def main() -> tuple[list[Any], float, list[Any], ExtractionPool]:
        pool = ExtractionPool(config(timeout=0.6), scripted_work)
        await pool.start()
        started = time.monotonic()
        pages = [job("hang"), *(job(f"slow{i}") for i in range(5))]
        results = await asyncio.gather(*(outcome(pool, p) for p in pages))
        elapsed = time.monotonic() - started
        after = await asyncio.gather(*(outcome(pool, job("ok")) for _ in range(3)))
        await pool.close()
        return results, elapsed, after, pool

    results, elapsed, after, pool = run(main())
    assert results[0] == "timeout"
    assert all(isinstance(r, Article) for r in results[1:])
    assert elapsed < 3.0  # the limit (0.6 s), not the hang (60 s)
    assert all(isinstance(r, Article) for r in after)
    assert pool.counts.timed_out == 1


def test_crash_and_memory_error_are_counted_and_the_pool_recovers():
    async def main() -> tuple[list[Any], ExtractionPool]:
        pool = ExtractionPool(config(), scripted_work)
        await pool.start()
        pages = [job("crash"), job("slow1"), job("oom"), job("slow2"), job("ok")]
        results = await asyncio.gather(*(outcome(pool, p) for p in pages))
        results.append(await outcome(pool, job("ok")))
        await pool.close()
        return results, pool

    results, pool = run(main())
    assert results[0] == "worker_crash"
    assert results[2] == "worker_crash"
    assert all(isinstance(results[i], Article) for i in (1, 3, 4, 5))
    assert pool.counts.crashed == 2


def test_exception_in_the_extractor_is_reraised_with_the_worker_traceback():
    async def main() -> BaseException:
        pool = ExtractionPool(config(workers=1), scripted_work)
        await pool.start()
        try:
            await pool.extract(job("error"))
        except ValueError as exc:
            return exc
        finally:
            await pool.close()
        raise AssertionError("no exception")

    exc = run(main())
    assert str(exc) == "bad page"
    assert isinstance(exc.__cause__, RemoteTraceback)
    assert "scripted_work" in str(exc.__cause__)


def test_oversize_page_is_dropped_before_submission():
    async def main() -> list[Any]:
        pool = ExtractionPool(config(workers=1, max_bytes=100), must_not_run)
        inline = ExtractionPool(config(workers=0, max_bytes=100), must_not_run)
        await pool.start()
        results = [
            await outcome(pool, job("big", b"x" * 101)),
            await outcome(inline, job("big", b"x" * 101)),
        ]
        await pool.close()
        return results

    assert run(main()) == ["too_large", "too_large"]


@pytest.mark.parametrize("together", [False, True], ids=["one_by_one", "all_at_once"])
def test_workers_are_recycled_after_max_tasks(together: bool):
    """All at once, a worker is never sent more pages than it takes before it exits."""

    async def main() -> list[Any]:
        pool = ExtractionPool(config(workers=1, max_tasks_per_worker=2), scripted_work)
        await pool.start()
        if together:
            pages = (pool.extract(job(f"p{i}")) for i in range(5))
            results = await asyncio.wait_for(asyncio.gather(*pages), timeout=20)
        else:
            results = [await pool.extract(job(f"p{i}")) for i in range(5)]
        await pool.close()
        assert (pool.counts.recycled, pool.counts.started) == (2, 3)
        return results

    pids = [a.headline for a in run(main()) if a is not None]
    assert len(pids) == 5
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


def test_a_worker_is_sent_its_next_page_before_it_answers_for_the_first():
    async def main() -> tuple[list[int], list[Any]]:
        pool = ExtractionPool(config(workers=1), scripted_work)
        await pool.start()
        while not all(w.ready for w in pool._workers.values()):
            await asyncio.sleep(0.01)
        pending = [asyncio.ensure_future(outcome(pool, job(f"slow{i}"))) for i in range(3)]
        await asyncio.sleep(0)  # all three submitted
        (worker,) = pool._workers.values()
        in_flight = [len(worker.tasks), len(pool._queue)]
        results = await asyncio.gather(*pending)
        await pool.close()
        return in_flight, results

    in_flight, results = run(main())
    assert in_flight == [2, 1]  # two sent, the third waits for the first answer
    assert all(isinstance(r, Article) for r in results)


@pytest.mark.parametrize("first", ["crash", "hang"])
def test_the_page_sent_after_a_crash_or_a_hang_is_not_lost(first: str):
    async def main() -> list[Any]:
        pool = ExtractionPool(config(workers=1, timeout=0.6), scripted_work)
        await pool.start()
        pages = [job(first), job("after"), job("later")]
        results = await asyncio.wait_for(
            asyncio.gather(*(outcome(pool, p) for p in pages)), timeout=20
        )
        await pool.close()
        return results

    first_result, *rest = run(main())
    assert first_result == {"crash": "worker_crash", "hang": "timeout"}[first]
    assert all(isinstance(r, Article) for r in rest)


def test_close_finishes_pending_pages_and_stops_the_workers():
    async def main() -> tuple[list[Any], Any, ExtractionPool]:
        pool = ExtractionPool(config(workers=1), scripted_work)
        await pool.start()
        pending = [asyncio.ensure_future(outcome(pool, job(f"slow{i}"))) for i in range(4)]
        await asyncio.sleep(0)  # all four submitted: one running, three queued
        await pool.close()
        results = [p.result() for p in pending]
        late = await outcome(pool, job("ok"))
        return results, late, pool

    results, late, pool = run(main())
    assert all(isinstance(r, Article) for r in results)
    assert late == "shutdown"
    assert not pool._workers and not pool._exiting


def test_workers_that_cannot_start_break_the_pool_and_drop_pages(tmp_path):
    async def main() -> tuple[Any, Any]:
        pool = ExtractionPool(config(workers=1), Unloadable())
        await pool.start()
        first = await outcome(pool, job("ok"))
        pipe = pipeline(0, tmp_path)
        pipe.pool = pool  # the same broken pool behind the pipeline
        try:
            await pipe.process_item(fetched(b"<p>text</p>"))
        except DropItem as exc:
            dropped: Any = str(exc).split(":")[0]
        await pool.close()
        return first, (dropped, pipe.stats.get_value("news/clean/pool_broken"))

    first, dropped = run(main())
    assert first == PoolBroken.__name__
    assert dropped == ("pool_broken", 1)


def test_pool_settings_are_validated(tmp_path):
    assert pipeline(3, tmp_path).pool.config.workers == 3
    assert pipeline("", tmp_path).pool.config.workers >= 1  # empty: one per core
    for name, value in [
        ("NEWS_EXTRACT_WORKERS", -1),
        ("NEWS_EXTRACT_TIMEOUT", 0),
        ("NEWS_EXTRACT_MAX_BYTES", 0),
        ("NEWS_EXTRACT_MAX_TASKS_PER_WORKER", -5),
    ]:
        with pytest.raises(ConfigError, match=name):
            news_crawler(tmp_path, **{name: value})


# --- the extraction pipeline over the pool ------------------------------------------------


def pipeline(workers: int | str, tmp_path: Path, **settings: Any) -> ExtractionPipeline:
    crawler = news_crawler(
        tmp_path, NEWS_REGISTRY=str(REGISTRY), NEWS_EXTRACT_WORKERS=workers, **settings
    )
    return ExtractionPipeline.from_crawler(crawler)


def fetched(body: bytes) -> FetchedPage:
    return FetchedPage(
        url=ARTICLE_URL,
        site="harbor-herald",
        body=body,
        fetched_at="2026-11-22T12:00:00Z",
        content_type="text/html; charset=utf-8",
    )


async def through(pipe: ExtractionPipeline, pages: list[FetchedPage]) -> list[Any]:
    await pipe.open_spider()
    results: list[Any] = []
    for page in pages:
        try:
            results.append(await pipe.process_item(page))
        except DropItem as exc:
            results.append(str(exc).split(":")[0])
    await pipe.close_spider()
    return results


@pytest.mark.parametrize("workers", [0, 1])
def test_extraction_pipeline_inline_and_in_a_worker(workers: int, tmp_path: Path):
    pipe = pipeline(
        workers, tmp_path, NEWS_EXTRACT_MAX_BYTES=200_000, EXTENSIONS={LedgerExtension: 0}
    )
    body = ARTICLE_FILE.read_bytes()
    other = object()
    pages = [fetched(body), fetched(b" "), fetched(b"<html>" + b"x" * 200_000)]
    article, empty, large = run(through(pipe, pages))
    assert run(pipe.process_item(other)) is other
    assert isinstance(article, Article)
    assert (article.site, article.fetchedAt) == ("harbor-herald", "2026-11-22T12:00:00Z")
    assert "sensor" in article.headline.lower()
    assert (empty, large) == ("empty", "too_large")
    # The dedup finds the signature the work computed, and does not shingle the text again.
    assert pipe.near_dup is not None
    expected = text_signature(article.articleBody, pipe.near_dup.config)
    with mock.patch.object(neardup, "text_signature", side_effect=AssertionError("recomputed")):
        assert pipe.near_dup.signature(article.articleBody) == expected
    ledger = pipe.addon.crawler.get_extension(LedgerExtension)
    assert ledger is not None
    ledger.store.close()
    ledger.release()
    stats = pipe.stats.get_stats()
    assert stats["news/clean/extracted"] == 1
    assert stats["news/clean/empty"] == 1
    assert stats["news/clean/too_large"] == 1


def test_records_of_other_languages_are_dropped_with_their_reason(tmp_path: Path):
    body = ARTICLE_FILE.read_bytes()  # an English page
    german_only = pipeline(0, tmp_path / "a", NEWS_LANGUAGES="de,fr")
    assert run(through(german_only, [fetched(body)])) == ["language"]
    assert german_only.stats.get_stats()["news/clean/language"] == 1
    english = pipeline(0, tmp_path / "b", NEWS_LANGUAGES=["en-GB"])
    (article,) = run(through(english, [fetched(body)]))
    assert isinstance(article, Article) and article.inLanguage == "en"


def test_a_sites_languages_narrow_the_global_ones(tmp_path: Path):
    registry = tmp_path / "sites.toml"
    registry.write_text(
        REGISTRY.read_text(encoding="utf-8").replace(
            'language = "en"\n', 'language = "en"\nlanguages = ["de"]\n', 1
        ),
        encoding="utf-8",
    )
    crawler = news_crawler(tmp_path, NEWS_REGISTRY=str(registry), NEWS_EXTRACT_WORKERS=0)
    pipe = ExtractionPipeline.from_crawler(crawler)
    assert run(through(pipe, [fetched(ARTICLE_FILE.read_bytes())])) == ["language"]


def test_the_fetch_time_and_markdown_links_reach_the_cleaner(tmp_path: Path):
    html = (
        b'<html lang="de"><body><article><h1>Probe am Rhein</h1>'
        b'<p class="news-date">Aktualisiert vor 2 Stunden</p>'
        + b"<p>Die Feuerwehr hat am Samstag am Rheinufer einen Einsatz geprobt, mit vielen "
        b'Helfern aus der <a href="/region/">Region</a> und aus den Nachbarorten.</p>'
        * 6
        + b"</article></body></html>"
    )
    pipe = pipeline(0, tmp_path, NEWS_MARKDOWN_LINKS="true")
    page = replace(fetched(html), url="http://harborherald.test/probe/")  # no date in the URL
    (article,) = run(through(pipe, [page]))
    assert isinstance(article, Article)
    assert article.datePublished == "2026-11-22T10:00:00+00:00"  # fetched at 12:00Z
    assert "[Region](http://harborherald.test/region/)" in (article.articleBodyMarkdown or "")
    assert "Region" in article.articleBody and "](" not in article.articleBody
