from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.extensions.output import RunOutputAddon, new_run_dir
from crawler.items import Article
from pipelines.textfiles import TextFilesPipeline, render_text, write_atomic


def Stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(get_crawler())


def article(n: int = 0, **kw: Any) -> Article:
    fields: dict[str, Any] = dict(
        url=f"http://x.test/{n}",
        headline="  A  headline\n",
        articleBody="First paragraph.\n\nSecond paragraph.",
        id=f"{n:016x}",
    )
    fields.update(kw)
    return Article(**fields)


def test_new_run_dir_never_reuses(tmp_path):
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    first = new_run_dir(tmp_path, now)
    assert first.name == "2026-11-22T100000Z"
    first.mkdir()
    assert new_run_dir(tmp_path, now).name == "2026-11-22T100000Z-2"


def test_addon_sets_run_dir_and_feed(tmp_path):
    settings = Settings({"NEWS_OUTPUT_DIR": str(tmp_path)})
    RunOutputAddon().update_settings(settings)
    run_dir = settings.get("NEWS_RUN_DIR")
    assert run_dir.startswith(str(tmp_path))
    ((uri, options),) = settings.getdict("FEEDS").items()
    assert uri.endswith("/articles-%(batch_id)05d.jsonl") and uri.startswith("file://")
    assert options["format"] == "jsonlines"
    assert options["batch_item_count"] == 100
    assert options["news_commit"] is True


def test_addon_keeps_explicit_feeds(tmp_path):
    settings = Settings({"NEWS_RUN_DIR": str(tmp_path), "FEEDS": {"out.json": {"format": "json"}}})
    RunOutputAddon().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == ["out.json"]


def test_render_text_shape():
    assert render_text(article()) == "A headline\n\nFirst paragraph.\n\nSecond paragraph.\n"


def test_write_atomic_leaves_no_temp_files(tmp_path):
    target = tmp_path / "x.txt"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_text_files_numbered_and_continue_after_existing(tmp_path):
    stats = Stats()
    pipeline = TextFilesPipeline(tmp_path, stats)
    pipeline.open_spider()
    pipeline.process_item(article(1))
    pipeline.process_item(article(2))
    again = TextFilesPipeline(tmp_path, stats)
    again.open_spider()
    again.process_item(article(3))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"000_{1:016x}.txt", f"001_{2:016x}.txt", f"002_{3:016x}.txt"]
    assert stats.get_value("news/output/text_files") == 3


def test_text_file_name_never_from_content(tmp_path):
    pipeline = TextFilesPipeline(tmp_path, Stats())
    pipeline.open_spider()
    with pytest.raises(ValueError, match="no valid id"):
        pipeline.process_item(article(id="../../etc/passwd"))
    assert list(tmp_path.iterdir()) == []
