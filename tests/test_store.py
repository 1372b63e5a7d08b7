from pipelines.cleaning.text import normalize_text, text_fingerprint, word_count
from pipelines.state.store import Candidate, MemoryStore, Verdict


def test_normalized_text_ignores_case_space_punctuation():
    assert normalize_text("Hello,  World!\n\nIt's  here.") == "hello world it s here"
    assert text_fingerprint("Hello, World!") == text_fingerprint("hello world")
    assert text_fingerprint("Hello, World!") != text_fingerprint("Hello, Word!")
    assert len(text_fingerprint("x")) == 32
    assert word_count("one two\n\nthree") == 3


def test_memory_store_verdicts():
    store = MemoryStore()
    assert store.register(Candidate("a" * 16, "u1", "f1")).verdict is Verdict.NEW
    assert store.register(Candidate("a" * 16, "u1", "f1")).verdict is Verdict.UNCHANGED
    dup = store.register(Candidate("b" * 16, "u2", "f1"))
    assert dup.verdict is Verdict.DUPLICATE_TEXT
    assert dup.duplicate_of == "a" * 16
    revised = store.register(Candidate("a" * 16, "u1", "f2"))
    assert revised.verdict is Verdict.REVISED
    assert (revised.version, revised.previous_fingerprint) == (2, "f1")
    assert store.register(Candidate("a" * 16, "u1", "f2")).verdict is Verdict.UNCHANGED
