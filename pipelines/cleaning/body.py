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
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from pipelines.cleaning.blocks import BlockMemo, link_chars, link_texts, paragraph_words
from pipelines.cleaning.choose import Candidate, choose, judge, needs_second_opinion
from pipelines.cleaning.guide import Guide
from pipelines.cleaning.lines import Action
from pipelines.cleaning.loose import wrap_loose_paragraphs
from pipelines.cleaning.readable import readability_body
from pipelines.cleaning.rescue import glued_source, is_page_dump, rule_body, structured_copy
from pipelines.cleaning.tidy import drop_duplicates, follow_guide

__all__ = [
    "Body",
    "assemble",
    "clean_extracted",
    "extract_body",
    "link_chars",
    "link_texts",
    "prepare_tree",
    "run_trafilatura",
    "without_furniture",
]

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
FAST = True

# --- before trafilatura -------------------------------------------------------------------
# Candidates for text a browser does not render, for reader-comment threads, and for the
# parts of schema.org's article body. Selecting attributes (``//@style``) is cheaper than
# testing every element (``//*[@style]``), and one XPath call for all of them far cheaper
# than one each; the values are checked in Python, on the few candidates. Captions are not
# looked for here: trafilatura drops <figcaption> and caption-class blocks itself, and a
# caption kept as a plain paragraph ends in its credit, which the line rules recognise
# (testing every class for captions and credits as well cost about a tenth of the layer).
_MAYBE_FURNITURE = etree.XPath("//@class[contains(., 'omment')] | //@id[contains(., 'omment')]")
# Every class attribute comes back, and _class_may_hide tests it in Python: libxml2 casts
# the attribute to a string again for each contains(), and the eleven tests a class took
# in XPath cost more than handing every class to Python (1.29 -> 1.03 ms a page on the
# throughput bench's pages; the same candidates on every page of the quality sets).
_MAYBE_UNWANTED = etree.XPath(
    "//@hidden | //@aria-hidden[. = 'true'] | //@style[contains(., 'one') or contains(., 'ONE')"
    " or contains(., 'idden') or contains(., 'IDDEN')] | //@itemprop[. = 'articleBody'] | "
    "//@role[. = 'tooltip'] | //@class | //@id[contains(., 'omment')]"
)
# Classes that may hide an element or name a comment thread (decided by _is_classed_away).
_MAYBE_HIDING_CLASS = re.compile(r"hid|Hid|HID|sr-only|screen-reader|invisible|d-none|omment")
_HIDING = {"hidden", "aria-hidden", "style", "role"}
# Class names the usual stylesheets hide (Bootstrap, WordPress, Drupal, HTML5 Boilerplate):
# the text is for screen readers ("(link is external)", "Continue reading the main story")
# or for machines (an hCard's "TheWashingtonPost"), never seen by a reader, and
# readability-lxml keeps it. Whole class names only: "hidden-xs" hides on phones alone.
_HIDING_CLASSES = {
    "hidden", "hide", "is-hidden", "u-hidden", "d-none", "invisible", "sr-only",
    "visually-hidden", "visuallyhidden", "screen-reader-text", "element-invisible",
}  # fmt: skip
# A hidden element with this many paragraphs of this many words, and this many words in
# them, is a story, kept (a badge's explanation in a hidden popup: 3 paragraphs, 89 words).
_STORY_PARAGRAPHS = 3
_PARAGRAPH_WORDS = 20
_STORY_WORDS = 100
# Cards shown when hovering a link (an author's name and latest headline): CSS hides them,
# and their text otherwise lands inside the sentence that holds the link. The card is an
# element inside the link; a link with such a class is the card's trigger and part of the
# sentence (a recipe's "<a class="ajax-tooltip">4 cups</a>"): such a class makes a
# candidate only below a link (_class_may_hide).
_POPUP_TOKENS = ("tooltip", "hovercard", "popover")
_POPUP_CLASS = re.compile("|".join(_POPUP_TOKENS))
_CLASS_CUE = re.compile(f"{_MAYBE_HIDING_CLASS.pattern}|{_POPUP_CLASS.pattern}")
_LINKS_WITH_CARDS = etree.XPath("//a[normalize-space(text())][*]")
_MIN_CARD_LEAD = 3
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
# An id names a thread whole ("disqus_thread") or in parts ("story-comments"): trafilatura's
# own filter only takes ids that start with "comment".
_ID_PARTS = re.compile(r"[-_]")
# Comment threads are blocks; an inline "comment" is a note in the text ("[Bonus Track]").
_THREAD_TAGS = {"div", "section", "article", "aside", "ol", "ul", "li", "dl", "footer", "form"}


