"""From what onboarding saw to a site's registry entry: each key, and the evidence for it.

- ``domains``: the home page's host, less ``www.`` (so every subdomain is covered), plus
  the host of a feed or sitemap served from elsewhere (the registry insists on it);
- ``feeds``/``sitemaps``: those that answered with entries (a sitemap index rather than
  its children, so children added later are read too);
- ``start_urls``: the home page; ``follow_depth`` 2 only when a hub page it links to
  lists an article that neither the home page nor a feed or sitemap gives;
- ``article_allow``/``article_deny``: :mod:`crawler.onboarding.patterns`, from the
  feed and news-sitemap entries (plain sitemap entries when there are none), checked
  against the hubs: links in the page navigation and sections above an article's path;
- ``max_age_days``: twice the median age of the dated entries, at least 3 days, so the
  feed's current stories are in and its stray archive entries out;
- ``language``: the language of the test-cleaned articles, when 80% agree;
- ``cleaning.drop_phrases``: lines most test-cleaned articles share
  (:mod:`crawler.onboarding.phrases`).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from crawler.discovery.urls import same_site, strip_tracking, url_identity_key
from crawler.onboarding.model import FEED, SITEMAP, Findings, Sample
from crawler.onboarding.pages import PageLinks, is_page_link
from crawler.onboarding.patterns import PatternProposal, propose_patterns
from crawler.onboarding.phrases import RepeatedLine, repeated_lines

MIN_AGE_DAYS = 3
_LANGUAGE_AGREEMENT = 0.8


@dataclass
class SiteProposal:
    name: str
    domains: list[str]
    feeds: list[str]
    sitemaps: list[str]
    start_urls: list[str]
    article_allow: list[str]
    article_deny: list[str]
    follow_depth: int
    max_age_days: int
    language: str | None
    drop_phrases: list[RepeatedLine] = field(default_factory=list)  # cleaning.drop_phrases
    # The evidence, for the report.
    hub_only: list[str] = field(default_factory=list)  # articles only hub pages link to
    median_age_days: float | None = None
    too_old: int = 0  # dated entries older than max_age_days

    def registry_table(self) -> dict[str, object]:
        """The ``[sites.<name>]`` table, keys in the README's order, empty ones left out."""
        table: dict[str, object] = {"domains": self.domains}
        for key in ("feeds", "sitemaps", "start_urls", "article_allow", "article_deny"):
            if getattr(self, key):
                table[key] = getattr(self, key)
        if self.follow_depth != 1:
            table["follow_depth"] = self.follow_depth
        table["max_age_days"] = self.max_age_days
        if self.language:
            table["language"] = self.language
        if self.drop_phrases:
            table["cleaning"] = {"drop_phrases": [line.text for line in self.drop_phrases]}
        return table


def site_domain(home_url: str) -> str:
    return (urlsplit(home_url).hostname or "").lower().removeprefix("www.")


def on_site(url: str, home_url: str) -> bool:
    return same_site(url, [site_domain(home_url)])


def article_samples(samples: Iterable[Sample], home_url: str, hubs: set[str]) -> list[str]:
    """The URLs patterns are made from: feed and news-sitemap entries on the site; plain
    sitemap entries (which list fronts and pages too) only when there are none, less hubs."""
    samples = [s for s in samples if on_site(s.url, home_url)]
    news = [s.url for s in samples if s.news]
    return news or [s.url for s in samples if strip_tracking(s.url) not in hubs]


def known_hubs(home_url: str, pages: Iterable[PageLinks], samples: Iterable[Sample]) -> set[str]:
    """Pages that are hubs by where they sit: in a page's navigation, or a section above an
    article's path (``/world/`` above ``/world/2026/11/20/...``)."""
    paths = {urlsplit(s.url).path for s in samples}
    hubs = {home_url}
    for page in pages:
        for link in page.links:
            if not on_site(link.url, home_url) or not is_page_link(link.url):
                continue
            path = urlsplit(link.url).path
            above = (
                path.endswith("/")
                and path != "/"
                and any(p.startswith(path) and p != path for p in paths)
            )
            if link.in_nav or above:
                hubs.add(strip_tracking(link.url))
    return hubs


def fit_patterns(
    home_url: str, home: PageLinks, hub_pages: dict[str, PageLinks], samples: list[Sample]
) -> PatternProposal:
    pages = [home, *hub_pages.values()]
    hubs = known_hubs(home_url, pages, samples)
    links = [link.url for page in pages for link in page.links if on_site(link.url, home_url)]
    return propose_patterns(article_samples(samples, home_url, hubs), hubs, links)


def hubs_to_read(
    home_url: str, home: PageLinks, patterns: PatternProposal, feeds: Iterable[str]
) -> list[str]:
    """Pages the home page links to that are no articles: the hubs a follow_depth of 2
    would follow (navigation first, as sections live there)."""
    skip = {strip_tracking(home_url), *feeds, *home.feed_links}
    candidates: list[tuple[bool, int, str]] = []
    for link in home.links:
        url = strip_tracking(link.url)
        if url in skip or not on_site(url, home_url) or not is_page_link(url):
            continue
        if patterns.is_article_url(url) or any(_search(p, url) for p in patterns.deny):
            continue
        if patterns.is_article_url(url.split("?", 1)[0]):
            continue  # an article with parameters (?replytocom=): the crawler skips it too
        skip.add(url)
        candidates.append((not link.in_nav, len(candidates), url))
    return [url for _, _, url in sorted(candidates)]


