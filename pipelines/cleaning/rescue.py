"""Structure back for a body that trafilatura returned as one glued line.

When its main extraction finds too little (a gallery post, a brief under a big header),
trafilatura falls back to its "baseline": the whole text of the page's ``<article>``
element as one paragraph. The headline, the byline, the dates, the captions and the share
bar then sit in one line with the story, and no line rule can take them apart. Here that
case is recognised (one bare paragraph holding nearly all of an ``<article>``'s words) and
the element itself is handed to the layer instead, block by block, as readability's output
is: the furniture then stands on lines of its own and is judged like anywhere else.

Without an ``<article>``, its last resort is every text node of the page, one per line:
:func:`is_page_dump` recognises that, and the caller asks trafilatura's full run instead.
"""

from __future__ import annotations

import re
from copy import deepcopy

import lxml.html
from lxml import etree

# Below this many characters trafilatura's baseline does not accept a text at all.
_MIN_CHARS = 100
# The glued line holds at least this share of the element's word characters (trafilatura
# removed forms, buttons and hidden parts first), and starts and ends as the element does.
_MIN_SHARE = 0.7
_EDGE = 40
# trafilatura's last-resort dump joins a page's text nodes with newlines: even a bare page
# has a few dozen (menus, headline, paragraphs, footer); a paragraph of its own has none.
_MIN_DUMP_LINES = 5
_NON_WORD = re.compile(r"\W+")
_OUTERMOST_ARTICLES = etree.XPath("//article[not(ancestor::article)]")
# Never the story, whatever the layer thinks of their text (as in readable.py).
_NOT_TEXT = ("script", "style", "noscript", "template", "svg", "button", "select", "textarea")
_HEADLINE_HEADERS = etree.XPath("//header[.//h1]")
_CAPTIONS = etree.XPath("//figcaption | //*[contains(@class, 'caption')]")
# A caption is a line or two; a longer "caption" holds the story (as in readable.py).
_MAX_CAPTION_CHARS = 400


def _word_chars(text: str) -> str:
    return _NON_WORD.sub("", text).casefold()


def glued_source(body: etree._Element | None, tree: lxml.html.HtmlElement) -> etree._Element | None:
    """The ``<article>`` element trafilatura's one-paragraph body was glued from, or None."""
    if body is None or len(body) != 1:
        return None
    paragraph = body[0]
    if paragraph.tag != "p" or len(paragraph) or len(paragraph.text or "") < _MIN_CHARS:
        return None
    glued = _word_chars(paragraph.text or "")
    for article in _OUTERMOST_ARTICLES(tree):
        source = _word_chars(article.text_content())
        if (
            len(glued) >= _MIN_SHARE * len(source)
            and source.startswith(glued[:_EDGE])
            and glued[-_EDGE:] in source
        ):
            return article
    return None


def is_page_dump(body: etree._Element | None) -> bool:
    """Whether trafilatura's body is its last resort: every text node of the page, one per
    line, in one bare paragraph (navigation, link lists and story alike)."""
    if body is None or len(body) != 1:
        return False
    paragraph = body[0]
    return (
        paragraph.tag == "p"
        and not len(paragraph)
        and (paragraph.text or "").count("\n") >= _MIN_DUMP_LINES
    )


def rule_body(elements: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    """The elements a site's extraction rule selected, in one container to flatten."""
    holder = lxml.html.Element("div")
    for element in elements:
        holder.append(structured_copy(element))
    return holder


def structured_copy(article: etree._Element) -> lxml.html.HtmlElement:
    """A copy of the element to flatten: no scripts or form controls, no header holding the
    headline (its category link, byline and dates are metadata, read from the page), no
    captions (they are the images' captions, see images.py, and never body text)."""
    copy = deepcopy(article)
    copy.tail = None
    etree.strip_elements(copy, *_NOT_TEXT, with_tail=False)
    for header in _HEADLINE_HEADERS(copy):
        if header.getparent() is not None:  # not the copy itself
            header.drop_tree()
    for caption in _CAPTIONS(copy):
        if caption.getparent() is not None and len(caption.text_content()) <= _MAX_CAPTION_CHARS:
            caption.drop_tree()
    return copy
