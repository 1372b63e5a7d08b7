"""Last passes over the chosen body: repeated text, and the page's declared body as a guide."""

from __future__ import annotations

import logging
import re

import lxml.etree
import lxml.html

from pipelines.cleaning.blocks import Unit, flatten
from pipelines.cleaning.boilerplate import classify
from pipelines.cleaning.guide import Guide

logger = logging.getLogger(__name__)

# A line whose shingles were (nearly) all in several lines before it repeats them:
# trafilatura sometimes returns a container's whole text after the paragraphs it already
# returned. Short lines are left to the boilerplate layer's repeat rule.
_MIN_REPEAT_SHINGLES = 9
_REPEATED = 0.8
# The declared body is trusted to trim the edges when the extracted body holds this much of
# it and it is not much shorter than the extracted body (a teaser or a truncated body would
# trim real paragraphs)...
_TRIM_COVERAGE = 0.8
_TRIM_LENGTH = 0.7
# ...and an edge line with less than this share of its shingles in it is not the story's.
_TRIM_SUPPORT = 0.2
# When both extractors hold less than this of a long declared body, they missed the story
# (a body rendered by script, or split beyond what they join) and the declared one is used.
_RESCUE_COVERAGE = 0.5
_RESCUE_MIN_WORDS = 80
_MARKUP = re.compile(r"<(p|br|div|h[1-6]|li|ul|ol|blockquote)\b", re.IGNORECASE)


def drop_duplicates(units: list[Unit]) -> list[Unit]:
    """Without a line that repeats several lines before it (a paragraph said twice stays)."""
    earlier: set[frozenset[tuple[str, ...]]] = set()
    seen: set[tuple[str, ...]] = set()
    kept = []
    for unit in units:
        own = unit.block.shingle_set
        if len(own) >= _MIN_REPEAT_SHINGLES and len(own & seen) >= _REPEATED * len(own):
            # Two different earlier lines inside this one: it is their container. Templated
            # paragraphs ("Lot 12, ...", "Lot 13, ...") hold one another but are not
            # different lines: one held line counts only if most of it is new to the others.
            held = [e for e in earlier if len(e & own) >= _REPEATED * len(e)]
            if _distinct(held) >= 2:
                logger.debug("repeated text dropped: %.60s", unit.block.text)
                continue
        earlier.add(own)
        seen |= own
        kept.append(unit)
    return kept


def _distinct(lines: list[frozenset[tuple[str, ...]]]) -> int:
    """How many of these lines bring mostly text of their own, longest first."""
    covered: set[tuple[str, ...]] = set()
    count = 0
    for line in sorted(lines, key=len, reverse=True):
        if len(line - covered) > (1 - _REPEATED) * len(line):
            count += 1
        covered |= line
    return count


def follow_guide(kept: list[Unit], words: int, guide: Guide) -> list[Unit]:
    """The kept units, trimmed or replaced by what the page declares as its article body."""
    coverage = guide.coverage(u.block.text for u in kept)
    if coverage < _RESCUE_COVERAGE and guide.words >= max(_RESCUE_MIN_WORDS, words):
        rescued = declared_units(guide.text)
        if rescued:
            logger.debug("declared body used: extracted text held %.2f of it", coverage)
            return rescued
    if coverage < _TRIM_COVERAGE or guide.words < _TRIM_LENGTH * words:
        return kept
    supported = [guide.support(u.block.text) >= _TRIM_SUPPORT for u in kept]
    if not any(supported):
        return kept
    start = supported.index(True)
    end = len(supported) - supported[::-1].index(True)
    return kept[start:end]


def declared_units(declared: str) -> list[Unit]:
    """schema.org articleBody as blocks, judged by the boilerplate layer like extracted text.

    Mostly plain text with line breaks between paragraphs; some sites put HTML in it.
    """
    if _MARKUP.search(declared):
        try:
            root = lxml.html.fragment_fromstring(declared, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return []
    else:
        root = lxml.html.Element("div")
        for line in declared.splitlines():
            if line.strip():
                lxml.etree.SubElement(root, "p").text = line.strip()
    units = flatten(root, frozenset())
    decisions = classify([u.block for u in units])
    return [u for u, d in zip(units, decisions, strict=True) if d.keeps]
