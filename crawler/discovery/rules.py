"""Per-site cleaning and extraction rules of the registry, and how they are validated.

``[sites.<name>.cleaning]`` removes elements and phrases the generic layer cannot know are
chrome; ``[sites.<name>.extract]`` names, with a CSS selector or an XPath expression, where
a site's pages hold a field that generic cleaning gets wrong. Both are checked when the
registry is read: a bad selector is an error naming the file, the site, the key and the
value, never a rule that silently matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector


class RegistryError(ValueError):
    """The registry file cannot be used; the message says exactly why."""


@dataclass(frozen=True)
class FieldRule:
    """A selector of a site's extraction rule: ``css:<selector>`` or ``xpath:<expression>``.

    Kept as text (the rules travel to the extraction workers); compiled where applied.
    """

    syntax: str  # "css" or "xpath"
    expression: str

    def __str__(self) -> str:
        return f"{self.syntax}:{self.expression}"


@dataclass(frozen=True)
class CleaningRules:
    """Per-site cleaning the generic layer cannot know about: elements removed before
    extraction, phrases cut from the text, and (the ``extract`` table) selectors that find a
    field on the site's pages, each a list tried in order, instead of generic cleaning."""

    remove_selectors: tuple[str, ...] = ()
    drop_phrases: tuple[str, ...] = ()
    body: tuple[FieldRule, ...] = ()
    headline: tuple[FieldRule, ...] = ()
    date: tuple[FieldRule, ...] = ()
    authors: tuple[FieldRule, ...] = ()


_CLEANING_KEYS = {"remove_selectors", "drop_phrases"}
_EXTRACT_KEYS = ("body", "headline", "date", "authors")
# An XPath expression is tried once on this document when the registry is read: an
# undefined function or namespace prefix fails there, not on the first page.
_PROBE = lxml.html.document_fromstring("<html><body><p>probe</p></body></html>")


def parse_cleaning(table: Any, where: str) -> CleaningRules:
    if not isinstance(table, dict):
        raise RegistryError(f"{where}: expected a table, got {table!r}")
    unknown = set(table) - _CLEANING_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise RegistryError(
            f"{where}: unknown key {key!r} (known: {', '.join(sorted(_CLEANING_KEYS))})"
        )
    selectors = _strings(table, "remove_selectors", where)
    for selector in selectors:
        try:
            CSSSelector(selector)
        except (SelectorError, ValueError) as exc:
            raise RegistryError(
                f"{where}, key 'remove_selectors': bad CSS selector {selector!r}: {exc}"
            ) from exc
    return CleaningRules(
        remove_selectors=selectors, drop_phrases=_strings(table, "drop_phrases", where)
    )


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RegistryError(
            f"{where}, key {key!r}: expected a list of non-empty strings (got {value!r})"
        )
    return tuple(value)


def parse_extract(table: Any, where: str) -> dict[str, tuple[FieldRule, ...]]:
    if not isinstance(table, dict):
        raise RegistryError(f"{where}: expected a table, got {table!r}")
    unknown = set(table) - set(_EXTRACT_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise RegistryError(f"{where}: unknown key {key!r} (known: {', '.join(_EXTRACT_KEYS)})")
    rules = {}
    for key, value in table.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise RegistryError(
                f"{where}, key {key!r}: expected a selector or a list of them (got {value!r})"
            )
        rules[key] = tuple(_field_rule(v, f"{where}, key {key!r}") for v in values)
    return rules


def _field_rule(value: str, where: str) -> FieldRule:
    syntax, colon, expression = value.partition(":")
    syntax = syntax.strip().lower()
    if not colon or syntax not in ("css", "xpath") or not expression.strip():
        raise RegistryError(
            f"{where}: expected 'css:<selector>' or 'xpath:<expression>' (got {value!r})"
        )
    expression = expression.strip()
    try:
        if syntax == "css":
            CSSSelector(expression)
        else:
            etree.XPath(expression)(_PROBE)
    except (SelectorError, ValueError, etree.XPathError) as exc:
        kind = "CSS selector" if syntax == "css" else "XPath expression"
        raise RegistryError(f"{where}: bad {kind} {expression!r}: {exc}") from exc
    return FieldRule(syntax, expression)