def articles_to_test(
    home_url: str,
    home: PageLinks,
    samples: list[Sample],
    patterns: PatternProposal,
    cutoff: datetime | None,
) -> list[tuple[str, str]]:
    """(URL, source) of the articles the crawl would fetch, alternating between sources
    (each feed, each sitemap, the home page) so that each is tested; newest first."""
    queues: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    dated = sorted(samples, key=lambda s: _timestamp(s.date), reverse=True)
    for sample in dated:
        if not on_site(sample.url, home_url) or _older(sample.date, cutoff):
            continue
        if not (sample.news or patterns.is_article_url(sample.url)):
            continue
        if any(_search(p, sample.url) for p in patterns.deny):
            continue
        _queue(queues, seen, sample.source, sample.url)
    for link in home.links:
        if on_site(link.url, home_url) and patterns.is_article_url(link.url):
            _queue(queues, seen, home_url, link.url)
    ordered: list[tuple[str, str]] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def max_age(dates: Iterable[datetime | None], now: datetime) -> tuple[int, float | None]:
    """(max_age_days, median age in days): twice the median age, at least MIN_AGE_DAYS."""
    ages = [(now - _aware(d)).total_seconds() / 86400 for d in dates if d is not None]
    ages = [a for a in ages if a >= 0]
    if not ages:
        return MIN_AGE_DAYS, None
    median = statistics.median(ages)
    return max(MIN_AGE_DAYS, math.ceil(2 * median)), median


def article_dates(
    samples: Iterable[Sample], home_url: str, patterns: PatternProposal
) -> list[datetime | None]:
    """Dates of the entries the crawl would take as articles: feed and news-sitemap entries,
    or plain sitemap entries the patterns accept."""
    samples = [s for s in samples if on_site(s.url, home_url)]
    return [s.date for s in samples if s.news] or [
        s.date for s in samples if patterns.is_article_url(s.url)
    ]


def propose(name: str, findings: Findings) -> SiteProposal:
    home_url = findings.home_url
    patterns = findings.patterns
    news_dates = article_dates(findings.samples, home_url, patterns)
    days, median = max_age(news_dates, findings.now)
    cutoff = findings.now - timedelta(days=days)
    hub_only = _hub_only_articles(findings, patterns)
    domains = [site_domain(home_url)]
    top = [s for s in findings.sources if s.parent is None]
    for source in top:
        if not on_site(source.url, home_url):
            domains.append((urlsplit(source.url).hostname or "").lower())
    return SiteProposal(
        name=name,
        domains=list(dict.fromkeys(domains)),
        feeds=[s.url for s in top if s.kind == FEED],
        sitemaps=[s.url for s in top if s.kind == SITEMAP],
        start_urls=[home_url],
        article_allow=patterns.allow,
        article_deny=patterns.deny,
        follow_depth=2 if hub_only else 1,
        max_age_days=days,
        language=_language(findings),
        drop_phrases=repeated_lines([t.article.articleBody for t in findings.tested if t.article]),
        hub_only=hub_only,
        median_age_days=median,
        too_old=sum(1 for d in news_dates if _older(d, cutoff)),
    )


def _hub_only_articles(findings: Findings, patterns: PatternProposal) -> list[str]:
    # What the crawl gets at follow_depth 1: feed and sitemap entries, home page links.
    known = {identity(s.url) for s in findings.samples if s.news or patterns.is_article_url(s.url)}
    known |= {
        identity(link.url) for link in findings.home.links if patterns.is_article_url(link.url)
    }
    found: dict[str, str] = {}
    for page in findings.hubs.values():
        for link in page.links:
            if not on_site(link.url, findings.home_url) or not patterns.is_article_url(link.url):
                continue
            key = identity(link.url)
            if key not in known:
                found.setdefault(key, link.url)
    return sorted(found.values())


def _language(findings: Findings) -> str | None:
    languages = [
        t.article.inLanguage for t in findings.tested if t.article and t.article.inLanguage
    ]
    if not languages:
        return None
    language, count = Counter(lang.split("-")[0].lower() for lang in languages).most_common(1)[0]
    return language if count >= _LANGUAGE_AGREEMENT * len(languages) else None


def _queue(queues: dict[str, list[tuple[str, str]]], seen: set[str], source: str, url: str) -> None:
    key = identity(url)
    if key in seen:
        return
    seen.add(key)
    queues.setdefault(source, []).append((url, source))


def identity(url: str) -> str:
    """The URL's article identity (AMP, tracking and www. variants are one article)."""
    try:
        return url_identity_key(url)
    except ValueError:
        return url


def _search(pattern: str, url: str) -> bool:
    return re.search(pattern, url) is not None


def _aware(date: datetime) -> datetime:
    return date if date.tzinfo else date.replace(tzinfo=UTC)


def _timestamp(date: datetime | None) -> float:
    return _aware(date).timestamp() if date is not None else 0.0


def _older(date: datetime | None, cutoff: datetime | None) -> bool:
    return date is not None and cutoff is not None and _aware(date) < cutoff
