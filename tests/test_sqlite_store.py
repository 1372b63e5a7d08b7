import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest

from pipelines.cleaning.text import text_fingerprint
from pipelines.state.neardup import NearDupConfig, NearDupIndex
from pipelines.state.sqlite_store import (
    MIDDLE_FANOUT,
    SQLiteStore,
    id_to_int,
    int_to_id,
    sweep_ranges,
)
from pipelines.state.store import Candidate, Registration, StoreError, Verdict

STORY = " ".join(
    f"Sentence {i} of the wire story says the harbor authority voted on expansion plans "
    f"for berth {i} after months of debate among residents and shipping firms."
    for i in range(40)
)
SYNDICATED = "A different local introduction was added by the second paper. " + STORY
UNRELATED = " ".join(
    f"Line {i}: the football club announced a new coach and season tickets for fans."
    for i in range(40)
)


@pytest.fixture
def index():
    return NearDupIndex(NearDupConfig())


def candidate(index, article_id, text, url="http://x.test/a"):
    return Candidate(
        article_id, url, text_fingerprint(text), index.signature(text) if index else None
    )


def test_ids_round_trip_through_signed_integers():
    for value in ("0000000000000000", "7fffffffffffffff", "8000000000000000", "ffffffffffffffff"):
        assert int_to_id(id_to_int(value)) == value
        assert -(1 << 63) <= id_to_int(value) < 1 << 63


def test_decisions_persist_across_runs(tmp_path, index):
    path = tmp_path / "state.sqlite3"
    store = SQLiteStore(path, index)
    assert store.register(candidate(index, "a" * 16, STORY)).verdict is Verdict.NEW
    store.close()

    store = SQLiteStore(path, index)
    assert store.register(candidate(index, "a" * 16, STORY)).verdict is Verdict.UNCHANGED
    exact = store.register(candidate(index, "b" * 16, STORY.upper()))
    assert (exact.verdict, exact.duplicate_of) == (Verdict.DUPLICATE_TEXT, "a" * 16)
    near = store.register(candidate(index, "c" * 16, SYNDICATED))
    assert (near.verdict, near.duplicate_of) == (Verdict.NEAR_DUPLICATE, "a" * 16)
    assert near.similarity is not None and near.similarity >= 0.8
    assert store.register(candidate(index, "d" * 16, UNRELATED)).verdict is Verdict.NEW
    # A duplicate seen again is simply unchanged: it was remembered, not indexed.
    assert store.register(candidate(index, "c" * 16, SYNDICATED)).verdict is Verdict.UNCHANGED
    store.close()


def test_revision_gets_next_version_and_previous_fingerprint(tmp_path, index):
    store = SQLiteStore(tmp_path / "s.sqlite3", index)
    store.register(candidate(index, "a" * 16, STORY))
    edited = STORY.replace("Sentence 3 ", "Corrected sentence 3 ")
    revised = store.register(candidate(index, "a" * 16, edited))
    assert revised.verdict is Verdict.REVISED
    assert revised.version == 2
    assert revised.previous_fingerprint == text_fingerprint(STORY)
    assert store.register(candidate(index, "a" * 16, edited)).verdict is Verdict.UNCHANGED
    # Punctuation and case are not a material change.
    assert store.register(candidate(index, "a" * 16, edited.lower())).verdict is Verdict.UNCHANGED
    assert store.check_consistency() == []


