"""An extracted body as blocks: trafilatura's XML or readability's HTML, flattened in order.

A paragraph (``p``, list item, table row...) becomes one or more :class:`Block` objects:
line breaks split it into lines, and a nested block element (a list inside a quote)
interrupts it. The link share of each line is read from the page's own link texts, since
neither extractor's text marks its links the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from pipelines.cleaning.lines import Block
from pipelines.cleaning.loose import SENTENCE_ENDS, LooseRun, loose_runs
from pipelines.cleaning.vocabulary import TEASER_LABEL_RE

# Text nodes inside links: one walk, plain strings (no element back-references to build).
_LINK_TEXT = etree.XPath("//a//text()", smart_strings=False)
# Longer lines are prose, whatever links they hold: not looked up, to save time.
_MAX_LINK_LINE = 250
# Where a line made of several links breaks: "World | Business", "Read more: <headline>".
_LINK_SEPARATORS = re.compile(r"\s*(?:[|•·,;:/\n]|\s[-–—]\s)\s*")

# Runs of spaces other than a single plain one (which trafilatura's text mostly has, and
# which need no replacing), newlines excepted: they separate lines.
_SPACES = re.compile(r"[\t\r\f\v\u00a0][ \t\r\f\v\u00a0]*| [ \t\r\f\v\u00a0]+")
# Trafilatura's own block tags, plus HTML ones it occasionally leaves unconverted.
# readability's output is HTML: its containers and figures are blocks too.
_BLOCK_CHILDREN = {
    "p", "list", "table", "quote", "head", "code", "div", "row", "cell", "item",
    "ul", "ol", "li", "tr", "td", "th", "tbody", "thead", "center", "section", "blockquote",
    "pre", "h1", "h2", "h3", "h4", "h5", "h6", "article", "main", "header", "footer", "aside",
    "figure", "figcaption", "dl", "dt", "dd", "address", "details", "summary",
}  # fmt: skip
_LINE_BREAKS = {"lb", "br", "hr"}
# Elements whose text is not read: trafilatura's image element, and what readability leaves
# of media and forms.
_NO_TEXT = {"graphic", "img", "iframe", "video", "audio", "picture", "source", "button",
            "select", "input", "textarea", "canvas"}  # fmt: skip
# Children are filtered in Python: an XPath call per row or list costs more than the walk.
_ROW_TAGS = {"row", "tr"}
_ROW_GROUPS = {"tbody", "thead", "tfoot"}
_CELL_TAGS = {"cell", "td", "th"}
# A row's cells are joined with " | "; empty cells at its end (a header spanning a wider
# table, layout padding) would leave "Recent games | | | |", or a lone "|". Empty cells
# before text stay: they say which column the text is in.
_TRAILING_EMPTY_CELLS = re.compile(r"(?:\s*\|)+$")
_ITEM_TAGS = {"item", "li"}
_KINDS = {"p": "p", "head": "head", "quote": "quote", "code": "code", "pre": "code"}
_KINDS.update({f"h{i}": "head" for i in range(1, 7)}, blockquote="quote")


def link_texts(tree: lxml.html.HtmlElement) -> frozenset[str]:
    """The texts of the page's links, whitespace-normalized, to measure link share with."""
    return frozenset(" ".join(text.split()) for text in _LINK_TEXT(tree))


def link_chars(text: str, links: frozenset[str]) -> int:
    """Characters of ``text`` that are link text: the whole line, or pieces of it.

    trafilatura's text does not mark its links, so a line counts as linked where it, or a
    separator-delimited piece of it, is the text of one of the page's links. Prose with a
    link inside a sentence scores (almost) nothing, as it should for the rules that use it.
    """
    if not links or len(text) > _MAX_LINK_LINE:
        return 0
    line = " ".join(text.split())
    if line in links:
        return len(line)
    pieces = [piece for piece in _LINK_SEPARATORS.split(line) if piece]
    linked = sum(len(piece) for piece in pieces if piece in links)
    if not linked and len(pieces) > 2 and TEASER_LABEL_RE.match(line):
        # "Read also: Floods: what we know" -- a label, then a headline that has a colon.
        rest = _LINK_SEPARATORS.split(line, maxsplit=1)[-1]
        if rest in links:
            return len(line) * len(rest) // sum(len(piece) for piece in pieces)
    # The separators of a link list ("World | Business") belong to the list.
    total = sum(len(piece) for piece in pieces)
    return len(line) * linked // total if linked else 0


# A page's blocks by (text, kind, joined): trafilatura's and readability's bodies share
# most of their lines, and a Block's features and its line rules are the same wherever it
# comes from (its link share too: both bodies are read against the same page's links).
BlockMemo = dict[tuple[str, str, bool], Block]


