"""The site registry: which news sites to crawl and how, read from TOML.

A registry file looks like::

    [sites.example-news]
    domains = ["example.com"]
    feeds = ["https://example.com/rss.xml"]
    sitemaps = ["https://example.com/news-sitemap.xml"]
    start_urls = ["https://example.com/"]
    article_allow = ['/\\d{4}/\\d{2}/\\d{2}/']
    article_deny = ['/video/']
    follow_depth = 1
    max_age_days = 3
    language = "en"
    languages = ["en"]      # emit only records in these languages
    revisit_hours = 24      # download known articles again after this long
    min_delay = 2.0         # seconds between requests to the site, at least

    [sites.example-news.cleaning]
    remove_selectors = [".related-stories"]
    drop_phrases = ["Support our journalism"]

    [sites.example-news.extract]      # where generic cleaning gets a field wrong
    body = "css:article .story-body"
    headline = "xpath://h1[@class='title']"
    date = "css:.story-meta time"
    authors = ["css:.byline a[rel=author]", "css:.byline"]   # tried in order

Every problem is reported as one :class:`RegistryError` naming the file, the
site, the key and the bad value, so a typo never turns into a silent no-op.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.discovery.rules import (
    CleaningRules,
    FieldRule,
    RegistryError,
    parse_cleaning,
    parse_extract,
)
from crawler.discovery.urls import is_web_url, strip_tracking

__all__ = [
    "CleaningRules",
    "FieldRule",
    "Registry",
    "RegistryError",
    "Site",
    "load_registry",
    "parse_registry",
    "select_sites",
]

# Package data: read through importlib.resources, so it is found inside a zipped egg too.
DEFAULT_REGISTRY_NAME = "sites.toml"
DEFAULT_REGISTRY_SOURCE = "crawler/sites.toml (bundled)"
_SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")
_MAX_FOLLOW_DEPTH = 3


@dataclass(frozen=True)
class Site:
    name: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    article_allow: tuple[re.Pattern[str], ...] = ()
    article_deny: tuple[re.Pattern[str], ...] = ()
    follow_depth: int = 1
    max_age_days: float | None = None
    language: str | None = None
    languages: tuple[str, ...] = ()  # emit only records in these languages (empty: all)
    revisit_hours: float | None = None
    min_delay: float = 0.0
    cleaning: CleaningRules = field(default_factory=CleaningRules)

    def is_article_url(self, url: str) -> bool:
        """Whether a URL found on a start page should be fetched as an article.

        Patterns see the URL without tracking parameters: a share link's ``?fbclid=``
        must not turn an article into something else.
        """
        url = strip_tracking(url)
        if any(p.search(url) for p in self.article_deny):
            return False
        if not self.article_allow:
            return True
        return any(p.search(url) for p in self.article_allow)


@dataclass(frozen=True)
class Registry(Mapping[str, Site]):
    """A validated registry: its sites by name, and where it was read from."""

    source: str
    sites: Mapping[str, Site]

    def __getitem__(self, name: str) -> Site:
        return self.sites[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sites)

    def __len__(self) -> int:
        return len(self.sites)

    def select(self, names: str | Iterable[str] | None) -> list[Site]:
        """The sites named in a ``-a site=a,b`` argument, or all of them."""
        return select_sites(self.sites, names)


_SITE_KEYS = {
    "domains",
    "feeds",
    "sitemaps",
    "start_urls",
    "article_allow",
    "article_deny",
    "follow_depth",
    "max_age_days",
    "language",
    "languages",
    "revisit_hours",
    "min_delay",
    "cleaning",
    "extract",
}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def load_registry(path: str | Path | None = None) -> Registry:
    """Read and validate a registry file (None: the bundled one); raises RegistryError."""
    if path is None:
        source = DEFAULT_REGISTRY_SOURCE
        raw = resources.files("crawler").joinpath(DEFAULT_REGISTRY_NAME).read_bytes()
    else:
        source = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise RegistryError(f"{path}: cannot read registry: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{source}: registry is not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source}: not valid TOML: {exc}") from exc
    return Registry(source, parse_registry(data, source=source))


def parse_registry(data: dict[str, Any], source: str = "<registry>") -> dict[str, Site]:
    unknown = set(data) - {"sites"}
    if unknown:
        raise RegistryError(f"{source}: unknown top-level key {sorted(unknown)[0]!r}")
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise RegistryError(f"{source}: no [sites.<name>] tables: the registry lists no site")
    return {name: _parse_site(name, table, source) for name, table in sites.items()}


def select_sites(sites: Mapping[str, Site], names: str | Iterable[str] | None) -> list[Site]:
    """The sites named in a ``-a site=a,b`` argument, or all of them."""
    if names is None:
        return list(sites.values())
    wanted = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
    wanted = [n for n in wanted if n]
    missing = [n for n in wanted if n not in sites]
    if missing:
        known = ", ".join(sorted(sites))
        raise RegistryError(f"unknown site {missing[0]!r}; the registry has: {known}")
    return [sites[n] for n in wanted]


class _SiteReader:
    """Typed accessors that turn bad values into precise errors."""

    def __init__(self, table: dict[str, Any], where: str) -> None:
        self.table = table
        self.where = where

    def fail(self, key: str, message: str) -> RegistryError:
        value = self.table.get(key)
        return RegistryError(f"{self.where}, key {key!r}: {message} (got {value!r})")

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(value)

    def urls(self, key: str) -> tuple[str, ...]:
        values = self.strings(key)
        for url in values:
            if not is_web_url(url):
                raise RegistryError(
                    f"{self.where}, key {key!r}: {url!r} is not an absolute http(s) URL"
                )
        return values

    def positive_number(self, key: str, unit: str) -> float | None:
        value = self.table.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise self.fail(key, f"expected a positive number of {unit}")
        return float(value)

    def patterns(self, key: str) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for pattern in self.strings(key):
            try:
                compiled.append(re.compile(pattern))
            except (re.error, OverflowError, RecursionError) as exc:
                raise RegistryError(
                    f"{self.where}, key {key!r}: bad regular expression {pattern!r}: {exc}"
                ) from exc
        return tuple(compiled)


def _parse_site(name: str, table: Any, source: str) -> Site:
    where = f"{source}: site {name!r}"
    if not _SITE_NAME.match(name):
        raise RegistryError(
            f"{where}: site names are lowercase letters, digits, '-' and '_' (got {name!r})"
        )
    if not isinstance(table, dict):
        raise RegistryError(f"{where}: expected a table, got {table!r}")
    unknown = set(table) - _SITE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise RegistryError(
            f"{where}: unknown key {key!r} (known: {', '.join(sorted(_SITE_KEYS))})"
        )
    reader = _SiteReader(table, where)

    domains = tuple(d.lower() for d in reader.strings("domains"))
    if not domains:
        raise reader.fail("domains", "at least one domain is required")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise RegistryError(f"{where}, key 'domains': {domain!r} is not a domain name")

    feeds, sitemaps, start_urls = (
        reader.urls("feeds"),
        reader.urls("sitemaps"),
        reader.urls("start_urls"),
    )
    if not (feeds or sitemaps or start_urls):
        raise RegistryError(f"{where}: needs at least one of 'feeds', 'sitemaps', 'start_urls'")
    for key, urls in (("feeds", feeds), ("sitemaps", sitemaps), ("start_urls", start_urls)):
        for url in urls:
            host = (urlsplit(url).hostname or "").lower()
            if not any(host == d or host.endswith("." + d) for d in domains):
                raise RegistryError(
                    f"{where}, key {key!r}: {url!r} is outside the site's domains {list(domains)}"
                )

    follow_depth = table.get("follow_depth", 1)
    if type(follow_depth) is not int or not 0 <= follow_depth <= _MAX_FOLLOW_DEPTH:
        raise reader.fail("follow_depth", f"expected a whole number from 0 to {_MAX_FOLLOW_DEPTH}")

    max_age = reader.positive_number("max_age_days", "days")
    revisit_hours = reader.positive_number("revisit_hours", "hours")
    min_delay = reader.positive_number("min_delay", "seconds")

    language = table.get("language")
    if language is not None and (
        not isinstance(language, str) or not _LANGUAGE_CODE.fullmatch(language)
    ):
        raise reader.fail("language", "expected a language code such as 'en' or 'pt-BR'")
    languages = reader.strings("languages")
    for code in languages:
        if not _LANGUAGE_CODE.fullmatch(code):
            raise RegistryError(
                f"{where}, key 'languages': {code!r} is not a language code such as 'en' or 'pt-BR'"
            )
    if "languages" in table and not languages:
        raise reader.fail("languages", "expected at least one language code (omit it for all)")
    cleaning = parse_cleaning(table.get("cleaning", {}), f"{where}, table 'cleaning'")
    extract = parse_extract(table.get("extract", {}), f"{where}, table 'extract'")

    return Site(
        name=name,
        domains=domains,
        feeds=feeds,
        sitemaps=sitemaps,
        start_urls=start_urls,
        article_allow=reader.patterns("article_allow"),
        article_deny=reader.patterns("article_deny"),
        follow_depth=follow_depth,
        max_age_days=max_age,
        language=language,
        languages=languages,
        revisit_hours=revisit_hours,
        min_delay=min_delay or 0.0,
        cleaning=replace(
            cleaning,
            body=extract.get("body", ()),
            headline=extract.get("headline", ()),
            date=extract.get("date", ()),
            authors=extract.get("authors", ()),
        ),
    )
