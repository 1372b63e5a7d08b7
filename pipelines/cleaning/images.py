"""The images of the body, with their captions and credits, read from the page itself.

Both extractors drop images and captions from the text (a caption is not the story). Here
the body's container (:mod:`pipelines.cleaning.region`) is searched for ``<img>`` elements
that belong to the story: not icons, avatars, share buttons, ads or teaser thumbnails of
other stories. Each gets the caption of its figure and a credit: the figure's credit
element, a credit closing the caption ("... (Photo: Jane Doe/Herald)"), or the credit line
some CMSs print under the figure ("<caption> (Photo: ...)").
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from crawler.items import Image
from pipelines.cleaning.fields import sanitize_text
from pipelines.cleaning.lines import credit_rule
from pipelines.cleaning.vocabulary import (
    CREDIT_END_RE,
    CREDIT_SLASH_RE,
    CREDIT_START_RE,
)

# Class or id words of containers whose images are not the story's.
_NOT_STORY = re.compile(
    r"related|share|sharing|social|author|avatar|byline|advert|\bads?\b|\bad-|sponsor|promo"
    r"|newsletter|comment|widget|sidebar|teaser|recommend|logo|icon|emoji|gravatar|profile",
    re.IGNORECASE,
)
_HOLDER = re.compile(r"caption|figure|image|photo|media|picture", re.IGNORECASE)
_CAPTION_CLASS = re.compile(r"caption", re.IGNORECASE)
_CREDIT_CLASS = re.compile(r"credit|copyright|attribution", re.IGNORECASE)
# Declared smaller than this (in either dimension): an icon, a spacer or a tracking pixel.
_MIN_SIZE = 100
# Lazy-loading attributes, before the placeholder that src often holds.
_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-srcset", "src", "srcset")
_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp|avif)$", re.IGNORECASE)
_MAX_CAPTION_WORDS = 80
# A credit line under a figure is short; longer text is the story going on.
_MAX_CREDIT_LINE_WORDS = 45
_BRACKETS = "()[] \t"
_MAX_IMAGES = 50


def body_images(region: HtmlElement | None, page_url: str) -> list[Image]:
    """The story's images inside ``region``, in document order, each URL once."""
    if region is None:
        return []
    images: list[Image] = []
    seen: set[str] = set()
    for img in region.iter("img"):
        url = _source(img, page_url)
        if url is None or url in seen or not _is_story_image(img, region, page_url):
            continue
        width, height = _size(img.get("width")), _size(img.get("height"))
        if (width is not None and width < _MIN_SIZE) or (height is not None and height < _MIN_SIZE):
            continue
        seen.add(url)
        caption, credit = _caption_and_credit(img, region)
        images.append(Image(url, caption, credit, width, height))
        if len(images) == _MAX_IMAGES:
            break
    return images


def _source(img: HtmlElement, page_url: str) -> str | None:
    for attribute in _SOURCES:
        value = (img.get(attribute) or "").strip()
        if attribute.endswith("srcset"):
            value = value.split(",")[0].strip().split(" ")[0]
        if not value or value.startswith("data:"):
            continue
        url = urljoin(page_url, value) if page_url else value
        if urlsplit(url).scheme not in ("http", "https") or url.lower().endswith(".svg"):
            return None
        return url
    return None


def _size(value: str | None) -> int | None:
    value = (value or "").strip().removesuffix("px")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else None


def _is_story_image(img: HtmlElement, region: HtmlElement, page_url: str) -> bool:
    for element in (img, *img.iterancestors()):
        if element is region:
            return True
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if _NOT_STORY.search(marks):
            return False
        if element.tag == "a" and _links_elsewhere(element.get("href"), page_url):
            return False
    return True


def _links_elsewhere(href: str | None, page_url: str) -> bool:
    """A link around an image that leads to another page: a teaser's thumbnail."""
    if not href or href.startswith("#"):
        return False
    target = urljoin(page_url, href) if page_url else href
    path = urlsplit(target).path
    return not _IMAGE_FILE.search(path) and target.split("#")[0] != page_url.split("#")[0]


def _caption_and_credit(img: HtmlElement, region: HtmlElement) -> tuple[str | None, str | None]:
    holder = _holder(img, region)
    if holder is None:
        return None, None
    caption_element = credit_element = None
    for element in holder.iterdescendants():
        if not isinstance(element.tag, str) or element is img:
            continue
        classes = element.get("class", "")
        if caption_element is None and (
            element.tag == "figcaption" or _CAPTION_CLASS.search(classes)
        ):
            caption_element = element
        elif credit_element is None and _CREDIT_CLASS.search(classes):
            credit_element = element
    credit = _text(credit_element)
    caption = _text(caption_element)
    if caption and credit and caption.endswith(credit):
        caption = caption[: -len(credit)].strip() or None
    if caption and not credit:
        caption, credit = _split_credit(caption)
    if caption is not None and len(caption.split()) > _MAX_CAPTION_WORDS:
        caption = None  # a "caption" that holds the story is not one
    if credit is None:
        credit = _credit_line(holder, caption)
    return caption, credit.strip(_BRACKETS) or None if credit else None


def _holder(img: HtmlElement, region: HtmlElement) -> HtmlElement | None:
    """The figure the image belongs to, else the nearest caption or image wrapper."""
    wrapper = None
    for element in img.iterancestors():
        if element is region:
            break
        if element.tag == "figure":
            return element
        if wrapper is None and _HOLDER.search(element.get("class", "")):
            wrapper = element
    return wrapper


def _text(element: HtmlElement | None) -> str | None:
    return sanitize_text(element.text_content()) or None if element is not None else None


def _split_credit(caption: str) -> tuple[str | None, str | None]:
    """ "Crowds on the pier. (Photo: Jane Doe/Herald)" -> the caption and the credit."""
    match = CREDIT_END_RE.search(caption) or CREDIT_SLASH_RE.search(caption)
    if match is None:
        return caption, None
    start = match.start()
    # The slash pattern starts at the full stop that ends the caption.
    if caption[start] in '.!?"”':
        start += 1
    head, credit = caption[:start].rstrip(" ("), caption[start:].strip()
    if not head:
        return caption, None
    return head, credit


def _credit_line(holder: HtmlElement, caption: str | None) -> str | None:
    """The line a CMS prints right under the figure: the caption again with its credit, or a
    credit alone ("Photo: Jane Doe")."""
    following = holder.getnext()
    if following is None or not isinstance(following.tag, str):
        return None
    text = sanitize_text(following.text_content())
    if (
        not text
        or len(text.split()) > _MAX_CREDIT_LINE_WORDS
        or credit_rule(text, len(text.split())) is None
    ):
        return None
    if caption and text.startswith(caption):
        return text[len(caption) :].strip() or None
    return text if CREDIT_START_RE.match(text) else None