@dataclass
class Body:
    paragraphs: list[str]  # cleaned body paragraphs, in order, no empty strings
    kinds: list[str] = field(default_factory=list)  # each paragraph's: p, head, item, quote...
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
    _join_article_body(_prune(tree, _unwanted_candidates))
    _drop_link_cards(tree)
    wrap_loose_paragraphs(tree)


def without_furniture(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """``tree`` without reader-comment threads: a pruned copy, or ``tree`` itself (not to
    be mutated) when it has none, as most pages: then no copy is made."""
    if not any(_drops_furniture(found.getparent()) for found in _MAYBE_FURNITURE(tree)):
        return tree
    page = deepcopy(tree)
    _prune(page, _MAYBE_FURNITURE)
    return page


def _drops_furniture(element: lxml.html.HtmlElement | None) -> bool:
    """What _prune decides for a furniture candidate (the root is never dropped)."""
    return element is not None and element.getparent() is not None and _is_popup_or_thread(element)


def _unwanted_candidates(tree: lxml.html.HtmlElement) -> list[Any]:
    """The attributes that may hide an element, comment threads' and the article body's."""
    return [
        found
        for found in _MAYBE_UNWANTED(tree)
        if found.attrname != "class" or _class_may_hide(found)
    ]


def _class_may_hide(classes: Any) -> bool:
    """A hiding or comment class, or a popup's class inside a link (a hover card).

    ``classes`` is the attribute as XPath returns it, a string that knows its element:
    the element is asked for only when its class names a popup, since making lxml's
    proxy of every classed element cost more than the tests themselves.
    """
    if _CLASS_CUE.search(classes) is None:  # most classes: one search, not two
        return False
    if _MAYBE_HIDING_CLASS.search(classes):
        return True
    # Not a hiding class, so the cue found was a popup's.
    return any(ancestor.tag == "a" for ancestor in classes.getparent().iterancestors())


def _prune(
    tree: lxml.html.HtmlElement, candidates: Callable[[lxml.html.HtmlElement], list[Any]]
) -> list[lxml.html.HtmlElement]:
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
        elif _is_hidden(element) if attribute in _HIDING else _is_classed_away(element):
            # drop_tree keeps the tail: on old layouts the article text is loose text that
            # follows the element.
            element.drop_tree()
    return body_parts


def _drop_link_cards(tree: lxml.html.HtmlElement) -> None:
    """Inside a link, an element that starts by repeating the link's text: a hover card.

    "Nadia Cruz<span>Nadia Cruz Cruz pushes for later pool hours</span>" would otherwise
    read "Nadia CruzNadia Cruz Cruz pushes ..." in the middle of a sentence.
    """
    for link in _LINKS_WITH_CARDS(tree):
        lead = " ".join((link.text or "").split())
        if len(lead) < _MIN_CARD_LEAD:
            continue
        for child in list(link):
            text = " ".join(child.text_content().split())
            if len(text) > len(lead) and text.startswith(lead):
                child.drop_tree()


def _is_popup_or_thread(element: lxml.html.HtmlElement) -> bool:
    classes = element.get("class", "").lower()
    return any(token in classes for token in _POPUP_TOKENS) or _is_furniture(element)


def _is_classed_away(element: lxml.html.HtmlElement) -> bool:
    """A popup, a comment thread, or an element its class hides (not a story: a script
    may reveal a body its template hides, ``<div class="story-body hidden">``)."""
    if _is_popup_or_thread(element):
        return True
    classes = element.get("class", "").lower().split()
    if _HIDING_CLASSES.isdisjoint(classes) or element.tag in _NEVER_HIDE:
        return False
    sizes = [len(p.text_content().split()) for p in element.iter("p")]
    story = [n for n in sizes if n >= _PARAGRAPH_WORDS]
    return len(story) < _STORY_PARAGRAPHS or sum(story) < _STORY_WORDS


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    attrib = element.attrib
    hidden = (
        "hidden" in attrib
        or attrib.get("aria-hidden") == "true"
        or attrib.get("role") == "tooltip"
        or bool(_HIDING_STYLE.search(attrib.get("style", "")))
    )
    return hidden and element.tag not in _NEVER_HIDE


def _is_furniture(element: lxml.html.HtmlElement) -> bool:
    """A reader-comment container."""
    if element.tag not in _THREAD_TAGS:
        return False
    identifier = element.get("id", "")
    named = [*element.get("class", "").split(), identifier, *_ID_PARTS.split(identifier)]
    if not any(c.lower() in _COMMENT_TOKENS for c in named):
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


def run_trafilatura(
    tree: lxml.html.HtmlElement, url: str | None, *, fast: bool = FAST
) -> etree._Element | None:
    """Trafilatura's main-text tree (its XML body), or None when it finds nothing."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=INCLUDE_COMMENTS,
        include_links=INCLUDE_LINKS,
        include_tables=INCLUDE_TABLES,
        include_images=False,
        fast=fast,
    )
    if document is None or isinstance(document, dict):
        return None
    body: etree._Element | None = document.body
    return body


def clean_extracted(
    body: etree._Element | None,
    *,
    headline: str | None = None,
    links: frozenset[str] = frozenset(),
) -> Body:
    """Apply the boilerplate layer to one extractor's body tree (trafilatura's XML or HTML).

    ``links`` are the page's link texts (:func:`link_texts`), read before trafilatura ran.
    """
    candidate = judge("trafilatura", body, headline=headline, links=links)
    return assemble(candidate, [candidate])


def assemble(chosen: Candidate, judged: list[Candidate], guide: Guide | None = None) -> Body:
    """The body of the chosen candidate; bylines, date lines and flags of every candidate."""
    result = Body(paragraphs=[])
    for candidate in judged:
        for unit, decision in zip(candidate.units, candidate.decisions, strict=True):
            action = decision.action
            if action is Action.BYLINE and unit.block.text not in result.bylines:
                result.bylines.append(unit.block.text)
            elif action is Action.DATELINE and unit.block.text not in result.datelines:
                result.datelines.append(unit.block.text)
            elif action is Action.PAYWALL:
                result.flags.add("paywall")
    units = chosen.kept if guide is None else follow_guide(chosen.kept, chosen.words, guide)
    kept: dict[int, list[str]] = {}
    kinds: dict[int, str] = {}
    for unit in drop_duplicates(units):
        kept.setdefault(unit.paragraph, []).append(unit.block.text)
        kinds.setdefault(unit.paragraph, unit.block.kind)
    result.paragraphs = ["\n".join(lines) for _, lines in sorted(kept.items())]
    result.kinds = [kind for _, kind in sorted(kinds.items())]
    if logger.isEnabledFor(logging.DEBUG):
        pairs = zip(chosen.units, chosen.decisions, strict=True)
        dropped = [(d.reason, u.block.text[:60]) for u, d in pairs if d.reason]
        logger.debug("%s dropped %s", chosen.name, dropped)
    return result


def extract_body(
    tree: lxml.html.HtmlElement,
    url: str | None,
    *,
    headline: str | None = None,
    description: str | None = None,
    language: str | None = None,
    article_body: str | None = None,
    container: list[lxml.html.HtmlElement] | None = None,
) -> Body:
    """Cleaned article body of a parsed page (mutates ``tree``).

    trafilatura's body, or readability's where :mod:`pipelines.cleaning.choose` finds it
    better; ``article_body`` (schema.org, as declared) guides the choice and the edges.
    ``container``: the elements a site's extraction rule selects as the body; then neither
    extractor runs, and the layer judges their text alone.
    ``description`` and ``language`` are accepted for callers but not used yet: dropping a
    body line equal to the description cost F1 on every development set (sites reuse the
    lead paragraph as description), and the phrase lists apply to all languages at once.
    """
    prepare_tree(tree)
    links = link_texts(tree)
    guide = Guide.from_text(article_body)
    if container:
        chosen = judge("site-rule", rule_body(container), headline=headline, links=links)
        return assemble(chosen, [chosen])
    extracted = run_trafilatura(tree, url)
    glued = glued_source(extracted, tree)
    if glued is not None:
        # trafilatura's fallback glued an <article>'s whole text into one line: the layer
        # reads the element itself instead, one block at a time.
        extracted = structured_copy(glued)
    elif is_page_dump(extracted):
        # The fast path found no main text and dumped the page's every text node; the full
        # run compares its own fallbacks (a readability port and jusText) and mostly finds
        # the story. Dearer, but on about 2 pages in 100.
        extracted = run_trafilatura(tree, url, fast=False)
    memo: BlockMemo = {}
    first = judge("trafilatura", extracted, headline=headline, links=links, memo=memo)
    if not needs_second_opinion(first, lambda: paragraph_words(tree), guide):
        return assemble(first, [first], guide)
    second = judge("readability", readability_body(tree), headline=headline, links=links, memo=memo)
    chosen = choose(first, second, guide)
    return assemble(chosen, [first, second], guide)
