"""Where the cleaned body stands in the page: the elements its paragraphs came from.

The extractors return text (trafilatura's XML, readability's copy of the page), never the
page's own elements. The body's images and its inline markup (emphasis, links) are read
from the page, so each kept paragraph is matched back to the page element holding exactly
its text, and the body's container is the element around most of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from pipelines.cleaning.blocks import element_text
from pipelines.cleaning.fields import sanitize_text

# The elements a paragraph of an extracted body comes from. Containers (div, section) are
# left out: indexing their text costs a walk of the whole page per level, and a paragraph
# that was a container's loose text is simply not matched (its markdown is plain text).
SOURCE_TAGS = (
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "td",
    "th", "figcaption", "caption",
)  # fmt: skip
# The container holds at least this share of the matched paragraphs' words.
_REGION_SHARE = 0.8


@dataclass
class PageIndex:
    """The page's paragraph-like elements by their text (whitespace and invisibles folded)."""

    by_text: dict[str, HtmlElement]
    # Each paragraph is looked up for the region, then again for its Markdown.
    _found: dict[str, HtmlElement | None] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, tree: HtmlElement) -> PageIndex:
        by_text: dict[str, HtmlElement] = {}
        for element in tree.iter(*SOURCE_TAGS):
            key = sanitize_text(element_text(element))
            # The first occurrence: a text repeated (a caption shown twice) keeps its first.
            if key and key not in by_text:
                by_text[key] = element
        return cls(by_text)

    def source(self, paragraph: str) -> HtmlElement | None:
        """The page element whose whole text is this paragraph, if there is one."""
        try:
            return self._found[paragraph]
        except KeyError:
            found = self._found[paragraph] = self.by_text.get(sanitize_text(paragraph))
            return found

    def region(self, paragraphs: Iterable[str]) -> HtmlElement | None:
        """The innermost element holding most of the paragraphs: the body's container."""
        weight: dict[HtmlElement, int] = {}
        depth: dict[HtmlElement, int] = {}
        total = 0
        for paragraph in paragraphs:
            element = self.source(paragraph)
            if element is None:
                continue
            words = len(paragraph.split())
            total += words
            chain = [element, *element.iterancestors()]
            for level, ancestor in enumerate(reversed(chain)):
                weight[ancestor] = weight.get(ancestor, 0) + words
                depth[ancestor] = level
        if not total:
            return None
        held = [e for e, w in weight.items() if w >= _REGION_SHARE * total]
        region = max(held, key=lambda e: depth[e])
        # A single paragraph is not a container: its images sit beside it.
        while region.tag in SOURCE_TAGS and region.getparent() is not None:
            region = region.getparent()
        return region
