"""Per-site rules from the registry, for what generic cleaning cannot know: elements to
remove, phrases to cut, and selectors that find a field (body, headline, date, authors)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from crawler.discovery.registry import CleaningRules, FieldRule
from pipelines.cleaning.fields import sanitize_text

logger = logging.getLogger(__name__)


@lru_cache(maxsize=256)
def _selector(css: str) -> CSSSelector:
    return CSSSelector(css)


@lru_cache(maxsize=256)
def _compiled(rule: FieldRule) -> etree.XPath:
    # CSSSelector is an XPath: one way to run both kinds (both validated by the registry).
    return CSSSelector(rule.expression) if rule.syntax == "css" else etree.XPath(rule.expression)


def select(tree: HtmlElement, rules: tuple[FieldRule, ...]) -> list[Any]:
    """What the first rule that matches anything finds: elements or strings, in order."""
    for rule in rules:
        try:
            found = _compiled(rule)(tree)
        except etree.XPathError:
            logger.debug("extraction rule %s failed on this page", rule, exc_info=True)
            continue
        if not isinstance(found, list):
            found = [found]
        found = [f for f in found if isinstance(f, HtmlElement | str) and not isinstance(f, bool)]
        if found:
            return found
        logger.debug("extraction rule %s matched nothing", rule)
    return []


def selected_texts(tree: HtmlElement, rules: tuple[FieldRule, ...], *attributes: str) -> list[str]:
    """The text of each match; for an element, its first of ``attributes`` that is set (a
    ``<time datetime>``, a ``<meta content>``), else its text."""
    texts = []
    for found in select(tree, rules):
        if isinstance(found, HtmlElement):
            value = next((found.get(a) for a in attributes if found.get(a)), None)
            found = value if value is not None else found.text_content()
        text = sanitize_text(str(found))
        if text:
            texts.append(text)
    return texts


def selected_elements(tree: HtmlElement, rules: tuple[FieldRule, ...]) -> list[HtmlElement]:
    """The elements the rules select, outermost only (a match inside another is in it)."""
    elements = [e for e in select(tree, rules) if isinstance(e, HtmlElement)]
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


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
