import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pipelines.cleaning.text import normalize_text, normalized_words, text_fingerprint, word_count
from pipelines.state.store import Candidate, MemoryStore, Verdict


def test_normalized_text_ignores_case_space_punctuation():
    assert normalize_text("Hello,  World!\n\nIt's  here.") == "hello world it s here"
    assert text_fingerprint("Hello, World!") == text_fingerprint("hello world")
    assert text_fingerprint("Hello, World!") != text_fingerprint("Hello, Word!")
    assert len(text_fingerprint("x")) == 32
    assert word_count("one two\n\nthree") == 3


def _regex_words(text: str) -> list[str]:
    """The definition the fast path must match: runs of letters and digits, case folded."""
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())


# Every code point, surrogates included: text from JSON escapes can hold a lone one.
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=80))
def test_normalized_words_are_the_regex_words(text):
    assert normalized_words(text) == _regex_words(text)
    assert normalize_text(text) == " ".join(_regex_words(text))


def test_normalized_words_split_at_any_separator():
    text = (
        "L\u2019\u00e9t\u00e9 \u2014 \u201cSTRASSE\u201d snake_case "
        "\ud800x 5\u00b2 caf\u00e9\u0301\u00a0ok"
    )
    assert normalized_words(text) == _regex_words(text)
    assert normalized_words(text)[:4] == ["l", "\u00e9t\u00e9", "strasse", "snake"]


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
