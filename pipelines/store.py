"""The dedup state store: what has been emitted, behind one small interface.

:meth:`ArticleStore.register` is the only write and checks-and-records in one step,
so that an implementation shared by several workers can make it atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class Verdict(Enum):
    NEW = "new"
    UNCHANGED = "unchanged"  # same article id, same text: already emitted
    REVISED = "revised"  # same article id, changed text: emit as a new version
    DUPLICATE_TEXT = "duplicate_text"  # same text already emitted under another id


@dataclass(frozen=True)
class Registration:
    verdict: Verdict
    version: int = 1
    previous_fingerprint: str | None = None
    duplicate_of: str | None = None


class ArticleStore(Protocol):
    def register(self, article_id: str, fingerprint: str, url: str) -> Registration:
        """Check an article against what was emitted, and record it if it is emitted."""
        ...

    def close(self) -> None: ...


@dataclass
class _Seen:
    fingerprint: str
    version: int


class MemoryStore:
    """Within-run dedup only: nothing survives the process."""

    def __init__(self) -> None:
        self._by_id: dict[str, _Seen] = {}
        self._by_fingerprint: dict[str, str] = {}

    def register(self, article_id: str, fingerprint: str, url: str) -> Registration:
        seen = self._by_id.get(article_id)
        if seen is not None:
            if seen.fingerprint == fingerprint:
                return Registration(Verdict.UNCHANGED, version=seen.version)
            previous = seen.fingerprint
            seen.fingerprint, seen.version = fingerprint, seen.version + 1
            self._by_fingerprint.setdefault(fingerprint, article_id)
            return Registration(Verdict.REVISED, seen.version, previous_fingerprint=previous)
        owner = self._by_fingerprint.get(fingerprint)
        if owner is not None:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=owner)
        self._by_id[article_id] = _Seen(fingerprint, 1)
        self._by_fingerprint[fingerprint] = article_id
        return Registration(Verdict.NEW)

    def close(self) -> None:
        self._by_id.clear()
        self._by_fingerprint.clear()
