"""``articleBodyMarkdown``: the very paragraphs of ``articleBody``, as Markdown (CommonMark).

Each cleaned paragraph keeps its kind from the extractor (heading, list item, quote, code,
paragraph). Its inline markup (emphasis, code, and links when NEWS_MARKDOWN_LINKS is on)
is read from the page element the paragraph came from (:mod:`pipelines.cleaning.region`),
and used only when that element's text is exactly the paragraph's: otherwise the paragraph
is written as plain (escaped) text. Stripped of its Markdown, the body is ``articleBody``.

Written here rather than with an HTML-to-Markdown library: those convert a whole document
(one more parse, BeautifulSoup for most), while this renders one known element per
paragraph of a body already chosen and cleaned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from pipelines.cleaning.fields import sanitize_text
from pipelines.cleaning.region import PageIndex

_EMPHASIS = {"em": "*", "i": "*", "cite": "*", "strong": "**", "b": "**"}
_CODE = {"code", "kbd", "samp", "tt"}
_SKIPPED = {"script", "style", "img", "picture", "source", "video", "audio", "iframe", "button"}
# Characters CommonMark reads as inline markup, each written with a backslash before it.
_INLINE_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>"})
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Line starts that CommonMark reads as a block: headings, quotes, lists, rules, fences.
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=~])")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")
_CLOSING_HASHES = re.compile(r"(\s)(#+)$")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the cleaned body and its kind (p, head, item, quote, code, row)."""

    kind: str
    text: str


def escape(text: str) -> str:
    """Plain text that CommonMark renders as itself."""
    lines = []
    for line in text.split("\n"):
        line = line.translate(_INLINE_ESCAPES)
        if "&" in line:
            line = _ENTITY.sub("&amp;", line)
        # A marker at the start of the line, escaped (a match object, not sub(): a
        # replacement template is parsed on every call, and most lines do not match).
        for start in (_BLOCK_START, _ORDERED_START):
            found = start.match(line)
            if found:
                line = f"{found[1]}\\{found[2]}{line[found.end() :]}"
        lines.append(line)
    return "\n".join(lines)


def render_markdown(
    paragraphs: list[Paragraph], index: PageIndex | None, page_url: str, *, links: bool
) -> str:
    """The body as Markdown, one block per paragraph, blocks separated by a blank line."""
    blocks = []
    for paragraph in paragraphs:
        element = index.source(paragraph.text) if index is not None else None
        inline = _inline(element, paragraph.text, page_url, links) if element is not None else None
        blocks.append(_block(paragraph, inline, element))
    return "\n\n".join(blocks)


def _block(paragraph: Paragraph, inline: str | None, element: HtmlElement | None) -> str:
    kind, text = paragraph.kind, paragraph.text
    if kind == "p" and element is not None:
        # The extractors flatten a <p> inside a quote or a list item into a paragraph; the
        # page says what it was.
        kind = _enclosing_kind(element)
    if kind == "code":
        fence = "````" if "```" in text else "```"
        return f"{fence}\n{text}\n{fence}"
    body = inline if inline is not None else escape(text)
    lines = body.split("\n")
    if kind == "head":
        level = int(element.tag[1]) if element is not None and element.tag[:1] == "h" else 2
        return "#" * level + " " + _CLOSING_HASHES.sub(r"\1\\\2", " ".join(lines))
    if kind == "quote":
        return "\n".join("> " + line for line in lines)
    if kind == "item":
        marker = _item_marker(element)
        indent = " " * len(marker)
        return "\n".join([marker + lines[0], *(indent + line for line in lines[1:])])
    return body


def _enclosing_kind(element: HtmlElement) -> str:
    for level, ancestor in enumerate([element, *element.iterancestors()]):
        if ancestor.tag == "blockquote":
            return "quote"
        if ancestor.tag == "li":
            return "item"
        if level > 2 or ancestor.tag in ("article", "main", "body", "section", "div"):
            break
    return "p"


def _item_marker(element: HtmlElement | None) -> str:
    if element is not None and element.tag != "li":
        element = next((a for a in element.iterancestors() if a.tag == "li"), None)
    if element is None:
        return "- "
    parent = element.getparent()
    if parent is None or parent.tag != "ol":
        return "- "
    start = parent.get("start", "1")
    number = int(start) if start.isdigit() else 1
    number += len([s for s in element.itersiblings(preceding=True) if s.tag == "li"])
    return f"{number}. "


