"""The dedup state store: what has been emitted, behind one small interface.

Deciding and recording are separate steps so that a record becomes "emitted" in
the store in the same step that makes its output files visible (see
:mod:`pipelines.ledger`): :meth:`ArticleStore.decide` is read-only; :meth:`commit`
records a batch of decisions, together with the batch's files, in one transaction.
After a crash, :meth:`unfinished_batches` lists committed batches whose files may
still wait for their final rename.

Implementations: :class:`MemoryStore` (one run), ``SQLiteStore`` (embedded,
persistent across runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol


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
FileMove = tuple[str, str]  # (temporary path, final path)


class ArticleStore(Protocol):
    def decide(self, candidate: Candidate) -> Registration:
        """What the candidate is, against everything committed. Writes nothing."""
        ...

    def commit(self, decisions: Sequence[Decision], files: Sequence[FileMove] = ()) -> None:
        """Record decisions, and the files that carry them, in one atomic step."""
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

    def commit(self, decisions: Sequence[Decision], files: Sequence[FileMove] = ()) -> None:
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

    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]:
        return []

    def finish_batch(self, batch_id: int) -> None:
        return None

    def close(self) -> None:
        self._by_id.clear()
        self._by_fingerprint.clear()