@dataclass
class Unit:
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

    def __init__(self, links: frozenset[str], memo: BlockMemo) -> None:
        self.units: list[Unit] = []
        self._links = links
        self._memo = memo
        self._paragraph = 0
        self._kind = "p"
        self._parts: list[str] = []
        self._lines = 0  # lines of the current paragraph so far

    def _flush_line(self) -> None:
        if not self._parts:
            return
        text = _SPACES.sub(" ", "".join(self._parts)).strip()
        if self._kind == "row" and text.endswith("|"):
            text = _TRAILING_EMPTY_CELLS.sub("", text)
        if text:
            key = (text, self._kind, self._lines > 0)
            block = self._memo.get(key)
            if block is None:
                block = Block(text, self._kind, link_chars(text, self._links), self._lines > 0)
                self._memo[key] = block
            self.units.append(Unit(block, self._paragraph))
            self._lines += 1
        self._parts = []

    def _start(self, kind: str) -> None:
        self._flush_line()
        self._paragraph += 1
        self._kind = kind
        self._lines = 0

    def _text(self, text: str | None) -> None:
        if text:
            self._parts.append(text)

    def _inline(self, element: etree._Element) -> None:
        self._text(element.text)
        for child in element:
            tag = _tag(child)
            if tag in _LINE_BREAKS:
                self._flush_line()
            elif tag in _BLOCK_CHILDREN:
                kind = self._kind
                self.walk(child)
                self._start(kind)
            elif tag == "time":
                # A date is a value of its own: "<time>May 1</time><time>May 2</time>" (a
                # published and an updated date, one hidden by CSS) must not read "1May".
                self._text(" ")
                self._inline(child)
                self._text(" ")
            elif tag and tag not in _NO_TEXT:
                self._inline(child)
            self._text(child.tail)

    def walk(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag == "table":
            for row in _rows(element):
                self._start("row")
                for i, cell in enumerate(c for c in row if c.tag in _CELL_TAGS):
                    if i:
                        self._text(" | ")
                    self._inline(cell)
        elif tag in {"list", "ul", "ol"}:
            for item in element:
                if item.tag in _ITEM_TAGS:
                    self._start("item")
                    self._inline(item)
        else:
            # Containers (body, div) get "p": their loose text is a paragraph of its own.
            self._start(_KINDS.get(tag, "p"))
            self._inline(element)
        self._flush_line()


def _rows(table: etree._Element) -> list[etree._Element]:
    rows = []
    for child in table:
        if child.tag in _ROW_TAGS:
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(c for c in child if c.tag in _ROW_TAGS)
    return rows


def flatten(
    body: etree._Element, links: frozenset[str], memo: BlockMemo | None = None
) -> list[Unit]:
    """``body`` as units, in order; ``memo`` shares the blocks of one page's bodies (the
    same ``links`` for all of them)."""
    flattener = _Flattener(links, {} if memo is None else memo)
    flattener.walk(body)
    return flattener.units


_PARAGRAPHS = etree.XPath("//p")
# A <p> this short is a label, a date or a button more often than a paragraph of a story.
_MIN_PARAGRAPH_WORDS = 8
# Where old blog engines and hand-written pages put a story as loose text and <br>s.
_LOOSE_CONTAINERS = frozenset({"div", "td", "section", "article", "main", "blockquote"})
# Longer than a caption or a byline: a paragraph's worth of a story.
_MIN_LOOSE_WORDS = 20


def paragraph_words(tree: lxml.html.HtmlElement) -> int:
    """Words in the page's paragraphs (``<p>`` of at least a few words), wherever they are,
    and in the loose prose beside them.

    What a body extractor could have found, measured without choosing: a body that holds
    about this much is not missing a part of the page, nor carrying much besides. Old blog
    engines put a story's first paragraph in a ``<p>`` and the rest as loose text between
    ``<br>``s in the same container: a run of it counts when it is a paragraph's length,
    ends like a sentence and is mostly not link text.
    """
    total = 0
    containers: dict[lxml.html.HtmlElement, None] = {}
    for paragraph in _PARAGRAPHS(tree):
        words = len(element_text(paragraph).split())
        if words >= _MIN_PARAGRAPH_WORDS:
            total += words
            parent = paragraph.getparent()
            if parent is not None and parent.tag in _LOOSE_CONTAINERS:
                containers[parent] = None
    for container in containers:
        total += sum(_prose_words(run) for run in loose_runs(container))
    return total


def _prose_words(run: LooseRun) -> int:
    if run.words < _MIN_LOOSE_WORDS or run.linked * 2 > run.words:
        return 0
    return run.words if run.ending in SENTENCE_ENDS else 0


def element_text(element: lxml.html.HtmlElement) -> str:
    """The element's text, its descendants' included: what ``text_content()`` returns.

    A text serialisation costs half of ``text_content()``'s XPath ``string()``, and the
    page index reads every paragraph-like element of a page (the cleaning 9.97 -> 9.50 ms
    a page on the throughput bench's pages). The same strings on every element of the
    quality benchmark's pages (757,403 elements).
    """
    text: str = etree.tostring(element, method="text", encoding=str, with_tail=False)
    return text
