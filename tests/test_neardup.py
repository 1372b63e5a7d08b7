import hashlib
import os
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rensa import RMinHash

from pipelines.state.neardup import NearDupConfig, NearDupIndex

INDEX = NearDupIndex()
# Random bytes make random signatures far faster than lists of 128 integers would.
SIGNATURES = st.binary(min_size=512, max_size=512).map(INDEX.unpack)


def story(seed: int, words: int = 400) -> str:
    """Prose-like text from a 3,000-word vocabulary; different seeds share almost nothing."""
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(3000)]
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choices(vocabulary, k=rng.randint(8, 20))) + ".")
    return " ".join(sentences)


def test_default_config_and_decision_cutoff():
    config = NearDupConfig()
    assert (config.threshold, config.num_perm, config.bands, config.rows) == (0.8, 128, 25, 5)
    # The 5th percentile of Binomial(128, 0.8): 95% of pairs at the threshold pass.
    assert config.min_matches == 95
    assert config.candidate_probability(config.min_matches / config.num_perm) > 0.99
    assert config.candidate_probability(0.05) < 1e-4
    # Normal approximation: 0.8 * 2048 - 1.645 * sqrt(2048 * 0.8 * 0.2) = 1608.6.
    assert 1600 < NearDupConfig(num_perm=2048, bands=400).min_matches < 1620


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"num_perm": 0}, "num_perm"),
        ({"rows": True}, "rows"),
        ({"shingle_size": 0}, "shingle_size"),
        ({"bands": 30, "rows": 5}, "exceeds num_perm"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"confidence": 1.0}, "confidence"),
        ({"threshold": 0.6}, "for_threshold"),
    ],
)
def test_config_validation(fields, message):
    with pytest.raises(ValueError, match=message):
        NearDupConfig(**fields)


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0])
def test_for_threshold_keeps_the_default_banding_when_it_suits(threshold):
    config = NearDupConfig.for_threshold(threshold)
    assert config.threshold == threshold
    assert config.candidate_probability(config.min_matches / config.num_perm) >= 0.99
    if threshold >= 0.8:
        assert (config.bands, config.rows) == (NearDupConfig.bands, NearDupConfig.rows)


def test_shingles_are_over_normalized_words():
    assert INDEX.shingles("One, two; THREE four!") == ["one two three", "two three four"]
    assert INDEX.shingles("a b c a b c") == ["a b c", "b c a", "c a b"]
    # Shorter than one shingle: the whole text is one shingle; nothing at all: none.
    assert INDEX.shingles("Breaking news") == ["breaking news"]
    assert INDEX.shingles(" ... ") == []


