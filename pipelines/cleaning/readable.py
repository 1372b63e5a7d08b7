"""The second opinion: readability-lxml's main-content choice on our already parsed tree.

trafilatura and readability fail on different pages: trafilatura keeps only the first part
of a body split by inline modules and sometimes settles on a teaser rail; readability
scores containers by their paragraphs and walks the winner's siblings, which recovers split
bodies, but it loses list-shaped articles. :mod:`pipelines.cleaning.choose` picks per page.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from typing import Any

import lxml.html
from lxml import etree
from readability import Document
from readability.readability import Unparseable

logger = logging.getLogger(__name__)

# What readability's own cleaner (lxml_html_clean, about a quarter of its time) removes and
# its scoring would otherwise count as text, and page chrome that is never the story (less
# for it to score). Comments and processing instructions are gone since parse_html, and
# hidden elements since prepare_tree.
_NOT_TEXT = (
    "script", "style", "link", "noscript", "template", "svg", "math", "object", "button",
    "select", "textarea", "nav", "aside", "footer",
)  # fmt: skip


# readability measures text through regexes whose cost grows with the square of each run of
# whitespace, thousands of times a page over overlapping texts: collapsing the runs once, as
# those regexes would, removed about half of its time. A run becomes one space whatever it
# holds (readability counts it as one character either way): a newline in HTML text is no
# line break, and hard-wrapped source text came out as a line per source line. <pre> text
# is left as it is.
_WHITESPACE_RUN = re.compile(r"\s*\n\s*|[ \t]{2,}|[\t\r\f\v]")
# What any match of _WHITESPACE_RUN contains: a plain search for it is several times
# cheaper than the run pattern's, whose leading \s* is tried at every position.
_MAYBE_RUN = re.compile(r"[\n\t\r\f\v]|  ")


def _collapse_whitespace(tree: lxml.html.HtmlElement) -> None:
    preformatted = {element for pre in tree.iter("pre") for element in pre.iter()}
    for element in tree.iter():
        text, tail = element.text, element.tail
        in_pre = element in preformatted
        if text and len(text) > 1 and not in_pre and _MAYBE_RUN.search(text):
            element.text = _WHITESPACE_RUN.sub(" ", text)
        if in_pre and element.tag != "pre":
            continue
        if tail and len(tail) > 1 and _MAYBE_RUN.search(tail):
            element.tail = _WHITESPACE_RUN.sub(" ", tail)


# Captions are not the story (trafilatura drops them too); readability keeps them as text.
_CAPTIONS = etree.XPath("//figcaption | //@class[contains(., 'caption')]")
# A caption is a line or two; a longer "caption" swallowed the story (an unclosed tag in it).
_MAX_CAPTION_CHARS = 400


def _drop_captions(tree: lxml.html.HtmlElement) -> None:
    for found in _CAPTIONS(tree):
        element = found if isinstance(found, lxml.html.HtmlElement) else found.getparent()
        if element is None or element.getparent() is None:
            continue
        if len(element.text_content()) <= _MAX_CAPTION_CHARS:
            element.drop_tree()


# readability turns a <div> without block tags in it into a <p>, and makes paragraphs of
# the loose text of the others (old blog engines write stories as text and <br>s). It starts
# a new paragraph at every inline element ("Winger <b>Marcus Lindqvist</b> has a broken
# finger" came out as two lines), and it finds the block tags by serialising every <div>'s
# subtree (a page's outer containers again for each level). readability-lxml 0.9's inline
# tags, and the tag names its divToPElementsRe finds in markup (a prefix: <pre>, <picture>):
_INLINE = frozenset(
    {"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"}
)
_BLOCK_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")


def _holding_blocks(tree: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    """The elements with a block element below them, in one walk of the tree."""
    holding: set[lxml.html.HtmlElement] = set()
    for element in tree.iter():
        tag = element.tag
        if isinstance(tag, str) and tag.startswith(_BLOCK_PREFIXES):
            for ancestor in element.iterancestors():
                if ancestor in holding:
                    break
                holding.add(ancestor)
    return holding


def _append_text(paragraph: lxml.html.HtmlElement, text: str) -> None:
    if len(paragraph):
        paragraph[-1].tail = (paragraph[-1].tail or "") + text
    else:
        paragraph.text = (paragraph.text or "") + text


def _paragraphs_of_loose_text(
    div: lxml.html.HtmlElement, holding: set[lxml.html.HtmlElement]
) -> None:
    """Wrap each run of the <div>'s loose text and inline elements in one <p>.

    A run ends at a ``<br>`` (dropped, as readability does) or a block.
    """
    children: list[lxml.html.HtmlElement] = []
    paragraph: lxml.html.HtmlElement | None = None
    pieces: list[tuple[lxml.html.HtmlElement | None, str | None]] = [(None, div.text)]
    div.text = None
    for child in div:
        pieces.append((child, child.tail))
        child.tail = None
    for child, text in pieces:
        if child is not None:
            if child.tag in _INLINE and child not in holding:
                if paragraph is None:
                    paragraph = div.makeelement("p")
                    children.append(paragraph)
                paragraph.append(child)
            else:
                paragraph = None
                if child.tag != "br":
                    children.append(child)
        if not text:
            continue
        if paragraph is None and text.isspace():
            if children:  # whitespace between blocks stays where it was
                children[-1].tail = text
            else:
                div.text = text
            continue
        if paragraph is None:
            paragraph = div.makeelement("p")
            children.append(paragraph)
        _append_text(paragraph, text)
    div[:] = children


# readability's link-density scoring grows faster than the page: on a page this large (a
# news page has 1,000-5,000 elements) trafilatura's body is kept without a second opinion.
_MAX_ELEMENTS = 30_000
_ELEMENTS = etree.XPath("count(//*)")


# readability's ``clean()``, step by step, each step run only when its text can match:
# the same result, without three regex scans of every link's text.
_LONG_RUN = re.compile(r"\s{255,}")
_AROUND_NEWLINE = re.compile(r"\s*\n\s*")
_SPACES = re.compile(r"\t|[ \t]{2,}")


def _text_length(element: lxml.html.HtmlElement) -> int:
    """``readability.readability.text_length(element)``, exactly."""
    text = element.text_content() or ""
    if len(text) >= 255:
        text = _LONG_RUN.sub(" " * 255, text)
    if "\n" in text:
        text = _AROUND_NEWLINE.sub("\n", text)
    if "\t" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return len(text.strip())


class _TreeDocument(Document):
    """A readability Document on a parsed tree, returning the article element.

    ``summary()`` re-reads its input before each of its (up to two) passes and mutates what
    it reads, so each pass gets its own copy. Overrides hooks of readability-lxml 0.9
    (pinned below 0.10): ``_parse`` (no second parse, no link rewriting, a cheaper cleaner),
    ``get_clean_html`` (the article element is kept; no serialisation to re-parse),
    ``get_link_density`` (the same figure, a third of its cost: while the paragraphs are
    scored, which asks it of every paragraph's parent and grandparent, a link's text length
    is measured once, not once per enclosing candidate), and
    ``transform_misused_divs_into_paragraphs`` (the same <div>s become <p>s, found in one
    walk; a run of loose text stays one paragraph across inline elements).
    """

    article: lxml.html.HtmlElement | None = None
    # Link text lengths while score_paragraphs runs (it does not change the tree).
    _link_lengths: dict[lxml.html.HtmlElement, int] | None = None

    def _parse(self, input: Any) -> lxml.html.HtmlElement:
        doc = deepcopy(input)
        etree.strip_elements(doc, *_NOT_TEXT, with_tail=False)
        _drop_captions(doc)
        _collapse_whitespace(doc)
        return doc

    def transform_misused_divs_into_paragraphs(self) -> None:
        holding = _holding_blocks(self.html)
        divs = list(self.html.iter("div"))
        for div in divs:
            if div not in holding:
                div.tag = "p"
        for div in divs:
            if div.tag == "div":
                _paragraphs_of_loose_text(div, holding)

    def score_paragraphs(self) -> Any:
        self._link_lengths = {}
        try:
            return super().score_paragraphs()
        finally:
            self._link_lengths = None

    def get_link_density(self, elem: lxml.html.HtmlElement) -> float:
        lengths = self._link_lengths
        link_length = 0
        for link in elem.iterdescendants("a"):
            if lengths is None:
                link_length += _text_length(link)
                continue
            length = lengths.get(link)
            if length is None:
                length = lengths[link] = _text_length(link)
            link_length += length
        return float(link_length) / max(_text_length(elem), 1)

    def get_clean_html(self) -> str:
        self.article = self.html
        # summary() measures this markup against retry_length to decide whether to retry
        # less ruthlessly; serialising (without re-parsing) is cheap next to the scoring.
        markup: str = lxml.html.tostring(self.html, encoding="unicode")
        return markup


def readability_body(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """readability's article container for ``tree`` (not mutated), or None."""
    if _ELEMENTS(tree) > _MAX_ELEMENTS:
        logger.debug("page too large for a second opinion")
        return None
    document = _TreeDocument(tree)
    try:
        document.summary(html_partial=True)
    except Unparseable:
        logger.debug("readability found no article", exc_info=True)
        return None
    return document.article
