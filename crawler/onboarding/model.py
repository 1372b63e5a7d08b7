"""What onboarding fetches and what it learns: the types its modules share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.items import Article
from crawler.onboarding.pages import PageLinks
from crawler.onboarding.patterns import PatternProposal

ROBOTS, HOME, FEED, SITEMAP, HUB, ARTICLE = "robots", "home", "feed", "sitemap", "hub", "article"
# The failure reason of a fetch robots.txt does not allow.
ROBOTS_REFUSED = "robots.txt"


class OnboardingError(Exception):
    """The site cannot be onboarded; the message is the one line that says why."""


@dataclass(frozen=True)
class Fetch:
    url: str
    kind: str  # ROBOTS, HOME, FEED, SITEMAP, HUB or ARTICLE
    probe: bool = False  # a common path tried on the off chance: a 404 is no news
    parent: str | None = None  # the sitemap index that listed this sitemap
    via: str = ""  # ARTICLE: the source that listed it


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Limits:
    max_articles: int = 10  # articles test-cleaned
    max_hubs: int = 20  # hub pages read to decide follow_depth
    max_child_sitemaps: int = 5  # children of one sitemap index
    max_entries: int = 5000  # entries read from one feed or sitemap


@dataclass(frozen=True)
class Sample:
    """An article URL a feed or a sitemap announced."""

    url: str
    source: str  # the feed or sitemap listing it
    date: datetime | None
    news: bool  # an article by construction: a feed or news-sitemap entry


@dataclass
class Source:
    """A feed or sitemap that answered with entries (a sitemap index: with children)."""

    url: str
    kind: str  # FEED or SITEMAP
    format: str  # "RSS", "Atom", "JSON Feed", "sitemap index", "news sitemap", "sitemap"
    parent: str | None = None  # the index that listed it
    entries: int = 0
    children: list[str] = field(default_factory=list)  # an index's children read


@dataclass
class Tested:
    """One article fetched and cleaned as the crawl would."""

    url: str
    via: str  # the feed, sitemap or page that led to it
    article: Article | None = None  # None: the cleaner found no text, or the fetch failed
    failure: str | None = None  # why the fetch failed


@dataclass
class Findings:
    """Everything the session saw, from which the site's block is proposed."""

    start_url: str  # as given
    home_url: str  # after redirects
    home: PageLinks
    sources: list[Source]
    samples: list[Sample]
    hubs: dict[str, PageLinks]  # hub pages read, by URL
    hubs_linked: int  # hub pages the home page links to (the first max_hubs are read)
    patterns: PatternProposal
    tested: list[Tested]
    refused: list[str]  # URLs robots.txt does not allow
    failures: dict[str, str]  # URL -> reason, of fetches that failed (not probes)
    now: datetime
