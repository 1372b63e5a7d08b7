"""The dedup state store: what has been emitted, behind one small interface.

Deciding and recording are separate steps so that a record becomes "emitted" in
the store in the same step that makes its output files visible (see
:mod:`pipelines.state.ledger`): :meth:`ArticleStore.decide` is read-only; :meth:`commit`
records a batch of decisions, together with the batch's files, in one transaction.
After a crash, :meth:`unfinished_batches` lists committed batches whose files may
still wait for their final rename.

Every store keeps one row per article id it has decided on, originals and copies alike
(a copy: an id whose text, when last seen, repeated another id's, so it never came out
as a story of its own). What a known id is follows one rule, :func:`judge`: the
same text is UNCHANGED; an original whose text changed is REVISED; a copy whose text
changed is judged afresh against the originals (never against itself), and is NEW
(``promoted`` to an original) only when it copies nothing any more.

Implementations: :class:`MemoryStore` (one run), ``SQLiteStore`` (embedded,
persistent across runs), ``RedisStore`` (shared by the workers of a distributed crawl).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Protocol

from pipelines.output.files import FileMove

__all__ = ["FileMove"]  # re-exported: the store records output files by their moves


class StoreError(RuntimeError):
    """The state store cannot be used as configured; the message says how to fix it."""


class Verdict(Enum):
    NEW = "new"
    UNCHANGED = "unchanged"  # same article id, same text: already emitted
    REVISED = "revised"  # same article id, materially changed text: a new version
    DUPLICATE_TEXT = "duplicate_text"  # the same normalized text under another id
    NEAR_DUPLICATE = "near_duplicate"  # a near copy (e.g. syndicated) of another id


@dataclass(frozen=True)
class Candidate:
    """What the store is asked about: one cleaned article."""

    article_id: str
    url: str  # canonical URL
    fingerprint: str  # hash of the normalized text
    signature: tuple[int, ...] | None = None  # MinHash signature; None: no near-dup check


@dataclass(frozen=True)
class Registration:
    """A verdict, and what a record emitted under it says of its id's history.

    ``version`` and ``previous_fingerprint`` count the texts this id has had: for a copy
    whose text changed (a duplicate verdict, or NEW with ``promoted``) they follow its
    earlier texts, which were copies and were emitted only when duplicates are kept.
    """

    verdict: Verdict
    version: int = 1
    previous_fingerprint: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None  # estimated Jaccard, for near duplicates
    # NEW for an id stored as a copy: its text changed and copies nothing any more, so it
    # becomes an original (emitted, and indexed for later copies to point at).
    promoted: bool = False


@dataclass(frozen=True)
class StoredArticle:
    """What a store knows of one article id."""

    fingerprint: str
    version: int
    duplicate_of: str | None  # the original's id when the record was a copy; None: original


def judge(
    stored: StoredArticle | None,
    candidate: Candidate,
    original_of: Callable[[], Registration | None],
) -> Registration:
    """The verdict on a candidate, given what the store knows of its id; every store's rule.

    ``original_of`` judges the candidate's text against the stored originals (an exact
    fingerprint owner, then a near duplicate; never the candidate's own id) and returns
    the duplicate verdict, or None.
    """
    if stored is None:
        return original_of() or Registration(Verdict.NEW)
    if stored.fingerprint == candidate.fingerprint:
        return Registration(Verdict.UNCHANGED, version=stored.version)
    changed = Registration(
        Verdict.REVISED, stored.version + 1, previous_fingerprint=stored.fingerprint
    )
    if stored.duplicate_of is None:
        return changed
    # A copy whose text changed: still a copy (of whichever original it now copies), or,
    # copying nothing any more, an article of its own.
    found = original_of()
    if found is not None:
        return replace(found, version=changed.version, previous_fingerprint=stored.fingerprint)
    return replace(changed, verdict=Verdict.NEW, promoted=True)


Decision = tuple[Candidate, Registration]


@dataclass(frozen=True)
class UrlNote:
    """A page fetched and settled (emitted or dropped for good), for revisit rules."""

    key: str  # crawler.discovery.urls.url_identity_key of the fetched URL
    article_id: str | None  # None for pages that are not articles
    modified_hint: str | None = None  # ISO date a feed/sitemap gave when it was fetched


@dataclass(frozen=True)
class UrlState:
    article_id: str | None
    first_seen: str
    last_seen: str
    modified_hint: str | None


class ArticleStore(Protocol):
    """What the dedup stages need of a state store.

    A store reports a backend that fails while in use (a lost Redis connection) as
    :class:`StoreError`, so that its callers need not know, or import, the backend.
    """

    def decide(self, candidate: Candidate) -> Registration:
        """What the candidate is, against everything committed. Writes nothing."""
        ...

    def article(self, article_id: str) -> StoredArticle | None:
        """What is committed of one article id (original or copy), or None."""
        ...

    def commit(
        self,
        decisions: Sequence[Decision],
        files: Sequence[FileMove] = (),
        urls: Sequence[UrlNote] = (),
    ) -> None:
        """Record decisions, the files that carry them and settled URLs, atomically."""
        ...

    def url_state(self, key: str) -> UrlState | None:
        """What is known of a fetched URL (by identity key), for revisit rules."""
        ...

    def register(self, candidate: Candidate) -> Registration:
        """Decide and commit one candidate at once (no output files involved)."""
        ...

    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]: ...

    def finish_batch(self, batch_id: int) -> None: ...

    def close(self) -> None: ...


@dataclass
class _Seen:
    fingerprint: str
    version: int
    duplicate_of: str | None = None


class MemoryStore:
    """Within-run dedup of ids and exact texts; nothing survives the process."""

    def __init__(self) -> None:
        self._by_id: dict[str, _Seen] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._urls: dict[str, UrlState] = {}

    def decide(self, candidate: Candidate) -> Registration:
        stored = self.article(candidate.article_id)
        return judge(stored, candidate, lambda: self._original_of(candidate))

    def _original_of(self, candidate: Candidate) -> Registration | None:
        owner = self._by_fingerprint.get(candidate.fingerprint)
        if owner is not None and owner != candidate.article_id:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=owner)
        return None

    def article(self, article_id: str) -> StoredArticle | None:
        seen = self._by_id.get(article_id)
        if seen is None:
            return None
        return StoredArticle(seen.fingerprint, seen.version, seen.duplicate_of)

    def commit(
        self,
        decisions: Sequence[Decision],
        files: Sequence[FileMove] = (),
        urls: Sequence[UrlNote] = (),
    ) -> None:
        now = datetime.now(UTC).isoformat()
        for note in urls:
            known = self._urls.get(note.key)
            first = known.first_seen if known else now
            self._urls[note.key] = UrlState(note.article_id, first, now, note.modified_hint)
        for candidate, registration in decisions:
            seen = self._by_id.get(candidate.article_id)
            if registration.verdict in (Verdict.NEW, Verdict.REVISED):
                # A promoted copy becomes an original like a new article.
                self._by_id[candidate.article_id] = _Seen(
                    candidate.fingerprint, registration.version
                )
                self._by_fingerprint.setdefault(candidate.fingerprint, candidate.article_id)
            elif registration.verdict is not Verdict.UNCHANGED and (
                seen is None or seen.duplicate_of is not None
            ):
                # A copy, new or with its new text: remembered, never indexed (later copies
                # point at the original). An original is never turned into a copy.
                self._by_id[candidate.article_id] = _Seen(
                    candidate.fingerprint, registration.version, registration.duplicate_of
                )

    def register(self, candidate: Candidate) -> Registration:
        registration = self.decide(candidate)
        self.commit([(candidate, registration)])
        return registration

    def url_state(self, key: str) -> UrlState | None:
        return self._urls.get(key)

    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]:
        return []

    def finish_batch(self, batch_id: int) -> None:
        return None

    def close(self) -> None:
        self._by_id.clear()
        self._by_fingerprint.clear()
