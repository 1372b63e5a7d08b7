"""The dedup state store: what has been emitted, behind one small interface.

Deciding and recording are separate steps so that a record becomes "emitted" in
the store in the same step that makes its output files visible (see
:mod:`pipelines.state.ledger`): :meth:`ArticleStore.decide` is read-only; :meth:`commit`
records a batch of decisions, together with the batch's files, in one transaction.
After a crash, :meth:`unfinished_batches` lists committed batches whose files may
still wait for their final rename.

Implementations: :class:`MemoryStore` (one run), ``SQLiteStore`` (embedded,
persistent across runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
    verdict: Verdict
    version: int = 1
    previous_fingerprint: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None  # estimated Jaccard, for near duplicates


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
    def decide(self, candidate: Candidate) -> Registration:
        """What the candidate is, against everything committed. Writes nothing."""
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


class MemoryStore:
    """Within-run dedup of ids and exact texts; nothing survives the process."""

    def __init__(self) -> None:
        self._by_id: dict[str, _Seen] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._urls: dict[str, UrlState] = {}

    def decide(self, candidate: Candidate) -> Registration:
        seen = self._by_id.get(candidate.article_id)
        if seen is not None:
            if seen.fingerprint == candidate.fingerprint:
                return Registration(Verdict.UNCHANGED, version=seen.version)
            return Registration(
                Verdict.REVISED, seen.version + 1, previous_fingerprint=seen.fingerprint
            )
        owner = self._by_fingerprint.get(candidate.fingerprint)
        if owner is not None:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=owner)
        return Registration(Verdict.NEW)

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
            if registration.verdict in (Verdict.NEW, Verdict.REVISED):
                self._by_id[candidate.article_id] = _Seen(
                    candidate.fingerprint, registration.version
                )
                self._by_fingerprint.setdefault(candidate.fingerprint, candidate.article_id)
            elif registration.verdict is not Verdict.UNCHANGED:
                self._by_id.setdefault(candidate.article_id, _Seen(candidate.fingerprint, 1))

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
