"""Article body extraction: trafilatura on the parsed page, then our boilerplate layer.

Three phases, exposed separately so the benchmark can time them:
:func:`prepare_tree` removes what a reader never sees and the comment threads trafilatura
keeps, :func:`run_trafilatura` finds the main text,
:func:`clean_extracted` judges its blocks line by line. :func:`link_texts`, read between
the first two, tells the last which lines are links.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

from pipelines.cleaning.boilerplate import Action, Block, classify

logger = logging.getLogger(__name__)

# Trafilatura settings, measured on the development sets (python -m bench.extraction):
# comment threads are the largest single source of extra words; favor_precision and
# favor_recall both lost F1 there once our layer runs. With include_links=True trafilatura
# selects differently and keeps more navigation and teasers (body F1 before our layer fell
# on every set, 0.863 -> 0.856 on google-trends-2017), so links are left out and the link
# share of a line is read from the page's own link texts instead (see link_texts).
INCLUDE_COMMENTS = False
INCLUDE_LINKS = False
INCLUDE_TABLES = True

# --- before trafilatura -------------------------------------------------------------------
# Candidates for text a browser does not render, for reader-comment threads, and for the
# parts of schema.org's article body. Selecting attributes (``//@style``) is cheaper than
# testing every element (``//*[@style]``), and one XPath call for all of them far cheaper
# than one each; the values are checked in Python, on the few candidates. Captions are not
# looked for here: trafilatura drops <figcaption> and caption-class blocks itself, and a
# caption kept as a plain paragraph ends in its credit, which the line rules recognise
# (testing every class for captions and credits as well cost about a tenth of the layer).
_FURNITURE_CANDIDATES = "//@class[contains(., 'omment')]"
_MAYBE_FURNITURE = etree.XPath(_FURNITURE_CANDIDATES)
_MAYBE_UNWANTED = etree.XPath(
    "//@hidden | //@aria-hidden[. = 'true'] | //@style[contains(., 'one') or contains(., 'ONE')"
    " or contains(., 'idden') or contains(., 'IDDEN')] | //@itemprop[. = 'articleBody'] | "
    + _FURNITURE_CANDIDATES
)
_HIDING = {"hidden", "aria-hidden", "style"}
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Some pages hide the article itself until a script reveals it: never drop those.
_NEVER_HIDE = {"html", "body", "main", "article"}
# trafilatura's comment filter only looks at div/section/list elements whose class *starts*
# with "comment", which misses Drupal's <article class="comment"> and <section class="...
# comment-wrapper">: class tokens that name a thread or one comment.
_COMMENT_TOKENS = {
    "comment", "comments", "comment-list", "commentlist", "comments-list", "comment-wrapper",
    "comments-area", "comments-section", "comment-section", "comment-body", "comment-content",
    "field--name-comment", "field--type-comment", "disqus_thread",
}  # fmt: skip
# Comment threads are blocks; an inline "comment" is a note in the text ("[Bonus Track]").
_THREAD_TAGS = {"div", "section", "article", "aside", "ol", "ul", "li", "dl", "footer", "form"}

# Text nodes inside links: one walk, plain strings (no element back-references to build).
_LINK_TEXT = etree.XPath("//a//text()", smart_strings=False)
# Longer lines are prose, whatever links they hold: not looked up, to save time.
_MAX_LINK_LINE = 250
# Where a line made of several links breaks: "World | Business", "Read more: <headline>".
_LINK_SEPARATORS = re.compile(r"\s*(?:[|•·,;:/\n]|\s[-–—]\s)\s*")

# --- after trafilatura --------------------------------------------------------------------
# Runs of spaces other than a single plain one (which trafilatura's text mostly has, and
# which need no replacing), newlines excepted: they separate lines.
_SPACES = re.compile(r"[\t\r\f\v\u00a0][ \t\r\f\v\u00a0]*| [ \t\r\f\v\u00a0]+")
# Trafilatura's own block tags, plus HTML ones it occasionally leaves unconverted.
_BLOCK_CHILDREN = {
    "p", "list", "table", "quote", "head", "code", "div", "row", "cell", "item",
    "ul", "ol", "li", "tr", "td", "th", "tbody", "thead", "center", "section", "blockquote",
    "pre", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
# Children are filtered in Python: an XPath call per row or list costs more than the walk.
_ROW_TAGS = {"row", "tr"}
_ROW_GROUPS = {"tbody", "thead", "tfoot"}
_CELL_TAGS = {"cell", "td", "th"}
_ITEM_TAGS = {"item", "li"}
_KINDS = {"p": "p", "head": "head", "quote": "quote", "code": "code", "pre": "code"}
_KINDS.update({f"h{i}": "head" for i in range(1, 7)}, blockquote="quote")


@dataclass
class Body:
    paragraphs: list[str]  # cleaned body paragraphs, in order, no empty strings
    bylines: list[str] = field(default_factory=list)  # e.g. "By Elizabeth Shim"
    datelines: list[str] = field(default_factory=list)  # e.g. "Published November 23rd, 2015"
    flags: set[str] = field(default_factory=set)  # e.g. {"paywall"}


def prepare_tree(tree: lxml.html.HtmlElement) -> None:
    """Remove what a reader never sees, and comment threads (mutates ``tree``).

    Also gathers an article body the page splits into parts (see _join_article_body).
    """
    # trafilatura drops comment nodes together with their tails, and on old table layouts
    # the article text is often the tail of a comment; its own parser never keeps comments.
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    _join_article_body(_prune(tree, _MAYBE_UNWANTED))


def remove_furniture(tree: lxml.html.HtmlElement) -> None:
    """Remove reader-comment threads (mutates ``tree``)."""
    _prune(tree, _MAYBE_FURNITURE)


def _prune(tree: lxml.html.HtmlElement, candidates: etree.XPath) -> list[lxml.html.HtmlElement]:
    """Drop the unwanted elements among the candidates; return the article-body parts."""
    body_parts = []
    for found in candidates(tree):
        # An attribute value: a "smart" string that knows its element.
        element = found.getparent()
        # Already dropped along with an ancestor, or the root itself.
        if element is None or element.getparent() is None:
            continue
        attribute = found.attrname
        if attribute == "itemprop":
            body_parts.append(element)
        elif _is_hidden(element) if attribute in _HIDING else _is_furniture(element):
            # drop_tree keeps the tail: on old layouts the article text is loose text that
            # follows the element.
            element.drop_tree()
    return body_parts


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    attrib = element.attrib
    hidden = (
        "hidden" in attrib
        or attrib.get("aria-hidden") == "true"
        or bool(_HIDING_STYLE.search(attrib.get("style", "")))
    )
    return hidden and element.tag not in _NEVER_HIDE


def _is_furniture(element: lxml.html.HtmlElement) -> bool:
    """A reader-comment container."""
    if element.tag not in _THREAD_TAGS:
        return False
    if not any(c.lower() in _COMMENT_TOKENS for c in element.get("class", "").split()):
        return False
    # An article page is one <h1>: a "comment" container holding it is the page's layout
    # (opinion sections are called "comment" too), not a thread.
    return element.find(".//h1") is None


def _join_article_body(parts: list[lxml.html.HtmlElement]) -> None:
    """Gather an article body the page marks in several parts into the first part.

    trafilatura keeps only the first part (the rest of the story is lost, measured on pages
    that split it around ads and video promos). Parts of different schema.org items are left
    alone: those are several articles on one page (infinite scroll), each with its own body.
    """
    # A part may have been dropped since it was found (hidden, or inside a comment thread).
    parts = [part for part in parts if part.getparent() is not None and part.tag != "meta"]
    if len(parts) < 2:
        return
    first = parts[0]
    item = _item_of(first)
    for part in parts[1:]:
        nested = _contains(part, first) or _contains(first, part)
        if nested or _item_of(part) is not item:
            continue
        # The tail is text of the parent that follows the part: it stays where it was.
        if part.tail:
            previous, parent = part.getprevious(), part.getparent()
            if previous is not None:
                previous.tail = (previous.tail or "") + part.tail
            elif parent is not None:
                parent.text = (parent.text or "") + part.tail
            part.tail = None
        first.append(part)


def _contains(outer: lxml.html.HtmlElement, inner: lxml.html.HtmlElement) -> bool:
    return any(a is outer for a in inner.iterancestors())


def _item_of(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The schema.org item (``itemscope``) an element's properties belong to."""
    return next((a for a in element.iterancestors() if "itemscope" in a.attrib), None)


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
    # The separators of a link list ("World | Business") belong to the list.
    total = sum(len(piece) for piece in pieces)
    return len(line) * linked // total if linked else 0


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

    def __init__(self, links: frozenset[str]) -> None:
        self.units: list[_Unit] = []
        self._links = links
        self._paragraph = 0
        self._kind = "p"
        self._parts: list[str] = []
        self._lines = 0  # lines of the current paragraph so far

    def _flush_line(self) -> None:
        if not self._parts:
            return
        text = _SPACES.sub(" ", "".join(self._parts)).strip()
        if text:
            block = Block(text, self._kind, link_chars(text, self._links), self._lines > 0)
            self.units.append(_Unit(block, self._paragraph))
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
            if tag == "lb":
                self._flush_line()
            elif tag in _BLOCK_CHILDREN:
                kind = self._kind
                self.walk(child)
                self._start(kind)
            elif tag and tag != "graphic":
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


def _units(body: etree._Element, links: frozenset[str]) -> list[_Unit]:
    flattener = _Flattener(links)
    flattener.walk(body)
    return flattener.units


def clean_extracted(
    body: etree._Element | None,
    *,
    headline: str | None = None,
    links: frozenset[str] = frozenset(),
) -> Body:
    """Apply the boilerplate layer to trafilatura's body tree.

    ``links`` are the page's link texts (:func:`link_texts`), read before trafilatura ran.
    """
    result = Body(paragraphs=[])
    if body is None:
        return result
    units = _units(body, links)
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
    links = link_texts(tree)
    return clean_extracted(run_trafilatura(tree, url), headline=headline, links=links)
