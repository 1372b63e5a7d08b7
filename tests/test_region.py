"""The page index behind a body's images and markup: paragraphs found back in the page."""

from __future__ import annotations

import lxml.html
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from pipelines.cleaning.blocks import element_text
from pipelines.cleaning.region import PageIndex

PAGE = """<html><body>
<nav><ul><li>Home</li><li>World</li></ul></nav>
<div class="story">
  <p>The harbour <b>reopened</b> on <a href="/x">Monday</a>,<!-- ad slot --> officials said.</p>
  <p>Ferries\u200b resume   their   winter schedule.</p>
  <figure><img src="/a.jpg"><figcaption>The quay at dawn.</figcaption></figure>
</div>
<footer><p>Contact us</p></footer>
</body></html>"""


def test_a_paragraph_is_found_by_its_whole_text_with_inline_markup_and_spacing_folded():
    index = PageIndex.build(lxml.html.document_fromstring(PAGE))
    first = index.source("The harbour reopened on Monday, officials said.")
    second = index.source("Ferries resume their winter schedule.")
    assert first is not None and first.tag == "p" and first.find("b") is not None
    assert second is not None and second.tag == "p"
    assert index.source("The harbour reopened") is None  # part of a text is not a match
    # Looked up again (for the Markdown after the region): the same answers.
    assert index.source("The harbour reopened on Monday, officials said.") is first
    assert index.source("The harbour reopened") is None


def test_the_region_is_the_element_around_the_paragraphs():
    index = PageIndex.build(lxml.html.document_fromstring(PAGE))
    region = index.region(
        ["The harbour reopened on Monday, officials said.", "Ferries resume their winter schedule."]
    )
    assert region is not None and region.get("class") == "story"
    assert index.region(["Nothing like this is on the page."]) is None


_TAGS = st.sampled_from(["p", "b", "a", "span", "li", "td", "script", "br"])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)


@st.composite
def _fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "element", "comment", "entity"]))
        if kind == "text":
            parts.append(draw(_TEXT).replace("<", " ").replace("&", " "))
        elif kind == "comment":
            parts.append(f"<!--{draw(_TEXT).replace('-', ' ')}-->")
        elif kind == "entity":
            parts.append(draw(st.sampled_from(["&nbsp;", "&amp;", "&#8203;", "&eacute;"])))
        elif depth < 3:
            tag = draw(_TAGS)
            parts.append(f"<{tag}>{draw(_fragments(depth + 1))}</{tag}>tail")
    return "".join(parts)


@given(_fragments())
def test_the_index_reads_exactly_what_text_content_reads(fragment):
    tree = lxml.html.document_fromstring(f"<html><body><div>{fragment}</div></body></html>")
    for element in tree.iter(etree.Element):
        assert element_text(element) == element.text_content()
