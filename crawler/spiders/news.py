"""The ``news`` spider: discovers article URLs from the site registry and fetches them.

Discovery reads feeds (RSS, Atom, JSON Feed), sitemaps (indexes, urlsets, Google
News) and start pages (links matching the site's article patterns, hub pages up to
``follow_depth``). Entries older than the site's maximum age, or than ``-a since=``,
are skipped before download. The spider yields :class:`FetchedPage` items only:
extraction belongs to the cleaning pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.addon import news_addon
from crawler.config import ConfigError, NewsConfig
from crawler.discovery.dates import announced_iso, parse_duration_or_date, to_iso
from crawler.discovery.feeds import FeedError, parse_feed
from crawler.discovery.registry import Registry, RegistryError, Site
from crawler.discovery.sitemaps import SitemapError, parse_sitemap
from crawler.discovery.urls import same_site, url_identity_key
from crawler.items import DiscoveryHints, FetchedPage
from crawler.spiders.failures import failure_reason

logger = logging.getLogger(__name__)

# Conditional hub requests (crawler.middlewares.conditional) let 304 through: nothing new there.
NOT_MODIFIED = 304


class SpiderArgumentError(ConfigError):
    """A spider argument cannot be used."""


# Spider arguments: which sites, and how far back. Arguments starting with "_" belong to
# the runner (scrapyd's _job, _version) and are left alone.
SPIDER_ARGUMENTS = ("site", "since")


def parse_since(since: str | None, now: datetime | None = None) -> datetime | None:
    """``-a since=6h`` (or a date): the oldest entries wanted; raises SpiderArgumentError."""
    if since is None:
        return None
    try:
        return parse_duration_or_date(since, now or datetime.now(UTC))
    except ValueError as exc:
        raise SpiderArgumentError(f"-a since: {exc}") from exc


def check_spider_arguments(registry: Registry, arguments: Mapping[str, Any]) -> None:
    """Refuse an unknown argument, an unknown site or a bad ``since``, before the crawl."""
    for name in arguments:
        if name not in SPIDER_ARGUMENTS and not name.startswith("_"):
            raise SpiderArgumentError(
                f"unknown spider argument -a {name}= (news takes: "
                f"{', '.join(f'-a {a}=' for a in SPIDER_ARGUMENTS)})"
            )
    try:
        registry.select(arguments.get("site"))
    except RegistryError as exc:
        raise SpiderArgumentError(f"-a site: {exc} (registry {registry.source})") from exc
    parse_since(arguments.get("since"))


@dataclass
class _SiteState:
    """Per-site discovery bookkeeping for one run."""

    site: Site
    cutoff: datetime | None
    hub_pages: int = 0
    article_keys: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class DiscoveryLimits:
    """How far discovery goes (``NEWS_MAX_*``)."""

    max_hub_pages: int
    max_child_sitemaps: int
    max_entries: int

    @classmethod
    def from_config(cls, config: NewsConfig) -> DiscoveryLimits:
        return cls(config.max_hub_pages, config.max_child_sitemaps, config.max_entries)


class NewsSpider(Spider):
    name = "news"

    def __init__(
        self, site: str | None = None, since: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site_selection = site
        self.since = parse_since(since)
        self.limits = DiscoveryLimits.from_config(NewsConfig())
        self._states: dict[str, _SiteState] = {}

    def use_sites(self, sites: Iterable[Site], limits: DiscoveryLimits) -> None:
        """Crawl these sites, within these limits (``start()`` does it from the registry)."""
        now = datetime.now(UTC)
        self.limits = limits
        self._states = {s.name: _SiteState(s, _cutoff(s, self.since, now)) for s in sites}

    async def start(self) -> AsyncIterator[Request]:
        self._prepare()
        for request in self.hub_requests():
            yield request

    def _prepare(self) -> None:
        addon = news_addon(self.crawler)
        try:
            sites = addon.registry.select(self.site_selection)
        except RegistryError as exc:
            raise SpiderArgumentError(f"-a site: {exc}") from exc
        self.use_sites(sites, DiscoveryLimits.from_config(addon.config))

    def _site_state(self, name: str) -> _SiteState | None:
        # A distributed worker takes hubs from the shared queue and never runs start().
        if not self._states:
            self._prepare()
        state = self._states.get(name)
        if state is None:
            logger.warning("Response for site %r, which this crawl does not cover", name)
        return state

    def hub_requests(self) -> Iterator[Request]:
        """Every site's feeds, sitemaps and start pages."""
        for state in self._states.values():
            site = state.site
            logger.info(
                "Site %s: %d feeds, %d sitemaps, %d start pages, cutoff %s",
                site.name,
                len(site.feeds),
                len(site.sitemaps),
                len(site.start_urls),
                to_iso(state.cutoff) or "none",
            )
            for url in site.feeds:
                yield self._hub_request(url, site, self.parse_feed, leaf=True)
            for url in site.sitemaps:
                yield self._hub_request(url, site, self.parse_sitemap, leaf=True)
            for url in site.start_urls:
                leaf = site.follow_depth <= 1
                yield self._hub_request(url, site, self.parse_start_page, leaf=leaf, depth=1)

    def _hub_request(
        self, url: str, site: Site, callback: Any, leaf: bool, **cb_kwargs: Any
    ) -> Request:
        """A feed, sitemap or start page: polled every run, never deduplicated away.

        Only a ``leaf`` hub may be asked conditionally (a 304 when unchanged): a hub that
        leads to other hubs must be read, or a change further down would go unseen.
        """
        return Request(
            url,
            callback=callback,
            errback=self.fetch_failed,
            cb_kwargs={"site_name": site.name, **cb_kwargs},
            dont_filter=True,
            priority=10,
            meta={"news_site": site.name, "news_role": "hub", "news_conditional": leaf},
        )

    # --- feeds and sitemaps ---------------------------------------------------------

    def parse_feed(self, response: Response, site_name: str) -> Iterator[Request]:
        if response.status == NOT_MODIFIED:
            return
        state = self._site_state(site_name)
        if state is None:
            return
        try:
            entries = parse_feed(response.body, response.url, max_entries=self.limits.max_entries)
        except FeedError as exc:
            logger.warning("Feed %s of site %s is unusable: %s", response.url, site_name, exc)
            self._inc("news/discovery/bad_feed")
            return
        self._inc("news/discovery/feed_entries", len(entries))
        if len(entries) >= self.limits.max_entries:
            self._inc("news/discovery/entries_capped")
        for entry in entries:
            hints = DiscoveryHints(
                via="feed",
                source_url=response.url,
                title=entry.title,
                date_published=announced_iso(entry.published),
                date_modified=announced_iso(entry.modified),
            )
            yield from self._article_request(
                state, entry.url, hints, entry.published or entry.modified, from_listing=True
            )

    def parse_sitemap(
        self, response: Response, site_name: str, level: int = 0
    ) -> Iterator[Request]:
        if response.status == NOT_MODIFIED:
            return
        state = self._site_state(site_name)
        if state is None:
            return
        try:
            sitemap = parse_sitemap(
                response.body, response.url, max_entries=self.limits.max_entries
            )
        except SitemapError as exc:
            logger.warning("Sitemap %s of site %s is unusable: %s", response.url, site_name, exc)
            self._inc("news/discovery/bad_sitemap")
            return
        if sitemap.kind == "index":
            if level >= 1:
                logger.info(
                    "Sitemap index %s is nested in another index: not followed", response.url
                )
                return
            children = [
                e
                for e in sitemap.entries
                if same_site(e.url, state.site.domains) and not _older(e.lastmod, state.cutoff)
            ]
            # Newest first, so the cap keeps the sitemaps most likely to hold fresh news.
            children.sort(key=lambda e: _sort_time(e.lastmod), reverse=True)
            if len(children) > self.limits.max_child_sitemaps:
                logger.info(
                    "Sitemap index %s: following the newest %d of %d child sitemaps",
                    response.url,
                    self.limits.max_child_sitemaps,
                    len(children),
                )
            for entry in children[: self.limits.max_child_sitemaps]:
                yield self._hub_request(
                    entry.url, state.site, self.parse_sitemap, leaf=True, level=level + 1
                )
            return
        self._inc("news/discovery/sitemap_entries", len(sitemap.entries))
        if len(sitemap.entries) >= self.limits.max_entries:
            self._inc("news/discovery/entries_capped")
        for entry in sitemap.entries:
            is_news = entry.news_published is not None or entry.news_title is not None
            hints = DiscoveryHints(
                via="sitemap",
                source_url=response.url,
                title=entry.news_title,
                date_published=announced_iso(entry.news_published),
                date_modified=announced_iso(entry.lastmod),
            )
            yield from self._article_request(
                state,
                entry.url,
                hints,
                entry.news_published or entry.lastmod,
                from_listing=is_news,
            )

    # --- start pages ------------------------------------------------------------------

    def parse_start_page(self, response: Response, site_name: str, depth: int) -> Iterator[Request]:
        if response.status == NOT_MODIFIED:
            return
        if not isinstance(response, HtmlResponse):
            # A hub link may point at a feed, an image or a PDF: nothing to follow there.
            self._inc("news/discovery/not_html_hub")
            return
        state = self._site_state(site_name)
        if state is None:
            return
        site = state.site
        links = LinkExtractor(allow_domains=site.domains, unique=True).extract_links(response)
        for link in links:
            if site.is_article_url(link.url):
                hints = DiscoveryHints(via="page", source_url=response.url)
                yield from self._article_request(state, link.url, hints, None, from_listing=False)
            elif depth < site.follow_depth and state.hub_pages < self.limits.max_hub_pages:
                if any(p.search(link.url) for p in site.article_deny):
                    continue
                if site.is_article_url(link.url.split("?", 1)[0]):
                    # An article with extra parameters (?replytocom=, ?page=2): not a hub.
                    continue
                state.hub_pages += 1
                leaf = depth + 1 >= site.follow_depth
                yield self._hub_request(
                    link.url, site, self.parse_start_page, leaf=leaf, depth=depth + 1
                )

    # --- articles ---------------------------------------------------------------------

    def _article_request(
        self,
        state: _SiteState,
        url: str,
        hints: DiscoveryHints,
        date: datetime | None,
        *,
        from_listing: bool,
    ) -> Iterable[Request]:
        """One request per article URL identity and run, within the site's age limit.

        Feed and news-sitemap entries are articles by construction; other URLs must
        match the site's article patterns. Deny patterns apply to every URL.
        """
        site = state.site
        if not same_site(url, site.domains):
            self._inc("news/discovery/offsite")
            return
        if from_listing:
            if any(p.search(url) for p in site.article_deny):
                self._inc("news/discovery/denied")
                return
        elif not site.is_article_url(url):
            self._inc("news/discovery/not_article_url")
            return
        if _older(date, state.cutoff):
            self._inc("news/discovery/too_old")
            return
        try:
            key = url_identity_key(url)
        except ValueError:
            self._inc("news/discovery/bad_url")
            return
        if key in state.article_keys:
            return
        state.article_keys.add(key)
        self._inc("news/discovery/articles")
        self._inc(f"news/site/{site.name}/discovered")
        yield Request(
            url,
            callback=self.parse_article,
            errback=self.fetch_failed,
            cb_kwargs={"site_name": site.name, "hints": hints},
            meta={"news_site": site.name, "news_role": "article"},
        )

    def parse_article(
        self, response: Response, site_name: str, hints: DiscoveryHints
    ) -> Iterator[FetchedPage]:
        content_type = response.headers.get(b"Content-Type")
        archived = response.meta.get("news_warc") or {}
        yield FetchedPage(
            url=response.url,
            site=site_name,
            body=response.body,
            fetched_at=to_iso(datetime.now(UTC).replace(microsecond=0)) or "",
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            hints=hints,
            warc_file=archived.get("file"),
            warc_record_id=archived.get("id"),
        )

    def fetch_failed(self, failure: Failure) -> Failure | None:
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        if reason is None:
            return None
        self._inc(f"news/fetch/{reason}")
        self._inc(f"news/site/{request.meta.get('news_site')}/fetch_failed/{reason}")
        if isinstance(failure.value, HttpError):
            # HttpErrorMiddleware logs it in one line and keeps Scrapy's own counts.
            return failure
        logger.info("Fetch failed (%s): %s", reason, request.url)
        return None

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)


def _cutoff(site: Site, since: datetime | None, now: datetime) -> datetime | None:
    """The oldest publication time still wanted: the later of max age and ``since``."""
    limits = []
    if site.max_age_days is not None:
        limits.append(now - timedelta(days=site.max_age_days))
    if since is not None:
        limits.append(since if since.tzinfo else since.replace(tzinfo=UTC))
    return max(limits) if limits else None


def _older(date: datetime | None, cutoff: datetime | None) -> bool:
    if date is None or cutoff is None:
        return False
    return _sort_time(date) < cutoff


def _sort_time(date: datetime | None) -> datetime:
    if date is None:
        return datetime.min.replace(tzinfo=UTC)
    return date if date.tzinfo else date.replace(tzinfo=UTC)
