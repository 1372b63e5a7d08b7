"""The cleaning library: HTML and a URL in, a clean article out. No Scrapy here.

Usable on its own, from a script or a notebook::

    from pipelines.cleaning import clean_html
    article = clean_html(html_bytes, "https://example.com/story")

Decoding as a browser would, one parse, metadata (JSON-LD, OpenGraph, meta tags),
trafilatura for the body and our boilerplate layer on top, then fields with fallbacks.
"""

from pipelines.cleaning.clean import clean_html

__all__ = ["clean_html"]
