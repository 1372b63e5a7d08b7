"""Paragraphs without their ``<p>``: loose text between the paragraphs of a story.

Old newspaper templates write a story as ``lead text<p>second paragraph<p>...``: the lead is
the tail of whatever precedes it (a date box, an empty span), and a paragraph cut by an ad
box goes on as the ad box's tail. Once a container holds a few paragraphs, trafilatura
takes its ``<p>`` children and loses the text hanging off the others: the lead or the end
of a sentence goes missing while every paragraph around it is kept. Here such a run of
loose text, with the inline elements in it, gets a ``<p>`` of its own before any extractor
sees the page; the end of a sentence cut by a box goes back into its paragraph.

:func:`loose_runs` is also how :func:`blocks.paragraph_words` finds prose outside ``<p>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

# Inline elements continue a run of loose text; any other child breaks it.
INLINE_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "span", "font", "small", "sup", "sub", "abbr", "cite", "q"}
)
SENTENCE_ENDS = frozenset('.!?"”’»)')
# Containers holding paragraphs: only there is loose text a paragraph that lost its tag.
_PARAGRAPH_CONTAINERS = etree.XPath("//p/..")
# A line of furniture ("Thursday, February 14", "Advertisement") stays as it is; a run
# this long, and mostly not link text, reads as a paragraph.
_MIN_WORDS = 12
_MAX_LINK_SHARE = 0.5


@dataclass
class LooseRun:
    """Loose text of a container between two of its block children (or its edges)."""

    after: int  # index of the block child before it; -1: the container's own text
    before: int  # index of the block child after it; len(container): the container's end
    members: list[lxml.html.HtmlElement] = field(default_factory=list)  # inline children
    words: int = 0
    linked: int = 0  # words in links
    ending: str = ""  # its last character that is not a space


def wrap_loose_paragraphs(tree: lxml.html.HtmlElement) -> None:
    """Give each run of loose prose among a container's paragraphs a ``<p>`` (mutates)."""
    for container in _PARAGRAPH_CONTAINERS(tree):
        runs = [run for run in loose_runs(container) if _is_lost_paragraph(container, run)]
        # Wrapping changes the children: from the last run back, earlier indexes hold.
        for run in reversed(runs):
            _wrap(container, run)


def loose_runs(container: lxml.html.HtmlElement) -> Iterator[LooseRun]:
    """The runs of loose text of a container: its own text, or a block child's tail, with
    the inline children (links, emphasis, spans) and their tails up to the next block."""
    run = LooseRun(after=-1, before=0)
    _count(run, container.text, linked=False)
    for index, child in enumerate(container):
        if isinstance(child.tag, str) and child.tag in INLINE_TAGS:
            run.members.append(child)
            _count(run, child.text_content(), linked=child.tag == "a")
        else:  # a block, a <br>, a script, a comment
            run.before = index
            yield run
            run = LooseRun(after=index, before=index)
        _count(run, child.tail, linked=False)
    run.before = len(container)
    yield run


def _count(run: LooseRun, text: str | None, *, linked: bool) -> None:
    words = len(text.split()) if text else 0
    if text and words:
        run.words += words
        run.linked += words if linked else 0
        run.ending = text.rstrip()[-1]


def _is_lost_paragraph(container: lxml.html.HtmlElement, run: LooseRun) -> bool:
    """A run of prose that a paragraph follows, and not one of a text's lines set apart by
    ``<br>`` or empty ``<p>`` tags (trafilatura keeps those as they are, and a ``<p>`` among
    them would split the text)."""
    if run.words < _MIN_WORDS or run.linked > _MAX_LINK_SHARE * run.words:
        return False
    if run.before >= len(container) or not _is_paragraph(container[run.before]):
        return False
    return run.after < 0 or not _is_separator(container[run.after])


def _is_paragraph(element: lxml.html.HtmlElement) -> bool:
    return element.tag == "p" and bool(element.text_content().strip())


def _is_separator(element: lxml.html.HtmlElement) -> bool:
    return element.tag == "br" or (element.tag == "p" and not _is_paragraph(element))


def _wrap(container: lxml.html.HtmlElement, run: LooseRun) -> None:
    if run.after < 0:
        text, container.text = container.text, None
    else:
        text, container[run.after].tail = container[run.after].tail, None
    cut = _cut_paragraph(container, run.after, text)
    if cut is not None:
        _append_text(cut, " " + (text or "").lstrip())
        target = cut
    else:
        target = lxml.html.Element("p")
        target.text = text
        container.insert(run.after + 1, target)
    # Appending moves each element (with its tail) out of the container into the paragraph.
    for member in run.members:
        target.append(member)


def _cut_paragraph(
    container: lxml.html.HtmlElement, after: int, text: str | None
) -> lxml.html.HtmlElement | None:
    """The paragraph a box cut in the middle of a sentence, which this run goes on with."""
    if after < 1 or not text or not text.lstrip()[:1].islower():
        return None
    previous = container[after - 1]
    if not _is_paragraph(previous):
        return None
    return previous if previous.text_content().rstrip()[-1:] not in SENTENCE_ENDS else None


def _append_text(element: lxml.html.HtmlElement, text: str) -> None:
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "").rstrip() + text
    else:
        element.text = (element.text or "").rstrip() + text
