"""Per-site cleaning rules from the registry, for what generic cleaning cannot know."""

from __future__ import annotations

import logging
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from crawler.discovery.registry import CleaningRules

logger = logging.getLogger(__name__)


@lru_cache(maxsize=256)
def _selector(css: str) -> CSSSelector:
    return CSSSelector(css)


def remove_selected(tree: HtmlElement, rules: CleaningRules) -> int:
    """Remove the elements the site's selectors match, before extraction. Returns a count."""
    removed = 0
    for css in rules.remove_selectors:
        for element in _selector(css)(tree):
            parent = element.getparent()
            if parent is None:
                continue
            # Keep the tail: it is text of the parent that merely follows the element.
            if element.tail:
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + element.tail
                else:
                    parent.text = (parent.text or "") + element.tail
            parent.remove(element)
            removed += 1
    return removed


def drop_phrases(paragraphs: list[str], rules: CleaningRules) -> list[str]:
    """Paragraphs without the site's known boilerplate phrases.

    A paragraph that is little more than the phrase goes; in a longer paragraph only
    the phrase itself is cut, so a real sentence next to it survives.
    """
    if not rules.drop_phrases:
        return paragraphs
    kept = []
    for paragraph in paragraphs:
        for phrase in rules.drop_phrases:
            index = paragraph.casefold().find(phrase.casefold())
            if index < 0:
                continue
            if len(paragraph) <= 2 * len(phrase) + 20:
                paragraph = ""
                break
            paragraph = (paragraph[:index] + paragraph[index + len(phrase) :]).strip()
        if paragraph:
            kept.append(paragraph)
    return kept
