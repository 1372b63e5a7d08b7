"""One site's onboarding, as a sequence of fetches: what to fetch next, given what came back.

The session never fetches anything itself: ``scrapy addsite`` (or a test) downloads each
:class:`Fetch` it asks for, as the crawler would (robots.txt obeyed, its user agent), and
hands back a :class:`Page` or a failure reason. It goes through four steps, each started
when every fetch of the one before has answered:

1. the home page and robots.txt;
2. the feeds and sitemaps: those the home page and robots.txt declare, else the common
   paths (``/feed``, ``/sitemap.xml``...); sitemap indexes lead to their children (news
   sitemaps first). Their entries are the article samples;
3. hub pages the home page links to (sections, menus): does one list an article that
   neither the home page nor a feed gives (then ``follow_depth = 2``)? They also show
   more hubs, against which the article patterns are checked;
4. up to ``max_articles`` articles the proposed entry would crawl, test-cleaned with the
   crawler's own cleaner.

Then :meth:`Onboarding.result` gives the :class:`Findings`, or raises
:class:`OnboardingError` with the one line that says why the site cannot be onboarded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from crawler.discovery.feeds import FeedError, parse_feed
from crawler.discovery.sitemaps import SitemapError, parse_sitemap
from crawler.onboarding.model import (
    ARTICLE,
    FEED,
    HOME,
    HUB,
    ROBOTS,
    ROBOTS_REFUSED,
    SITEMAP,
    Fetch,
    Findings,
    Limits,
    OnboardingError,
    Page,
    Sample,
    Source,
    Tested,
)
from crawler.onboarding.pages import PageLinks, feed_format, read_page, robots_sitemaps
from crawler.onboarding.patterns import PatternProposal
from crawler.onboarding.proposal import (
    article_dates,
    articles_to_test,
    fit_patterns,
    hubs_to_read,
    max_age,
    on_site,
)

# Where sites put feeds and sitemaps they do not declare; tried only when none is declared.
COMMON_FEED_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/feed.json")
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")


class Onboarding:
    def __init__(
        self,
        start_url: str,
        limits: Limits | None = None,
        *,
        min_words: int,
        short_words: int,
        now: datetime | None = None,
    ) -> None:
        self.start_url = start_url
        # The crawl's NEWS_MIN_WORDS and NEWS_SHORT_WORDS: articles are flagged as it would.
        self.min_words = min_words
        self.short_words = short_words
        self.limits = limits or Limits()
        self.now = now or datetime.now(UTC)
        self.home_url = start_url
        self.home: PageLinks | None = None
        self.robots_sitemaps: list[str] = []
        self.sources: list[Source] = []
        self.samples: list[Sample] = []
        self.hubs: dict[str, PageLinks] = {}
        self.hubs_linked = 0
        self.patterns = PatternProposal()
        self.tested: list[Tested] = []
        self.refused: list[str] = []
        self.failures: dict[str, str] = {}
        self.error: str | None = None
        self.done = False
        self._requested: set[str] = set()
        self._robots_hosts: set[str] = set()
        self._pending = 0
        self._candidates: list[tuple[str, str]] = []  # (url, source) not yet tested
        self._steps: list[Callable[[], list[Fetch]]] = [
            self._plan_sources,
            self._plan_hubs,
            self._plan_articles,
        ]

    # --- the protocol ------------------------------------------------------------------

    def start(self) -> list[Fetch]:
        return self._issue([self._robots_fetch(self.start_url), Fetch(self.start_url, HOME)])

    def received(self, fetch: Fetch, page: Page) -> list[Fetch]:
        """``page`` answered ``fetch`` (a 2xx, after redirects): the fetches that follow."""
        handlers: dict[str, Callable[[Fetch, Page], list[Fetch]]] = {
            ROBOTS: self._on_robots,
            HOME: self._on_home,
            FEED: self._on_feed,
            SITEMAP: self._on_sitemap,
            HUB: self._on_hub,
            ARTICLE: self._on_article,
        }
        return self._answered([] if self.error else handlers[fetch.kind](fetch, page))

    def failed(self, fetch: Fetch, reason: str) -> list[Fetch]:
        """``fetch`` failed (``reason``: ``http_404``, ``timeout``, ``ROBOTS_REFUSED``...)."""
        more: list[Fetch] = []
        if reason == ROBOTS_REFUSED:
            self.refused.append(fetch.url)
        elif not fetch.probe and fetch.kind != ROBOTS:
            self.failures[fetch.url] = reason
        if fetch.kind == HOME and not self.error:
            self.error = _home_failure(fetch.url, reason)
        elif fetch.kind == ARTICLE:
            self.tested.append(Tested(fetch.url, fetch.via, failure=reason))
            more = self._replacement()
        return self._answered(more)

    def result(self) -> Findings:
        if self.error:
            raise OnboardingError(self.error)
        if not self.done or self.home is None:
            raise OnboardingError(f"the onboarding of {self.start_url} did not finish")
        return Findings(
            start_url=self.start_url,
            home_url=self.home_url,
            home=self.home,
            sources=self.sources,
            samples=self.samples,
            hubs=self.hubs,
            hubs_linked=self.hubs_linked,
            patterns=self.patterns,
            tested=self.tested,
            refused=self.refused,
            failures=self.failures,
            now=self.now,
        )

    # --- bookkeeping --------------------------------------------------------------------

    def _issue(self, fetches: list[Fetch]) -> list[Fetch]:
        fresh = []
        for fetch in fetches:
            if fetch.url not in self._requested:
                self._requested.add(fetch.url)
                fresh.append(fetch)
        self._pending += len(fresh)
        return fresh

    def _answered(self, more: list[Fetch]) -> list[Fetch]:
        """One fetch answered; when its step is complete, the next step's fetches."""
        self._pending -= 1
        issued = [] if self.error else self._issue(more)
        while not self.error and self._pending == 0 and not issued and self._steps:
            issued = self._issue(self._steps.pop(0)())
        if self.error or (self._pending == 0 and not issued and not self._steps):
            self.done = True
            return []
        return issued

    # --- step 1: home page and robots.txt ----------------------------------------------

    def _robots_fetch(self, url: str) -> Fetch:
        parts = urlsplit(url)
        self._robots_hosts.add(parts.netloc)
        return Fetch(f"{parts.scheme}://{parts.netloc}/robots.txt", ROBOTS)

    def _on_robots(self, fetch: Fetch, page: Page) -> list[Fetch]:
        for url in robots_sitemaps(page.body):
            if url not in self.robots_sitemaps:
                self.robots_sitemaps.append(url)
        return []

    def _on_home(self, fetch: Fetch, page: Page) -> list[Fetch]:
        self.home_url = page.url
        self.home = read_page(page.body, page.url)
        if not self.home.links:
            self.error = f"the home page {page.url} is not an HTML page with links"
            return []
        if urlsplit(page.url).netloc in self._robots_hosts:
            return []
        # Redirected to another host (www., https): its robots.txt may list sitemaps.
        return [self._robots_fetch(page.url)]

    # --- step 2: feeds and sitemaps -----------------------------------------------------

    def _plan_sources(self) -> list[Fetch]:
        assert self.home is not None
        fetches = [Fetch(url, FEED) for url in self.home.feeds]
        # Links that look like feeds ("RSS", /feed.json) may be pages: tried, not relied on.
        fetches += [Fetch(url, FEED, probe=True) for url in self.home.feed_links]
        if not self.home.feeds:
            fetches += [
                Fetch(urljoin(self.home_url, p), FEED, probe=True) for p in COMMON_FEED_PATHS
            ]
        fetches += [Fetch(url, SITEMAP) for url in self.robots_sitemaps]
        if not self.robots_sitemaps:
            fetches += [
                Fetch(urljoin(self.home_url, p), SITEMAP, probe=True) for p in COMMON_SITEMAP_PATHS
            ]
        return fetches

    def _on_feed(self, fetch: Fetch, page: Page) -> list[Fetch]:
        try:
            entries = parse_feed(page.body, page.url, max_entries=self.limits.max_entries)
        except FeedError as exc:
            if not fetch.probe:
                self.failures[fetch.url] = f"not a usable feed ({exc})"
            return []
        urls = [e.url for e in entries]
        if urls and not self._known_source(page.url, urls):
            self.sources.append(Source(page.url, FEED, feed_format(page.body), entries=len(urls)))
            self.samples += [
                Sample(e.url, page.url, e.published or e.modified, news=True) for e in entries
            ]
        return []

    def _on_sitemap(self, fetch: Fetch, page: Page) -> list[Fetch]:
        if fetch.probe and _is_html(page):
            return []  # a soft 404: the home page answering for any path
        try:
            sitemap = parse_sitemap(page.body, page.url, max_entries=self.limits.max_entries)
        except SitemapError as exc:
            if not fetch.probe:
                self.failures[fetch.url] = f"not a usable sitemap ({exc})"
            return []
        urls = [e.url for e in sitemap.entries]
        if not urls or self._known_source(page.url, urls):
            return []
        if sitemap.kind == "index":
            children = [e for e in sitemap.entries if on_site(e.url, self.home_url)]
            # News sitemaps first, then the newest: those most likely to list articles.
            children.sort(key=lambda e: ("news" not in e.url.lower(), -_timestamp(e.lastmod)))
            chosen = [e.url for e in children[: self.limits.max_child_sitemaps]]
            index = Source(page.url, SITEMAP, "sitemap index", fetch.parent, len(urls), chosen)
            self.sources.append(index)
            if fetch.parent is not None:
                return []  # an index in an index: the crawler does not follow those either
            return [Fetch(url, SITEMAP, parent=page.url) for url in chosen]
        news = any(e.news_published or e.news_title for e in sitemap.entries)
        kind = "news sitemap" if news else "sitemap"
        self.sources.append(Source(page.url, SITEMAP, kind, fetch.parent, len(urls)))
        for entry in sitemap.entries:
            is_news = entry.news_published is not None or entry.news_title is not None
            self.samples.append(
                Sample(entry.url, page.url, entry.news_published or entry.lastmod, is_news)
            )
        return []

    def _known_source(self, url: str, entries: list[str]) -> bool:
        """The same feed under a second name (``/feed`` and ``/feed.xml``) counts once."""
        if any(s.url == url for s in self.sources):
            return True
        listed = {s.url for s in self.samples}
        return all(e in listed for e in entries)

    # --- step 3: hub pages ----------------------------------------------------------------

    def _plan_hubs(self) -> list[Fetch]:
        assert self.home is not None
        if not self.sources:
            self.error = (
                f"no feed or sitemap found for {self.home_url} (none declared, none at the "
                "common paths): the crawler needs one to find articles"
            )
            return []
        if not any(on_site(s.url, self.home_url) for s in self.samples):
            self.error = f"the feeds and sitemaps of {self.home_url} list no page of the site"
            return []
        self.patterns = fit_patterns(self.home_url, self.home, {}, self.samples)
        feeds = [s.url for s in self.sources]
        hubs = hubs_to_read(self.home_url, self.home, self.patterns, feeds)
        self.hubs_linked = len(hubs)
        return [Fetch(url, HUB) for url in hubs[: self.limits.max_hubs]]

    def _on_hub(self, fetch: Fetch, page: Page) -> list[Fetch]:
        self.hubs[fetch.url] = read_page(page.body, page.url)
        return []

    # --- step 4: test-cleaning ----------------------------------------------------------

    def _plan_articles(self) -> list[Fetch]:
        assert self.home is not None
        # The hubs read may show more navigation: the patterns are checked against it too.
        self.patterns = fit_patterns(self.home_url, self.home, self.hubs, self.samples)
        days, _ = max_age(article_dates(self.samples, self.home_url, self.patterns), self.now)
        cutoff = self.now - timedelta(days=days)
        self._candidates = articles_to_test(
            self.home_url, self.home, self.samples, self.patterns, cutoff
        )
        first = self._candidates[: self.limits.max_articles]
        del self._candidates[: self.limits.max_articles]
        return [Fetch(url, ARTICLE, via=via) for url, via in first]

    def _replacement(self) -> list[Fetch]:
        """After an article that could not be fetched, the next candidate (within reason)."""
        if not self._candidates or len(self.tested) >= 2 * self.limits.max_articles:
            return []
        url, via = self._candidates.pop(0)
        return [Fetch(url, ARTICLE, via=via)]

    def _on_article(self, fetch: Fetch, page: Page) -> list[Fetch]:
        # Imported here: Scrapy imports every command module at start, addsite's among them,
        # and the crawl process must not load the extractors its workers run.
        from pipelines.cleaning import clean_html

        article = clean_html(
            page.body,
            page.url,
            content_type=page.content_type,
            min_words=self.min_words,
            short_words=self.short_words,
        )
        self.tested.append(Tested(page.url, fetch.via, article))
        return []


def _home_failure(url: str, reason: str) -> str:
    if reason == ROBOTS_REFUSED:
        return f"robots.txt of {url} does not allow the crawler's user agent to fetch the home page"
    return f"cannot fetch the home page {url}: {reason}"


def _is_html(page: Page) -> bool:
    kind = (page.content_type or "").lower()
    head = page.body.lstrip()[:15].lower()
    return "html" in kind or head.startswith((b"<!doctype html", b"<html"))


def _timestamp(date: datetime | None) -> float:
    if date is None:
        return 0.0
    return (date if date.tzinfo else date.replace(tzinfo=UTC)).timestamp()
