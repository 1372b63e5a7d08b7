from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem

from crawler.addon import news_addon
from crawler.config import ConfigError
from crawler.extensions.ledger import near_dup_index, open_store
from crawler.items import Article
from pipelines.cleaning.text import text_fingerprint
from pipelines.dedup import DedupPipeline
from pipelines.output import files as files_module
from pipelines.state.ledger import EmissionLedger, LedgerError
from tests import syndication
from tests.crawlers import news_crawler

BODY = " ".join(
    f"Paragraph {i} reports what the council decided about the harbor plan." for i in range(60)
)
SYNDICATED = "The Ledger adds its own introduction to this wire report today. " + BODY


def article(article_id: str, body: str = BODY, url: str = "http://a.test/x") -> Article:
    return Article(
        url=url,
        headline="H",
        articleBody=body,
        canonicalUrl=url,
        id=article_id,
        fingerprint=text_fingerprint(body),
    )


class Run:
    """One crawl's dedup pipeline over a state directory, without Scrapy's engine."""

    def __init__(self, state: Path, **settings: Any) -> None:
        crawler = news_crawler(state, **settings)
        addon = news_addon(crawler)
        config = addon.config
        index = near_dup_index(config)
        self.ledger = EmissionLedger(open_store(config, index, crawler), index)
        assert crawler.stats is not None
        self.stats = crawler.stats
        keep = config.duplicates == "keep"
        self.dedup = DedupPipeline(addon, self.stats, self.ledger, keep_duplicates=keep)

    def stat(self, key: str) -> int | None:
        return self.stats.get_value(key)

    def emit(self, item: Article) -> Article:
        result: Article = self.dedup.process_item(item)
        return result

    def commit(self) -> int:
        """Every pending record written and committed, as one batch would be."""
        pending = self.ledger.unwritten()
        self.ledger.commit_batch(pending)
        return len(pending)

    def end(self) -> None:
        self.commit()
        self.ledger.commit_decisions()
        self.ledger.store.close()


def test_one_record_per_story_and_nothing_on_rerun(tmp_path):
    run = Run(tmp_path)
    assert run.emit(article("a" * 16)).id == "a" * 16
    variants = [article("a" * 16, BODY + " AMP"), article("b" * 16), article("c" * 16, SYNDICATED)]
    for variant in variants:
        with pytest.raises(DropItem):
            run.dedup.process_item(variant)
    run.end()
    assert run.stat("news/dedup/new") == 1
    assert run.stat("news/dedup/same_id_in_run") == 1
    assert run.stat("news/dedup/duplicate_text") == 1
    assert run.stat("news/dedup/near_duplicate") == 1

    rerun = Run(tmp_path)
    with pytest.raises(DropItem, match="unchanged"):
        rerun.dedup.process_item(article("a" * 16))
    for variant in variants[1:]:
        with pytest.raises(DropItem):
            rerun.dedup.process_item(variant)
    edited = BODY.replace("Paragraph 7 ", "Paragraph seven ")
    revised = rerun.emit(article("a" * 16, edited))
    assert (revised.version, revised.previousFingerprint) == (2, text_fingerprint(BODY))
    rerun.end()


def test_uncommitted_decisions_are_forgotten(tmp_path):
    run = Run(tmp_path)
    run.dedup.process_item(article("a" * 16))
    run.ledger.store.close()  # the process dies before its batch commits
    rerun = Run(tmp_path)
    assert rerun.dedup.process_item(article("a" * 16)).version == 1
    rerun.end()


def test_a_batch_commits_exactly_the_records_it_holds(tmp_path):
    run = Run(tmp_path, NEWS_NEAR_DUP=False)
    items = [run.dedup.process_item(article(f"{n:016x}", f"{BODY} story {n}")) for n in range(3)]
    # Pipelines may finish items out of order: what the batch file holds is what counts.
    run.ledger.commit_batch([items[1].id, items[0].id])
    assert run.ledger.unwritten() == [items[2].id]
    run.ledger.store.close()
    rerun = Run(tmp_path, NEWS_NEAR_DUP=False)
    verdicts = []
    for n in range(3):
        try:
            rerun.emit(article(f"{n:016x}", f"{BODY} story {n}"))
            verdicts.append("emitted")
        except DropItem:
            verdicts.append("dropped")
    assert verdicts == ["dropped", "dropped", "emitted"]


def test_records_never_written_are_not_registered(tmp_path):
    run = Run(tmp_path)
    run.dedup.process_item(article("a" * 16))  # its batch failed: never committed
    run.ledger.commit_decisions()
    assert run.ledger.discard_unwritten() == 1
    run.ledger.store.close()
    rerun = Run(tmp_path)
    assert rerun.dedup.process_item(article("a" * 16)).version == 1
    rerun.end()


