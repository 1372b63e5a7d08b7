"""Text agreement by word shingles: how much of one text another one holds.

Used to compare the two extractors' bodies with each other and with the page's declared
schema.org ``articleBody`` (a guide to what belongs to the body, not a body to copy: it is
sometimes only a teaser, truncated, or stale). Shingles of four words, as the quality
benchmark scores, so "agreement" here means what the benchmark would count as shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's distinct 4-word shingles, lower-case (the whole text when shorter)."""
    tokens = _WORD.findall(text.lower())
    if len(tokens) < SHINGLE:
        return {tuple(tokens)} if tokens else set()
    # zip over shifted views builds the tuples in C (a quarter faster than slicing).
    return set(zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))


def share_in(text: str, known: set[tuple[str, ...]]) -> float:
    """Share of the text's shingles found in ``known`` (0 for a text without words)."""
    own = shingles(text)
    return len(own & known) / len(own) if own else 0.0


def union(texts: Iterable[str]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for text in texts:
        found |= shingles(text)
    return found


# A declared body shorter than this is a summary, not a guide.
_MIN_GUIDE_WORDS = 40


@dataclass(frozen=True)
class Guide:
    """The page's declared article body, as shingles to measure extracted text against."""

    text: str
    known: frozenset[tuple[str, ...]]
    words: int

    @classmethod
    def from_text(cls, text: str | None) -> Guide | None:
        """A guide from schema.org ``articleBody``; None when absent or too short to judge."""
        if not text:
            return None
        words = len(_WORD.findall(text))
        if words < _MIN_GUIDE_WORDS:
            return None
        # Line by line, as extracted text is compared: no shingle spans two paragraphs.
        return cls(text, frozenset(union(text.splitlines())), words)

    def coverage(self, texts: Iterable[str]) -> float:
        """Share of the declared body that the texts hold (recall against the guide)."""
        if not self.known:
            return 0.0
        return len(union(texts) & self.known) / len(self.known)

    def support(self, text: str) -> float:
        """Share of a text the declared body holds (is this line part of the story?)."""
        own = shingles(text)
        return len(own & self.known) / len(own) if own else 0.0
