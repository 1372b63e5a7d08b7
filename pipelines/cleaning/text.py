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


_WORD = re.compile(r"\w+", re.UNICODE)
# Scripts written without spaces: about two characters make a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def word_count(text: str) -> int:
    """Words; Chinese, Japanese and Korean text counts about two characters a word."""
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    spaced = len(_WORD.findall(_UNSPACED.sub(" ", text)))
    return spaced + (unspaced + 1) // 2
