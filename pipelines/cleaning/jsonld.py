"""Reading schema.org JSON-LD: the typed objects of a page and their values.

Pages put their objects in one or several ``<script type="application/ld+json">`` blocks,
as lists, ``@graph`` arrays, or objects that refer to each other by ``@id``; values are
text, lists of text, or objects with a ``name``. These helpers read them leniently.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)


def json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = (script.text or "").strip().rstrip(";")
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            logger.debug("Unparseable JSON-LD block skipped")
            continue
        yield from walk(data, 0)


def walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        if "@graph" in data:
            yield from walk(data["@graph"], depth + 1)


def type_names(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def resolve(value: Any, ids: dict[str, Any]) -> Any:
    """A reference ({"@id": ...}) replaced by the object it names, where the page has it."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
        return ids.get(str(value.get("@id")), value)
    return value


def value_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str):
        return clean(value) or None
    return None


# Keywords are short: a longer "keyword" is a sentence or a blob of them.
_MAX_KEYWORD_CHARS = 100
_MAX_KEYWORDS = 50


def keyword_list(value: Any) -> list[str]:
    """schema.org keywords: a list, or one comma-separated text."""
    values = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in values:
        text = value_text(item)
        for keyword in (text or "").split(","):
            keyword = keyword.strip()
            if keyword and len(keyword) <= _MAX_KEYWORD_CHARS:
                found.append(keyword)
    return unique(found)[:_MAX_KEYWORDS]


def unique(values: list[str]) -> list[str]:
    """In order, each once (case folded)."""
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def meta_keywords(tree: HtmlElement, tags: dict[str, str]) -> list[str]:
    """article:tag (one meta tag per keyword), else news_keywords or keywords."""
    article_tags = [
        clean(el.get("content") or "")
        for el in tree.iterfind(".//meta[@property][@content]")
        if (el.get("property") or "").strip().lower() == "article:tag"
    ]
    return keyword_list(article_tags or tags.get("news_keywords") or tags.get("keywords"))


def breadcrumb_list(
    obj: dict[str, Any], ids: dict[str, Any]
) -> list[tuple[str | None, str | None]]:
    elements = obj.get("itemListElement")
    if not isinstance(elements, list):
        return []
    steps: list[tuple[int, str | None, str | None]] = []
    for element in elements:
        element = resolve(element, ids)
        if not isinstance(element, dict):
            continue
        item = resolve(element.get("item"), ids)
        url = item if isinstance(item, str) else None
        name = value_text(element.get("name"))
        if isinstance(item, dict):
            url = value_text(item.get("@id")) or value_text(item.get("url"))
            name = name or value_text(item.get("name"))
        position = element.get("position")
        order = position if isinstance(position, int) else len(steps) + 1
        if name or url:
            steps.append((order, name, url))
    return [(name, url) for _, name, url in sorted(steps, key=lambda step: step[0])]


_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
