"""Content identity: the text normalized so trivial differences do not count."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_text(text: str) -> str:
    """Case, whitespace and punctuation folded away; word order and words kept."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def text_fingerprint(text: str) -> str:
    """32 hex digits identifying the normalized text."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()[:32]


def word_count(text: str) -> int:
    return len(text.split())
