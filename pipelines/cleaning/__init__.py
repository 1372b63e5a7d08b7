"""The cleaning library: HTML and a URL in, a clean article out. No Scrapy here.

Usable on its own, from a script or a notebook::

    from pipelines.cleaning import clean_html
    article = clean_html(html_bytes, "https://example.com/story")

Decoding as a browser would, one parse, metadata (JSON-LD, OpenGraph, meta tags),
trafilatura and readability-lxml for the body and our boilerplate layer on top, then
fields with fallbacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.cleaning.clean import clean_html

__all__ = ["clean_html"]


def __getattr__(name: str) -> Any:
    # Lazily: the crawl process imports pipelines.cleaning.text (fingerprints, word
    # counts) but never extracts; trafilatura and readability load in the pool's workers.
    if name == "clean_html":
        from pipelines.cleaning.clean import clean_html

        return clean_html
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
