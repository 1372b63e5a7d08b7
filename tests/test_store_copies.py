"""Copies across runs, in every store: a copy (a record that was a duplicate of another id,
never emitted) whose text changes is judged afresh against the originals, never revised.

Each test runs on the memory, SQLite and Redis stores (near copies only where a store has
the near-duplicate index). Texts: :mod:`tests.syndication`.
"""

from __future__ import annotations

from pipelines.state.store import Candidate, StoredArticle, Verdict
from tests.stores import INDEX
from tests.syndication import (
    CORRECTED_WIRE_STORY,
    EDITED_COPY,
    LOCAL_STORY,
    LOCAL_STORY_COPY,
    SYNDICATED_COPY,
    WIRE_STORY,
    fingerprint,
    text,
)

WIRE, COPY, LATER, EXACT = "a" * 16, "c" * 16, "d" * 16, "e" * 16


def page(article_id: str, paragraphs: list[str]) -> Candidate:
    body = text(paragraphs)
    url = f"https://{article_id[0]}.test/story"
    return Candidate(article_id, url, fingerprint(paragraphs), INDEX.signature(body))


def test_article_tells_what_the_store_knows_of_an_id(store):
    assert store.article(WIRE) is None
    store.register(page(WIRE, WIRE_STORY))
    store.register(page(COPY, WIRE_STORY))
    assert store.article(WIRE) == StoredArticle(fingerprint(WIRE_STORY), 1, None)
    assert store.article(COPY) == StoredArticle(fingerprint(WIRE_STORY), 1, WIRE)


def test_a_copy_unchanged_is_unchanged(store):
    assert store.register(page(WIRE, WIRE_STORY)).verdict is Verdict.NEW
    copy = store.register(page(COPY, WIRE_STORY))
    assert (copy.verdict, copy.duplicate_of) == (Verdict.DUPLICATE_TEXT, WIRE)
    again = store.register(page(COPY, WIRE_STORY))
    assert (again.verdict, again.version) == (Verdict.UNCHANGED, 1)


def test_a_copy_edited_but_still_a_near_copy_is_not_emitted(near_store):
    store = near_store
    store.register(page(WIRE, WIRE_STORY))
    copy = store.register(page(COPY, SYNDICATED_COPY))
    assert (copy.verdict, copy.duplicate_of) == (Verdict.NEAR_DUPLICATE, WIRE)
    edited = store.register(page(COPY, EDITED_COPY))
    assert (edited.verdict, edited.duplicate_of) == (Verdict.NEAR_DUPLICATE, WIRE)
    # Its history: the second text this id has had (emitted only if duplicates are kept).
    assert (edited.version, edited.previous_fingerprint) == (2, fingerprint(SYNDICATED_COPY))
    assert not edited.promoted
    assert store.article(COPY) == StoredArticle(fingerprint(EDITED_COPY), 2, WIRE)
    # The same edited text next time: nothing to say.
    again = store.register(page(COPY, EDITED_COPY))
    assert (again.verdict, again.version) == (Verdict.UNCHANGED, 2)
    # Still no original: another page with the copy's very text points at the wire story.
    later = store.register(page(LATER, EDITED_COPY))
    assert (later.verdict, later.duplicate_of) == (Verdict.NEAR_DUPLICATE, WIRE)


def test_a_copy_that_follows_its_originals_correction_stays_a_copy(store):
    store.register(page(WIRE, WIRE_STORY))
    store.register(page(COPY, WIRE_STORY))
    corrected = store.register(page(WIRE, CORRECTED_WIRE_STORY))
    assert (corrected.verdict, corrected.version) == (Verdict.REVISED, 2)
    follows = store.register(page(COPY, CORRECTED_WIRE_STORY))
    assert (follows.verdict, follows.duplicate_of) == (Verdict.DUPLICATE_TEXT, WIRE)
    assert (follows.version, follows.previous_fingerprint) == (2, fingerprint(WIRE_STORY))
    assert store.register(page(COPY, CORRECTED_WIRE_STORY)).verdict is Verdict.UNCHANGED


def test_a_copy_rewritten_into_a_story_of_its_own_is_promoted_once(store):
    store.register(page(WIRE, WIRE_STORY))
    store.register(page(COPY, WIRE_STORY))
    own = store.register(page(COPY, LOCAL_STORY))
    assert (own.verdict, own.promoted, own.duplicate_of) == (Verdict.NEW, True, None)
    assert (own.version, own.previous_fingerprint) == (2, fingerprint(WIRE_STORY))
    assert store.article(COPY) == StoredArticle(fingerprint(LOCAL_STORY), 2, None)
    assert store.register(page(COPY, LOCAL_STORY)).verdict is Verdict.UNCHANGED
    # An original now: later copies of it point at it...
    exact = store.register(page(EXACT, LOCAL_STORY))
    assert (exact.verdict, exact.duplicate_of) == (Verdict.DUPLICATE_TEXT, COPY)
    # ...and its own changes are revisions.
    changed = [*LOCAL_STORY, "Update: the board meets the lease holder on Friday."]
    revised = store.register(page(COPY, changed))
    assert (revised.verdict, revised.version) == (Verdict.REVISED, 3)
    # The wire story is still the original of what copies it.
    assert store.register(page(LATER, WIRE_STORY)).duplicate_of == WIRE


def test_a_promoted_copy_is_the_original_of_later_near_copies(near_store):
    store = near_store
    store.register(page(WIRE, WIRE_STORY))
    store.register(page(COPY, SYNDICATED_COPY))
    assert store.register(page(COPY, LOCAL_STORY)).promoted
    later = store.register(page(LATER, LOCAL_STORY_COPY))
    assert (later.verdict, later.duplicate_of) == (Verdict.NEAR_DUPLICATE, COPY)
    # The copy's old text no longer leads anywhere but to the wire story.
    old = store.register(page(EXACT, SYNDICATED_COPY))
    assert (old.verdict, old.duplicate_of) == (Verdict.NEAR_DUPLICATE, WIRE)


def test_an_original_revised_is_still_revised(store):
    store.register(page(WIRE, WIRE_STORY))
    store.register(page(COPY, WIRE_STORY))
    revised = store.register(page(WIRE, CORRECTED_WIRE_STORY))
    assert (revised.verdict, revised.version, revised.previous_fingerprint) == (
        Verdict.REVISED,
        2,
        fingerprint(WIRE_STORY),
    )
    assert not revised.promoted
    assert store.register(page(WIRE, CORRECTED_WIRE_STORY)).verdict is Verdict.UNCHANGED
    assert store.article(WIRE) == StoredArticle(fingerprint(CORRECTED_WIRE_STORY), 2, None)
