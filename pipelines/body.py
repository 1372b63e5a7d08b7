"""Article body extraction: trafilatura on the parsed page, then our boilerplate layer.

Three phases, exposed separately so the benchmark can time them:
:func:`prepare_tree` removes what a reader never sees, :func:`run_trafilatura` finds the
main text, :func:`clean_extracted` judges its blocks line by line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

from pipelines.boilerplate import Action, Block, classify

logger = logging.getLogger(__name__)

# Trafilatura settings, measured on the development sets (python -m bench.extraction):
# comment threads are the largest single source of extra words; favor_precision and
# favor_recall both lost F1 there once our layer runs. Links are kept (as <ref>) so that
# link-dense blocks can be recognised; their URLs never reach the text.
INCLUDE_COMMENTS = False
INCLUDE_LINKS = True
INCLUDE_TABLES = True

# Candidates for text a browser does not render; the attribute values are checked in Python,
# which is faster than XPath string functions over every element.
_MAYBE_HIDDEN = etree.XPath("//*[@hidden or @aria-hidden or @style]")
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Some pages hide the article itself until a script reveals it: never drop those.
_NEVER_HIDE = {"html", "body", "main", "article"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# Trafilatura's own block tags, plus HTML ones it occasionally leaves unconverted.
_BLOCK_CHILDREN = {
    "p", "list", "table", "quote", "head", "code", "div", "row", "cell", "item",
    "ul", "ol", "li", "tr", "td", "th", "tbody", "thead", "center", "section", "blockquote",
    "pre", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
_ROWS = etree.XPath("./row | ./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr")
_CELLS = etree.XPath("./cell | ./td | ./th")
_ITEMS = etree.XPath("./item | ./li")
_KINDS = {"p": "p", "head": "head", "quote": "quote", "code": "code", "pre": "code"}
_KINDS.update({f"h{i}": "head" for i in range(1, 7)}, blockquote="quote")


@dataclass
class Body:
    paragraphs: list[str]  # cleaned body paragraphs, in order, no empty strings
    bylines: list[str] = field(default_factory=list)  # e.g. "By Elizabeth Shim"
    datelines: list[str] = field(default_factory=list)  # e.g. "Published November 23rd, 2015"
    flags: set[str] = field(default_factory=set)  # e.g. {"paywall"}


def prepare_tree(tree: lxml.html.HtmlElement) -> None:
    """Remove elements a reader never sees (mutates ``tree``)."""
    # trafilatura drops comment nodes together with their tails, and on old table layouts
    # the article text is often the tail of a comment; its own parser never keeps comments.
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    for element in _MAYBE_HIDDEN(tree):
        if _is_hidden(element):
            element.drop_tree()


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    attrib = element.attrib
    hidden = (
        "hidden" in attrib
        or attrib.get("aria-hidden") == "true"
        or bool(_HIDING_STYLE.search(attrib.get("style", "")))
    )
    return hidden and element.tag not in _NEVER_HIDE and element.getparent() is not None


def run_trafilatura(tree: lxml.html.HtmlElement, url: str | None) -> etree._Element | None:
    """Trafilatura's main-text tree (its XML body), or None when it finds nothing."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=INCLUDE_COMMENTS,
        include_links=INCLUDE_LINKS,
        include_tables=INCLUDE_TABLES,
        include_images=False,
    )
    if document is None or isinstance(document, dict):
        return None
    body: etree._Element | None = document.body
    return body


@dataclass
class _Unit:
    """A block plus the paragraph it belongs to (a paragraph may hold several lines)."""

    block: Block
    paragraph: int


def _tag(element: etree._Element) -> str:
    return element.tag if isinstance(element.tag, str) else ""


class _Flattener:
    """Turns trafilatura's body tree into blocks, in document order.

    A paragraph (``p``, list item, table row...) becomes one or more blocks: ``lb`` splits
    it into lines, and a nested block element (a list inside a quote) interrupts it.
    """

    def __init__(self) -> None:
        self.units: list[_Unit] = []
        self._paragraph = 0
        self._kind = "p"
        self._parts: list[str] = []
        self._link_chars = 0

    def _flush_line(self) -> None:
        text = _SPACES.sub(" ", "".join(self._parts)).strip()
        if text:
            block = Block(text, self._kind, min(self._link_chars, len(text)))
            self.units.append(_Unit(block, self._paragraph))
        self._parts, self._link_chars = [], 0

    def _start(self, kind: str) -> None:
        self._flush_line()
        self._paragraph += 1
        self._kind = kind

    def _text(self, text: str | None, in_link: bool) -> None:
        if text:
            self._parts.append(text)
            if in_link:
                self._link_chars += len(text.strip())

    def _inline(self, element: etree._Element, in_link: bool) -> None:
        self._text(element.text, in_link)
        for child in element:
            tag = _tag(child)
            if tag == "lb":
                self._flush_line()
            elif tag in _BLOCK_CHILDREN:
                kind = self._kind
                self.walk(child)
                self._start(kind)
            elif tag and tag != "graphic":
                self._inline(child, in_link or tag == "ref")
            self._text(child.tail, in_link)

    def walk(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag == "table":
            for row in _ROWS(element):
                self._start("row")
                for i, cell in enumerate(_CELLS(row)):
                    if i:
                        self._text(" | ", False)
                    self._inline(cell, False)
        elif tag in {"list", "ul", "ol"}:
            for item in _ITEMS(element):
                self._start("item")
                self._inline(item, False)
        else:
            # Containers (body, div) get "p": their loose text is a paragraph of its own.
            self._start(_KINDS.get(tag, "p"))
            self._inline(element, False)
        self._flush_line()


def _units(body: etree._Element) -> list[_Unit]:
    flattener = _Flattener()
    flattener.walk(body)
    return flattener.units


def clean_extracted(body: etree._Element | None, *, headline: str | None = None) -> Body:
    """Apply the boilerplate layer to trafilatura's body tree."""
    result = Body(paragraphs=[])
    if body is None:
        return result
    units = _units(body)
    decisions = classify([u.block for u in units], headline=headline)
    kept: dict[int, list[str]] = {}
    for unit, decision in zip(units, decisions, strict=True):
        action = decision.action
        if action is Action.KEEP:
            kept.setdefault(unit.paragraph, []).append(unit.block.text)
        elif action is Action.BYLINE:
            result.bylines.append(unit.block.text)
        elif action is Action.DATELINE:
            result.datelines.append(unit.block.text)
        elif action is Action.PAYWALL:
            result.flags.add("paywall")
    result.paragraphs = ["\n".join(lines) for _, lines in sorted(kept.items())]
    if logger.isEnabledFor(logging.DEBUG):
        dropped = [(d.reason, u.block.text[:60]) for u, d in zip(units, decisions, strict=True)]
        logger.debug("dropped %s", [d for d in dropped if d[0]])
    return result


def extract_body(
    tree: lxml.html.HtmlElement,
    url: str | None,
    *,
    headline: str | None = None,
    description: str | None = None,
    language: str | None = None,
) -> Body:
    """Cleaned article body of a parsed page (mutates ``tree``).

    ``description`` and ``language`` are accepted for callers but not used yet: dropping a
    body line equal to the description cost F1 on every development set (sites reuse the
    lead paragraph as description), and the phrase lists apply to all languages at once.
    """
    prepare_tree(tree)
    return clean_extracted(run_trafilatura(tree, url), headline=headline)
