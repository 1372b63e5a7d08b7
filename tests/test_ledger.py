"""EmissionLedger.decide: an id the store knows is judged by what the store knows of it,
before this run's pending records; only unknown ids (and copies that no committed original
explains any more) are compared with those."""

from __future__ import annotations

import pytest

from crawler.items import Article
from pipelines.state.ledger import EmissionLedger
from pipelines.state.redis_store import RedisStore
from pipelines.state.store import Candidate, StoredArticle, Verdict
from tests.stores import INDEX, open_store
from tests.syndication import (
    LOCAL_STORY,
    LOCAL_STORY_COPY,
    SYNDICATED_COPY,
    WIRE_STORY,
    fingerprint,
    text,
)

KNOWN, COPY, FRESH = "a" * 16, "c" * 16, "b" * 16


def article(article_id: str, paragraphs: list[str]) -> Article:
    url = f"https://{article_id[0]}.test/story"
    body = text(paragraphs)
    return Article(
        url=url,
        headline="H",
        articleBody=body,
        canonicalUrl=url,
        id=article_id,
        fingerprint=fingerprint(paragraphs),
    )


def stored(item: Article) -> Candidate:
    """The candidate of ``item``, to register it in the store as an earlier run did."""
    return Candidate(
        item.id, item.canonicalUrl, item.fingerprint, INDEX.signature(item.articleBody)
    )


def emit(ledger: EmissionLedger, item: Article) -> Verdict:
    """Decide ``item`` and record it as the dedup pipeline does (emitted when NEW/REVISED)."""
    candidate = ledger.candidate(item)
    registration = ledger.decide(candidate)
    emitted = registration.verdict in (Verdict.NEW, Verdict.REVISED)
    ledger.record(item, candidate, registration, emitted)
    return registration.verdict


def test_a_known_id_is_revised_even_when_its_new_text_copies_a_pending_record(store):
    # An earlier run emitted KNOWN.
    store.register(stored(article(KNOWN, WIRE_STORY)))
    ledger = EmissionLedger(store, INDEX)
    assert emit(ledger, article(FRESH, LOCAL_STORY)) is Verdict.NEW  # pending
    # KNOWN's page now carries FRESH's text: a revision of KNOWN, not a duplicate of FRESH.
    changed = ledger.candidate(article(KNOWN, LOCAL_STORY))
    registration = ledger.decide(changed)
    assert (registration.verdict, registration.version) == (Verdict.REVISED, 2)
    assert registration.previous_fingerprint == fingerprint(WIRE_STORY)
    ledger.record(article(KNOWN, LOCAL_STORY), changed, registration, emitted=True)
    ledger.commit_batch([FRESH, KNOWN])
    assert store.article(KNOWN) == StoredArticle(fingerprint(LOCAL_STORY), 2, None)
    assert store.article(FRESH) == StoredArticle(fingerprint(LOCAL_STORY), 1, None)


def test_a_known_id_near_a_pending_record_is_revised(near_store):
    store = near_store
    store.register(stored(article(KNOWN, WIRE_STORY)))
    ledger = EmissionLedger(store, INDEX)
    assert emit(ledger, article(FRESH, LOCAL_STORY)) is Verdict.NEW
    assert emit(ledger, article(KNOWN, LOCAL_STORY_COPY)) is Verdict.REVISED
    ledger.commit_batch([FRESH, KNOWN])
    assert store.article(KNOWN) == StoredArticle(fingerprint(LOCAL_STORY_COPY), 2, None)


def test_a_stored_copy_whose_new_text_copies_a_pending_original_stays_a_copy(near_store):
    store = near_store
    store.register(stored(article(KNOWN, WIRE_STORY)))
    assert store.register(stored(article(COPY, SYNDICATED_COPY))).duplicate_of == KNOWN
    ledger = EmissionLedger(store, INDEX)
    assert emit(ledger, article(FRESH, LOCAL_STORY)) is Verdict.NEW
    # No committed original explains the copy's new text; this run's FRESH does.
    candidate = ledger.candidate(article(COPY, LOCAL_STORY_COPY))
    registration = ledger.decide(candidate)
    assert (registration.verdict, registration.duplicate_of) == (Verdict.NEAR_DUPLICATE, FRESH)
    assert (registration.version, registration.previous_fingerprint) == (
        2,
        fingerprint(SYNDICATED_COPY),
    )
    assert not registration.promoted
    ledger.record(article(COPY, LOCAL_STORY_COPY), candidate, registration, emitted=False)
    ledger.commit_batch([FRESH])
    assert store.article(COPY) == StoredArticle(fingerprint(LOCAL_STORY_COPY), 2, FRESH)


def test_a_stored_copy_copying_nothing_any_more_is_promoted(store):
    store.register(stored(article(KNOWN, WIRE_STORY)))
    store.register(stored(article(COPY, WIRE_STORY)))
    ledger = EmissionLedger(store, INDEX)
    registration = ledger.decide(ledger.candidate(article(COPY, LOCAL_STORY)))
    assert (registration.verdict, registration.promoted) == (Verdict.NEW, True)


def test_an_unknown_id_is_still_a_duplicate_of_a_pending_original(store):
    ledger = EmissionLedger(store, INDEX)
    assert emit(ledger, article(FRESH, LOCAL_STORY)) is Verdict.NEW
    registration = ledger.decide(ledger.candidate(article(COPY, LOCAL_STORY)))
    assert (registration.verdict, registration.duplicate_of) == (Verdict.DUPLICATE_TEXT, FRESH)


@pytest.mark.redis
def test_redis_releases_the_claims_of_a_copy_the_ledger_judged(request, tmp_path):
    # The store claims a promoted copy's text; the ledger then calls it a copy of a pending
    # record: the commit must leave no claim on its text behind for other workers to meet.
    store = open_store("redis", request, tmp_path, INDEX)
    assert isinstance(store, RedisStore)
    store.register(stored(article(KNOWN, WIRE_STORY)))
    store.register(stored(article(COPY, SYNDICATED_COPY)))
    ledger = EmissionLedger(store, INDEX)
    emit(ledger, article(FRESH, LOCAL_STORY))
    assert emit(ledger, article(COPY, LOCAL_STORY_COPY)) is Verdict.NEAR_DUPLICATE
    ledger.commit_batch([FRESH])
    client = store.client
    claims = [key for key in client.scan_iter(match="news:s:c[abf]:*")]
    assert claims == []
    assert store.article(COPY) == StoredArticle(fingerprint(LOCAL_STORY_COPY), 2, FRESH)
    store.close()