def test_signature_is_pinned_across_processes_and_versions():
    text = "The harbor authority voted on Tuesday to expand the container terminal, officials said."
    signature = INDEX.signature(text)
    assert len(signature) == 128
    assert all(0 <= slot < 2**32 for slot in signature)
    # Stored signatures must stay comparable: this fails if rensa changes its hashing.
    assert signature[:2] == (3227447923, 3221679436)
    assert hashlib.sha256(INDEX.pack(signature)).hexdigest()[:16] == "3da4d740d32e07bf"
    assert INDEX.band_keys(signature)[:2] == [8730211804576404789, -4885267370459058383]
    code = (
        "from pipelines.state.neardup import NearDupIndex; i = NearDupIndex(); "
        f"s = i.signature({text!r}); print(list(s), i.band_keys(s))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert output.strip() == f"{list(signature)} {INDEX.band_keys(signature)}"


def test_repeated_passages_sign_as_their_distinct_shingles():
    # The signature is taken over every shingle, repeats included: a minimum ignores them.
    text = "Sign up for our newsletter. " + story(3) + " Sign up for our newsletter. " * 3
    distinct = RMinHash(INDEX.config.num_perm, INDEX.config.seed)
    distinct.update(INDEX.shingles(text))
    assert INDEX.shingles(text).count("up for our") == 1
    assert INDEX.signature(text) == tuple(distinct.digest())


def test_identical_text_is_similarity_one_and_unrelated_about_zero():
    a, b = INDEX.signature(story(1)), INDEX.signature(story(2))
    assert INDEX.similarity(a, INDEX.signature(story(1))) == 1.0
    assert INDEX.is_near_duplicate(a, a)
    assert INDEX.similarity(a, b) < 0.05
    assert not INDEX.is_near_duplicate(a, b)
    assert not set(INDEX.band_keys(a)) & set(INDEX.band_keys(b))


def test_light_edit_is_caught_and_shares_a_band():
    original = story(3)
    words = original.split()
    for position in (10, 90, 200, 310):
        words[position] = "changed"
    edited = "A new introduction from the second paper. " + " ".join(words)
    a, b = INDEX.signature(original), INDEX.signature(edited)
    assert INDEX.is_near_duplicate(a, b)
    assert set(INDEX.band_keys(a)) & set(INDEX.band_keys(b))


def test_rewritten_half_is_not_a_near_duplicate():
    first, second = story(4).split(". "), story(5).split(". ")
    half = len(first) // 2
    mixed = ". ".join(first[:half] + second[half:])
    assert not INDEX.is_near_duplicate(INDEX.signature(story(4)), INDEX.signature(mixed))


def test_decision_rule_counts_equal_slots():
    base = tuple(range(128))
    needed = INDEX.config.min_matches

    def with_matches(k):
        return base[:k] + tuple(slot + 1000 for slot in base[k:])

    assert INDEX.is_near_duplicate(base, with_matches(needed))
    assert not INDEX.is_near_duplicate(base, with_matches(needed - 1))
    assert INDEX.similarity(base, with_matches(64)) == 0.5


def test_empty_text_matches_nothing_and_has_no_band_keys():
    empty = INDEX.signature("")
    assert empty == INDEX.signature("  -- ")
    assert INDEX.band_keys(empty) == []
    assert not INDEX.is_near_duplicate(empty, empty)


def test_band_number_is_mixed_into_the_key():
    same_rows = (7,) * 128
    assert len(set(INDEX.band_keys(same_rows))) == INDEX.config.bands


def test_remembered_band_keys_are_the_computed_ones_and_cannot_be_altered():
    index = NearDupIndex(NearDupConfig())
    signatures = [index.signature(f"story number {n} about the harbor strike") for n in range(3)]
    fresh = [NearDupIndex(NearDupConfig()).band_keys(s) for s in signatures]
    first = index.band_keys(signatures[0])
    first.clear()  # a caller's list is its own
    for _ in range(2):  # computed, then remembered
        assert [index.band_keys(s) for s in signatures] == fresh


def test_band_key_memo_stays_bounded():
    index = NearDupIndex(NearDupConfig())
    for n in range(1500):
        index.band_keys((n,) * 128)
    assert len(index._recent_keys) <= 1024
    assert index.band_keys((0,) * 128) == NearDupIndex(NearDupConfig()).band_keys((0,) * 128)


def test_wrong_lengths_are_rejected():
    with pytest.raises(ValueError, match="slots"):
        INDEX.band_keys((1, 2, 3))
    with pytest.raises(ValueError, match="slots"):
        INDEX.similarity((1,) * 128, (1,) * 64)
    with pytest.raises(ValueError, match="bytes"):
        INDEX.unpack(b"\x00" * 100)


@settings(max_examples=100, derandomize=True)
@given(SIGNATURES)
def test_pack_round_trip_and_band_keys(signature):
    packed = INDEX.pack(signature)
    assert len(packed) == 512
    assert INDEX.unpack(packed) == signature
    keys = INDEX.band_keys(signature)
    assert len(keys) == INDEX.config.bands
    assert all(-(2**63) <= key < 2**63 for key in keys)


@settings(max_examples=100, derandomize=True)
@given(SIGNATURES, SIGNATURES, st.integers(min_value=0, max_value=128))
def test_similarity_counts_shared_slots_symmetrically(a, b, shared):
    mixed = a[:shared] + b[shared:]
    assert INDEX.similarity(a, mixed) == INDEX.similarity(mixed, a)
    assert shared / 128 <= INDEX.similarity(a, mixed) <= 1.0
    assert INDEX.is_near_duplicate(a, mixed) == (INDEX.similarity(a, mixed) >= 95 / 128)


@settings(max_examples=100, derandomize=True)
@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), min_size=1, max_size=40))
def test_signature_ignores_case_punctuation_and_spacing(words):
    plain = " ".join(words)
    noisy = "  ".join(f"{word.upper()}," for word in words) + "\n"
    assert INDEX.signature(plain) == INDEX.signature(noisy)
