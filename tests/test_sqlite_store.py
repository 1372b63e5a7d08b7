import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipelines.fingerprint import text_fingerprint
from pipelines.neardup import NearDupConfig, NearDupIndex
from pipelines.sqlite_store import SQLiteStore, StoreError, id_to_int, int_to_id
from pipelines.store import Candidate, Verdict

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
    from pipelines.fingerprint import text_fingerprint
    from pipelines.neardup import NearDupIndex
    from pipelines.sqlite_store import SQLiteStore
    from pipelines.store import Candidate
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