def test_a_batch_naming_unknown_records_commits_nothing(tmp_path):
    run = Run(tmp_path)
    run.emit(article("a" * 16))
    with pytest.raises(LedgerError):
        run.ledger.commit_batch(["a" * 16, "f" * 16])
    assert run.ledger.unwritten() == ["a" * 16]
    run.end()


def test_keep_mode_marks_duplicates(tmp_path):
    run = Run(tmp_path, NEWS_DUPLICATES="keep")
    run.emit(article("a" * 16))
    kept = run.emit(article("c" * 16, SYNDICATED))
    assert kept.duplicateOf == "a" * 16
    run.end()


def test_memory_store_and_no_near_dup(tmp_path):
    run = Run(tmp_path, NEWS_STATE_STORE="memory", NEWS_NEAR_DUP=False)
    run.emit(article("a" * 16))
    assert run.emit(article("c" * 16, SYNDICATED)).id == "c" * 16
    run.end()
    assert not (tmp_path / "state.sqlite3").exists()


@pytest.mark.parametrize(
    "settings",
    [
        {"NEWS_DUPLICATES": "maybe"},
        {"NEWS_STATE_STORE": "postgres"},
        {"NEWS_NEAR_DUP_THRESHOLD": 1.5},
    ],
)
def test_misconfiguration_is_an_error_not_a_feature_switched_off(tmp_path, settings):
    with pytest.raises(ConfigError, match=next(iter(settings))):
        news_crawler(tmp_path, **settings)


def test_reset_setting_forgets_everything(tmp_path):
    run = Run(tmp_path)
    run.emit(article("a" * 16))
    run.end()
    fresh = Run(tmp_path, NEWS_STATE_RESET=True)
    assert fresh.dedup.process_item(article("a" * 16)).version == 1
    fresh.end()


def _rewritten(body: str, share: float) -> str:
    """``body`` with every n-th word replaced, so about ``share`` of the words differ."""
    step = round(1 / share)
    return " ".join(f"changed{n}" if n % step == 0 else word for n, word in enumerate(body.split()))


def test_pending_near_duplicates_point_at_the_original_not_at_a_copy(tmp_path):
    # All in one uncommitted batch: found through the pending band index.
    run = Run(tmp_path, NEWS_DUPLICATES="keep")
    base = " ".join(f"Word{n} of the first wire story about the harbor." for n in range(120))
    run.emit(article("a" * 16, base))
    copy = run.emit(article("b" * 16, _rewritten(base, 0.03)))
    assert copy.duplicateOf == "a" * 16
    unrelated = run.emit(article("c" * 16, BODY))
    assert unrelated.duplicateOf is None
    # A copy is never a near-duplicate target itself, before or after its batch commits.
    assert run.commit() == 3
    again = run.emit(article("d" * 16, _rewritten(base, 0.02)))
    assert again.duplicateOf == "a" * 16
    run.end()


def test_pending_index_forgets_committed_records(tmp_path):
    run = Run(tmp_path)
    run.emit(article("a" * 16))
    assert run.ledger._by_band and run.ledger._by_fingerprint
    run.commit()
    assert not run.ledger._by_band and not run.ledger._by_fingerprint
    with pytest.raises(DropItem, match="duplicate"):
        run.dedup.process_item(article("c" * 16, SYNDICATED))  # now found in the store
    run.end()


def test_batch_files_are_synced_before_the_store_commit(tmp_path, monkeypatch):
    events: list[str] = []
    monkeypatch.setattr(files_module, "_load_syncfs", lambda: None)  # portable: fsync a file
    real_fsync = files_module.os.fsync

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    monkeypatch.setattr(files_module.os, "fsync", fsync)
    run = Run(tmp_path)
    real_commit = run.ledger.store.commit

    def commit(*args, **kwargs):
        events.append("commit")
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(run.ledger.store, "commit", commit)
    run.emit(article("a" * 16))
    part, final = tmp_path / ".newscrawler.001.txt.0123456789abcdef.part", tmp_path / "001.txt"
    part.write_text("H\n\nbody\n", encoding="utf-8")
    run.ledger.attach_file("a" * 16, part, final)
    run.commit()
    # The file's fsync comes before the commit; the directory's after the rename.
    assert events[:2] == ["fsync", "commit"]
    assert final.read_text(encoding="utf-8") == "H\n\nbody\n" and not part.exists()
    run.end()


def test_syncfs_is_used_when_available(tmp_path, monkeypatch):
    calls: list[int] = []

    def syncfs(fd: int) -> int:
        calls.append(fd)
        return 0

    monkeypatch.setattr(files_module, "_load_syncfs", lambda: syncfs)
    monkeypatch.setattr(
        files_module.os, "fsync", lambda fd: pytest.fail("fsync despite a working syncfs")
    )
    files = [tmp_path / f"{n}.part" for n in range(5)]
    for file in files:
        file.write_text("x", encoding="ascii")
    files_module.make_durable([*files, tmp_path / "gone.part"])
    assert len(calls) == 1