def _inline(element: HtmlElement, text: str, page_url: str, links: bool) -> str | None:
    """The element's inline Markdown, if its text is the paragraph's; else None."""
    renderer = _Inline(page_url, links)
    renderer.walk(element, top=True)
    if sanitize_text(renderer.plain()) != sanitize_text(text):
        return None
    return renderer.markdown()


class _Inline:
    """Collects text and markers; markers are resolved at the end, when their neighbours are
    known (CommonMark opens and closes emphasis only next to certain characters)."""

    def __init__(self, page_url: str, links: bool) -> None:
        self.page_url = page_url
        self.links = links
        # ("text", str) | ("open", marker) | ("close", marker) | ("raw", str)
        self.parts: list[tuple[str, str]] = []

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(("text", value))

    def walk(self, element: HtmlElement, top: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIPPED:
            self.text(element.tail if not top else None)
            return
        if tag == "br":
            self.parts.append(("text", "\n"))
        elif not top and self._special(element, tag):
            pass
        elif not top and tag in _EMPHASIS:
            marker = _EMPHASIS[tag]
            self.parts.append(("open", marker))
            self._children(element)
            self.parts.append(("close", marker))
        else:
            self._children(element)
        if not top:
            self.text(element.tail)

    def _special(self, element: HtmlElement, tag: str) -> bool:
        """Inline code and links, rendered whole; False where they cannot be."""
        if tag in _CODE:
            return self._code(element)
        return tag == "a" and self.links and self._link(element)

    def _children(self, element: HtmlElement) -> None:
        self.text(element.text)
        for child in element:
            self.walk(child)

    def _code(self, element: HtmlElement) -> bool:
        content = element.text_content()
        if not content.strip() or "`" in content or content != content.strip():
            return False
        self.parts.append(("code", content))
        return True

    def _link(self, element: HtmlElement) -> bool:
        href = (element.get("href") or "").strip()
        url = urljoin(self.page_url, href) if self.page_url and href else href
        if urlsplit(url).scheme not in ("http", "https") or re.search(r"[\s<>]", url):
            return False
        if not element.text_content().strip():
            return False
        self.parts.append(("link_open", ""))
        self._children(element)
        self.parts.append(("link_close", url.replace("(", "%28").replace(")", "%29")))
        return True

    def plain(self) -> str:
        return "".join(value for kind, value in self.parts if kind in ("text", "code"))

    def markdown(self) -> str:
        rendered: list[str] = []
        for kind, value in _balanced(self.parts):
            if kind == "text":
                rendered.append(escape(value))
            elif kind == "code":
                rendered.append(f"`{value}`")
            elif kind == "link_open":
                rendered.append("[")
            elif kind == "link_close":
                rendered.append(f"]({value})")
            else:
                rendered.append(value)
        return "".join(rendered).strip()


def _balanced(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Emphasis markers kept only where CommonMark reads them as emphasis: around content
    that starts and ends with a non-space, with a word character or a space (or the edge)
    outside them. Other markers are dropped, their text kept."""
    result = list(parts)
    stack: list[int] = []
    for i, (kind, _) in enumerate(parts):
        if kind == "open":
            stack.append(i)
        elif kind == "close" and stack:
            start = stack.pop()
            inner = _plain(parts[start + 1 : i])
            before, after = _plain(parts[:start])[-1:], _plain(parts[i + 1 :])[:1]
            if not _flanked(inner, before, after):
                result[start] = result[i] = ("text", "")
            else:
                result[start] = result[i] = ("raw", parts[i][1])
    return [(k, v) for k, v in result if k != "open" and k != "close"]


def _plain(parts: list[tuple[str, str]]) -> str:
    return "".join(v for k, v in parts if k in ("text", "code"))


def _flanked(inner: str, before: str, after: str) -> bool:
    if not inner or inner != inner.strip():
        return False
    first, last = inner[0], inner[-1]
    opens = bool(_WORD.match(first)) or not before or before.isspace() or not _WORD.match(before)
    closes = bool(_WORD.match(last)) or not after or after.isspace() or not _WORD.match(after)
    return opens and closes and "*" not in inner and "\n" not in inner