def test_without_near_dup_index(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3", None)
    store.register(candidate(None, "a" * 16, STORY))
    assert store.register(candidate(None, "c" * 16, SYNDICATED)).verdict is Verdict.NEW


def test_changed_index_parameters_are_refused(tmp_path, index):
    SQLiteStore(tmp_path / "s.sqlite3", index).close()
    other = NearDupIndex(NearDupConfig(seed=NearDupConfig().seed + 1))
    with pytest.raises(StoreError, match="NEWS_STATE_RESET"):
        SQLiteStore(tmp_path / "s.sqlite3", other)
    # The threshold is only a decision rule: changing it is fine.
    SQLiteStore(tmp_path / "s.sqlite3", NearDupIndex(NearDupConfig(threshold=0.9))).close()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipelines.cleaning.text import text_fingerprint
    from pipelines.state.neardup import NearDupIndex
    from pipelines.state.sqlite_store import SQLiteStore
    from pipelines.state.store import Candidate
    index = NearDupIndex()
    store = SQLiteStore(Path(sys.argv[1]), index)
    print("ready", flush=True)
    i = 0
    while True:
        text = " ".join(f"word{i} token{j} filler{(i * j) % 97}" for j in range(300))
        store.register(Candidate(f"{i:016x}", f"http://x.test/{i}", text_fingerprint(text),
                                 index.signature(text)))
        i += 1
    """
)


@pytest.mark.parametrize("delay", [0.3, 0.7, 1.1])
def test_sigkill_mid_write_leaves_a_consistent_store(tmp_path, delay):
    path = tmp_path / "s.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        cwd=Path.cwd(),
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    store = SQLiteStore(path, NearDupIndex())
    assert store.check_consistency() == []
    assert store.count() > 0
    # And it keeps working.
    assert store.register(candidate(NearDupIndex(), "f" * 16, STORY)).verdict is Verdict.NEW
    store.close()


# --- the three-tier band index: recent_bands -> middle_bands -> bands ---------------------

KEY_MIN, KEY_MAX = -(1 << 63), (1 << 63) - 1
TIERS = ("recent_bands", "middle_bands", "bands")
NEVER = 1 << 62  # a sweep_docs so large that no commit in a test moves any row


def rows(store, table, article=None):
    query = f"SELECT key, article FROM {table}"
    if article is None:
        return set(store.db.execute(query).fetchall())
    return set(store.db.execute(query + " WHERE article = ?", (article,)).fetchall())


def all_rows(store, article=None):
    return {table: rows(store, table, article) for table in TIERS}


def cursor(store, name="sweep_cursor"):
    row = store.db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
    return None if row is None else int(row[0])


def filler_text(number):
    return " ".join(f"word{number} token{j} filler{(number * j) % 97}" for j in range(200))


def pairs_of(index, article_id, text):
    return {(key, id_to_int(article_id)) for key in index.band_keys(index.signature(text))}


def test_sweep_ranges_cover_the_key_space_once_with_wrap_around():
    assert sweep_ranges(KEY_MIN, 0) == ([], KEY_MIN)
    assert sweep_ranges(KEY_MIN, 1 << 63) == ([(KEY_MIN, -1)], 0)
    assert sweep_ranges(KEY_MAX - 9, 10) == ([(KEY_MAX - 9, KEY_MAX)], KEY_MIN)
    assert sweep_ranges(KEY_MAX - 9, 20) == (
        [(KEY_MAX - 9, KEY_MAX), (KEY_MIN, KEY_MIN + 9)],
        KEY_MIN + 10,
    )
    assert sweep_ranges(5, 1 << 64) == ([(KEY_MIN, KEY_MAX)], 5)
    # Steps of any widths chain without gap or overlap, round and round.
    start = position = 12345
    covered = 0
    for width in [1 << 61, 3 << 62, 7, (1 << 63) + 11, 1 << 62]:
        ranges, after = sweep_ranges(position, width)
        assert ranges[0][0] == position
        assert sum(high - low + 1 for low, high in ranges) == width
        assert (ranges[-1][1] + 1 - KEY_MIN) % (1 << 64) + KEY_MIN == after
        position, covered = after, covered + width
    assert (start - KEY_MIN + covered) % (1 << 64) + KEY_MIN == position


@pytest.mark.parametrize("tier", TIERS)
def test_near_duplicate_found_in_any_tier(tmp_path, index, tier):
    store = SQLiteStore(tmp_path / "s.sqlite3", index, sweep_docs=NEVER)
    assert store.register(candidate(index, "a" * 16, STORY)).verdict is Verdict.NEW
    expected = pairs_of(index, "a" * 16, STORY)
    assert all_rows(store)["recent_bands"] == expected
    if tier != "recent_bands":  # as if swept there
        store.db.execute(f"INSERT INTO {tier} SELECT * FROM recent_bands")
        store.db.execute("DELETE FROM recent_bands")
    assert {t: bool(r) for t, r in all_rows(store).items()} == {t: t == tier for t in TIERS}
    near = store.register(candidate(index, "c" * 16, SYNDICATED))
    assert (near.verdict, near.duplicate_of) == (Verdict.NEAR_DUPLICATE, "a" * 16)
    assert store.register(candidate(index, "d" * 16, UNRELATED)).verdict is Verdict.NEW
    assert store.check_consistency() == []
    store.close()


def test_sweep_across_the_wrap_around_moves_exactly_its_range(tmp_path, index):
    store = SQLiteStore(tmp_path / "s.sqlite3", index, sweep_docs=4)  # a quarter per article
    start = KEY_MAX - (1 << 61) + 1  # the step covers the last 2**61 keys, then the first
    marker = 4242
    inside = [start, start + 1, KEY_MAX, KEY_MIN, KEY_MIN + (1 << 61) - 1]
    outside = [start - 1, KEY_MIN + (1 << 61), 0, -1]
    store.db.execute("INSERT INTO meta VALUES ('sweep_cursor', ?)", (str(start),))
    store.db.executemany(
        "INSERT INTO recent_bands VALUES (?, ?)", [(key, marker) for key in inside + outside]
    )
    store.register(candidate(index, "a" * 16, STORY))
    assert rows(store, "middle_bands", marker) == {(key, marker) for key in inside}
    assert rows(store, "recent_bands", marker) == {(key, marker) for key in outside}
    assert cursor(store) == KEY_MIN + (1 << 61)
    # The middle sweep went first, over the middle tier as it was: nothing moved on yet.
    assert rows(store, "bands") == set()
    assert cursor(store, "middle_sweep_cursor") == KEY_MIN + (1 << 64) // (4 * MIDDLE_FANOUT)
    # The new article's own rows went wherever their keys fall, none lost.
    own = pairs_of(index, "a" * 16, STORY)
    in_range = {pair for pair in own if pair[0] >= start or pair[0] < KEY_MIN + (1 << 61)}
    assert rows(store, "middle_bands", id_to_int("a" * 16)) == in_range
    assert rows(store, "recent_bands", id_to_int("a" * 16)) == own - in_range
    store.close()


def test_sweeping_loses_and_duplicates_no_band_row(tmp_path, index):
    sweep_docs = 7  # the middle tier is swept round every 70 indexed articles
    store = SQLiteStore(tmp_path / "s.sqlite3", index, sweep_docs=sweep_docs)
    expected: set[tuple[int, int]] = set()
    first = []
    for number in range(30):  # one transaction each, then batches of five
        article_id = f"{number + 1:016x}"
        assert store.register(candidate(index, article_id, filler_text(number))).verdict is (
            Verdict.NEW
        )
        expected |= pairs_of(index, article_id, filler_text(number))
        first.append(id_to_int(article_id))
    for batch in range(20):
        decisions = []
        for number in range(100 + batch * 5, 105 + batch * 5):
            article_id = f"{number + 1:016x}"
            found = candidate(index, article_id, filler_text(number))
            decisions.append((found, store.decide(found)))
            expected |= pairs_of(index, article_id, filler_text(number))
        assert all(registration.verdict is Verdict.NEW for _, registration in decisions)
        store.commit(decisions)
    tiers = all_rows(store)
    assert set().union(*tiers.values()) == expected
    assert sum(len(found) for found in tiers.values()) == len(expected) == 130 * 25
    # More than a round of both sweeps (7 and 70 articles) since the first 30 articles:
    # all of theirs are in bands, and every tier holds some rows.
    assert {pair for pair in expected if pair[1] in first} <= tiers["bands"]
    assert all(tiers.values())
    assert store.check_consistency() == []
    store.close()


def test_revision_removes_old_band_rows_from_every_tier(tmp_path, index):
    path = tmp_path / "s.sqlite3"
    article = id_to_int("a" * 16)
    store = SQLiteStore(path, index, sweep_docs=NEVER)
    store.register(candidate(index, "a" * 16, STORY))
    old = sorted(pairs_of(index, "a" * 16, STORY))
    # Spread over the three tiers, as sweeps half way round would leave them.
    store.db.execute("DELETE FROM recent_bands")
    for number, pair in enumerate(old):
        store.db.execute(f"INSERT INTO {TIERS[number % 3]} VALUES (?, ?)", pair)
    assert all(all_rows(store, article).values())

    revised = store.register(candidate(index, "a" * 16, UNRELATED))
    assert revised.verdict is Verdict.REVISED
    assert all_rows(store, article) == {
        "recent_bands": pairs_of(index, "a" * 16, UNRELATED),
        "middle_bands": set(),
        "bands": set(),
    }
    third = filler_text(7)
    assert store.register(candidate(index, "a" * 16, third)).verdict is Verdict.REVISED
    assert all_rows(store, article)["recent_bands"] == pairs_of(index, "a" * 16, third)
    # The old texts no longer match anything; the current one does.
    assert store.register(candidate(index, "b" * 16, SYNDICATED)).verdict is Verdict.NEW
    near = store.register(candidate(index, "c" * 16, "Intro. " + third))
    assert (near.verdict, near.duplicate_of) == (Verdict.NEAR_DUPLICATE, "a" * 16)
    assert store.check_consistency() == []
    store.close()


def test_sweep_cursors_survive_reopening(tmp_path, index):
    path = tmp_path / "s.sqlite3"
    step = (1 << 64) // 10
    middle_step = (1 << 64) // (10 * MIDDLE_FANOUT)
    store = SQLiteStore(path, index, sweep_docs=10)
    assert cursor(store) is None  # starts at the smallest key
    for number in range(3):
        store.register(candidate(index, f"{number + 1:016x}", filler_text(number)))
    assert cursor(store) == KEY_MIN + 3 * step
    assert cursor(store, "middle_sweep_cursor") == KEY_MIN + 3 * middle_step
    # Commits that index nothing do not move them.
    store.register(candidate(index, "1".zfill(16), filler_text(0)))
    assert cursor(store) == KEY_MIN + 3 * step
    store.close()

    store = SQLiteStore(path, index, sweep_docs=10)
    assert cursor(store) == KEY_MIN + 3 * step
    store.register(candidate(index, "e" * 16, filler_text(50)))
    assert cursor(store) == KEY_MIN + 4 * step
    assert cursor(store, "middle_sweep_cursor") == KEY_MIN + 4 * middle_step
    store.close()


@pytest.mark.parametrize("before", ["the recent tier", "the middle tier"])
def test_older_stores_are_upgraded_when_opened(tmp_path, index, before):
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path, index, sweep_docs=1)
    store.register(candidate(index, "a" * 16, STORY))
    store.db.execute("INSERT INTO bands SELECT * FROM middle_bands")
    store.db.execute("DROP TABLE middle_bands")
    store.db.execute("DELETE FROM meta WHERE key = 'middle_sweep_cursor'")
    store.db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    if before == "the recent tier":
        store.db.execute("INSERT INTO bands SELECT * FROM recent_bands")
        store.db.execute("DROP TABLE recent_bands")
        store.db.execute("DELETE FROM meta WHERE key = 'sweep_cursor'")
    store.close()

    store = SQLiteStore(path, index)
    assert store.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("2",)
    assert store.check_consistency() == []
    near = store.register(candidate(index, "c" * 16, SYNDICATED))
    assert (near.verdict, near.duplicate_of) == (Verdict.NEAR_DUPLICATE, "a" * 16)
    assert store.register(candidate(index, "d" * 16, UNRELATED)).verdict is Verdict.NEW
    store.close()


def test_a_store_from_a_newer_build_is_refused(tmp_path, index):
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path, index).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    with pytest.raises(StoreError, match="schema=3"):
        SQLiteStore(path, index)


@pytest.mark.parametrize("swept", ["a", "b"])
def test_equal_candidates_resolve_the_same_in_either_tier(tmp_path, index, swept):
    # Two originals with one signature, one bulk-loaded into bands, one committed and left
    # in recent_bands: the smaller id wins, wherever each one's rows are.
    store = SQLiteStore(tmp_path / "s.sqlite3", index, sweep_docs=NEVER)
    signature = index.signature(STORY)
    recent = "b" if swept == "a" else "a"
    store.bulk_load([(swept * 16, "http://x.test/1", text_fingerprint("one"), signature)])
    original = Candidate(recent * 16, "http://x.test/2", text_fingerprint("two"), signature)
    store.commit([(original, Registration(Verdict.NEW))])
    assert rows(store, "bands", id_to_int(swept * 16))
    assert rows(store, "recent_bands", id_to_int(recent * 16))
    found = store.decide(Candidate("c" * 16, "http://x.test/3", text_fingerprint("3"), signature))
    assert (found.verdict, found.duplicate_of, found.similarity) == (
        Verdict.NEAR_DUPLICATE,
        "a" * 16,
        1.0,
    )
    store.close()