def test_a_failing_syncfs_fails_the_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "_load_syncfs", lambda: lambda fd: -1)
    run = Run(tmp_path)
    run.emit(article("a" * 16))
    part = tmp_path / ".newscrawler.x.txt.0123456789abcdef.part"
    part.write_text("x", encoding="ascii")
    run.ledger.attach_file("a" * 16, part, tmp_path / "x.txt")
    with pytest.raises(OSError):
        run.commit()
    assert run.ledger.unwritten() == ["a" * 16]
    assert not (tmp_path / "x.txt").exists()


# --- a syndicated copy across runs (texts: tests.syndication) ------------------------------

WIRE, COPY, OTHER = "a" * 16, "c" * 16, "d" * 16


def story(article_id: str, paragraphs: list[str]) -> Article:
    return article(article_id, syndication.text(paragraphs), f"http://{article_id[0]}.test/s")


def dropped(run: Run, item: Article, reason: str) -> None:
    with pytest.raises(DropItem, match=f"^{reason}: "):
        run.dedup.process_item(item)


def test_a_syndicated_copy_comes_out_once_whatever_becomes_of_it(tmp_path):
    first = Run(tmp_path)
    assert first.emit(story(WIRE, syndication.WIRE_STORY)).version == 1
    dropped(first, story(COPY, syndication.SYNDICATED_COPY), "near_duplicate")
    first.end()

    # The paper touches its copy up: still a copy of the wire story, nothing comes out.
    edited = Run(tmp_path)
    dropped(edited, story(COPY, syndication.EDITED_COPY), "near_duplicate")
    assert edited.stat("news/dedup/revised") is None
    edited.end()
    again = Run(tmp_path)
    dropped(again, story(COPY, syndication.EDITED_COPY), "unchanged")
    again.end()

    # The paper replaces it with a report of its own: one record, the first of its id.
    rewritten = Run(tmp_path)
    own = rewritten.emit(story(COPY, syndication.LOCAL_STORY))
    assert (own.version, own.previousFingerprint, own.duplicateOf) == (1, None, None)
    rewritten.end()

    later = Run(tmp_path)
    dropped(later, story(COPY, syndication.LOCAL_STORY), "unchanged")
    # An original now: another paper's copy of the report points at it.
    with pytest.raises(DropItem, match=f"repeats article {COPY}"):
        later.dedup.process_item(story(OTHER, syndication.LOCAL_STORY_COPY))
    later.end()

    # Both originals' own changes come out as their next versions.
    revisions = Run(tmp_path)
    update = [*syndication.LOCAL_STORY, "Update: the board meets the lease holder on Friday."]
    revised = revisions.emit(story(COPY, update))
    assert (revised.version, revised.previousFingerprint) == (
        2,
        syndication.fingerprint(syndication.LOCAL_STORY),
    )
    assert revisions.emit(story(WIRE, syndication.CORRECTED_WIRE_STORY)).version == 2
    revisions.end()


def test_kept_copies_tell_their_own_history(tmp_path):
    keep = {"NEWS_DUPLICATES": "keep"}
    first = Run(tmp_path, **keep)
    first.emit(story(WIRE, syndication.WIRE_STORY))
    copy = first.emit(story(COPY, syndication.SYNDICATED_COPY))
    assert (copy.duplicateOf, copy.version, copy.previousFingerprint) == (WIRE, 1, None)
    first.end()

    edited = Run(tmp_path, **keep)
    copy = edited.emit(story(COPY, syndication.EDITED_COPY))
    # The second record under this id, still flagged as a copy of the wire story.
    assert (copy.duplicateOf, copy.version, copy.previousFingerprint) == (
        WIRE,
        2,
        syndication.fingerprint(syndication.SYNDICATED_COPY),
    )
    dropped(edited, story(COPY, syndication.EDITED_COPY), "same_id_in_run")
    edited.end()

    rewritten = Run(tmp_path, **keep)
    dropped(rewritten, story(COPY, syndication.EDITED_COPY), "unchanged")
    rewritten.end()

    # A report of its own: no longer flagged, and the next version of the records kept
    # under its id (with duplicates dropped it would be version 1: none came out).
    promoted = Run(tmp_path, **keep)
    own = promoted.emit(story(COPY, syndication.LOCAL_STORY))
    assert (own.duplicateOf, own.version, own.previousFingerprint) == (
        None,
        3,
        syndication.fingerprint(syndication.EDITED_COPY),
    )
    later = promoted.emit(story(OTHER, syndication.LOCAL_STORY_COPY))
    assert (later.duplicateOf, later.version, later.previousFingerprint) == (COPY, 1, None)
    promoted.end()
