"""The extractors the quality benchmark compares, each from a page's bytes to plain text.

Raw trafilatura in three configurations (its defaults, without comments, favouring
precision), readability-lxml on its own, and our cleaning path (:func:`clean_html`). Each
gets the page decoded the same way (as a browser would) and does its own parsing, as a user
of that library would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import lxml.etree
import lxml.html
import trafilatura
from readability import Document
from readability.readability import Unparseable

from pipelines.cleaning.blocks import flatten
from pipelines.cleaning.clean import clean_html
from pipelines.cleaning.decode import decode_html

logger = logging.getLogger(__name__)

Extractor = Callable[[bytes, str | None], str]


def trafilatura_default(html: bytes, url: str | None) -> str:
    return trafilatura.extract(decode_html(html), url=url) or ""


def trafilatura_no_comments(html: bytes, url: str | None) -> str:
    return trafilatura.extract(decode_html(html), url=url, include_comments=False) or ""


def trafilatura_precision(html: bytes, url: str | None) -> str:
    return trafilatura.extract(decode_html(html), url=url, favor_precision=True) or ""


def readability_lxml(html: bytes, url: str | None) -> str:
    """readability-lxml's summary as text, one line per block (no cleaning of ours)."""
    try:
        summary = Document(decode_html(html), url=url).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
    # lxml asserts on some summaries (a <title> swallowing the page): no text, like a failure.
    except (Unparseable, lxml.etree.ParserError, ValueError, AssertionError):
        return ""
    return "\n".join(unit.block.text for unit in flatten(root, frozenset()))


def ours(html: bytes, url: str | None) -> str:
    article = clean_html(html, url)
    return article.articleBody if article is not None else ""


# Report order; "trafilatura" (its defaults) is the baseline the gains are measured against.
EXTRACTORS: dict[str, Extractor] = {
    "trafilatura": trafilatura_default,
    "traf-nocomments": trafilatura_no_comments,
    "traf-precision": trafilatura_precision,
    "readability": readability_lxml,
    "ours": ours,
}
BASELINE = "trafilatura"
OURS = "ours"
