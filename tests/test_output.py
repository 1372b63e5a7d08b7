import os
import stat
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.utils.misc import load_object

from crawler.addon import news_addon
from crawler.drops import NewsDrop
from crawler.exporters import RECORDS_FORMAT, RecordLinesExporter
from crawler.items import Article
from pipelines.output.files import create_new, write_atomic
from pipelines.output.layout import (
    RUN_MARK,
    new_run_dir,
    render_text,
    temporary_files,
    temporary_name,
)
from pipelines.output.runs import tidy_dead_runs
from pipelines.textfiles import TextFilesPipeline
from tests.crawlers import news_crawler


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


def test_addon_picks_the_run_dir_and_adds_the_run_feed(tmp_path):
    crawler = news_crawler(tmp_path, NEWS_RUN_DIR="", NEWS_OUTPUT_DIR=str(tmp_path / "out"))
    addon = news_addon(crawler)
    assert addon.output_dir.parent == tmp_path / "out"
    assert crawler.settings.get("NEWS_RUN_DIR") == str(addon.output_dir)
    ((uri, options),) = crawler.settings.getdict("FEEDS").items()
    assert uri.endswith("/articles-%(batch_id)05d.jsonl") and uri.startswith("file://")
    assert options["format"] == RECORDS_FORMAT
    exporter = crawler.settings.getwithbase("FEED_EXPORTERS")[RECORDS_FORMAT]
    assert load_object(exporter) is RecordLinesExporter
    assert options["batch_item_count"] == 100
    assert options["news_commit"] is True
    assert options["store_empty"] is False


def test_a_users_feed_is_added_to_the_run_feed_never_instead(tmp_path):
    crawler = news_crawler(tmp_path, FEEDS={"out.json": {"format": "json"}})
    feeds = crawler.settings.getdict("FEEDS")
    assert "out.json" in feeds and len(feeds) == 2
    assert sum(1 for o in feeds.values() if o.get("news_commit")) == 1


def test_render_text_shape():
    assert render_text(article()) == "A headline\n\nFirst paragraph.\n\nSecond paragraph.\n"


def test_write_atomic_leaves_no_temp_files(tmp_path):
    target = tmp_path / "x.txt"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_files_honour_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "atomic.json", "{}")
        with create_new(tmp_path / "new.txt") as handle:
            handle.write(b"x")
    finally:
        os.umask(previous)
    for name in ("atomic.json", "new.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode


def pipeline(tmp_path):
    crawler = news_crawler(tmp_path, NEWS_RUN_DIR=str(tmp_path))
    assert crawler.stats is not None
    return TextFilesPipeline(news_addon(crawler), tmp_path / "text", crawler.stats), crawler


def test_text_files_numbered_and_continue_after_existing(tmp_path):
    first, crawler = pipeline(tmp_path)
    first.open_spider()
    first.process_item(article(1))
    first.process_item(article(2))
    again, _ = pipeline(tmp_path)
    again.open_spider()
    again.process_item(article(3))
    names = sorted(p.name for p in (tmp_path / "text").iterdir())
    assert names == [f"000_{1:016x}.txt", f"001_{2:016x}.txt", f"002_{3:016x}.txt"]
    assert crawler.stats.get_value("news/output/text_files") == 2


def test_text_file_name_never_from_content(tmp_path):
    texts, _ = pipeline(tmp_path)
    texts.open_spider()
    with pytest.raises(NewsDrop, match="no valid id"):
        texts.process_item(article(id="../../etc/passwd"))
    assert list((tmp_path / "text").iterdir()) == []


def test_text_files_accept_any_item_carrying_an_article(tmp_path):
    texts, _ = pipeline(tmp_path)
    texts.open_spider()
    result = texts.process_item(
        {"url": "http://x.test/1", "headline": "H", "articleBody": "B", "id": f"{1:016x}"}
    )
    assert isinstance(result, Article)
    assert (tmp_path / "text" / f"000_{1:016x}.txt").read_text() == "H\n\nB\n"


def test_cleanup_touches_only_our_temporaries_of_dead_runs(tmp_path):
    output = tmp_path / "output"
    dead, alive, foreign = output / "dead", output / "alive", output / "photos"
    for directory in (dead / "text", alive, foreign / "deep"):
        directory.mkdir(parents=True)
    ours = [temporary_name(dead / "articles-00001.jsonl"), temporary_name(dead / "text" / "x.txt")]
    theirs = [dead / ".other.part", foreign / ".tmp.part", foreign / "deep" / ".x.part"]
    for path in [*ours, *theirs]:
        path.write_text("x")
    (dead / RUN_MARK).write_text("999999999\n")  # no such process
    (alive / RUN_MARK).write_text(f"{os.getppid()}\n")  # a live process
    alive_part = temporary_name(alive / "articles-00001.jsonl")
    alive_part.write_text("x")
    assert tidy_dead_runs(output) == 2
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs) and alive_part.exists()
    assert temporary_files(dead) == []
