"""``scrapy addsite URL [NAME]``: propose a registry entry for a news site from its home page.

The command runs a small crawl of its own (:class:`AddSiteSpider`), with the project's
user agent, robots.txt rules, retries and politeness (robots.txt ``Crawl-delay``,
``Retry-After``), but none of the news crawl's state, outputs or registry: it reads the
home page and robots.txt, the feeds and sitemaps they lead to, a few hub pages, and test-
cleans up to 10 articles (:mod:`crawler.onboarding` decides what to fetch and what it
means). It prints a short report and the ``[sites.NAME]`` block, all valid TOML.

The registry is written only with ``--write [REGISTRY]`` (default: ``NEWS_REGISTRY``):
the block is appended only if the whole file still loads and has no site of that name.

Exit codes: 0 done; 1 the site cannot be onboarded (the home page does not answer,
robots.txt refuses it, no feed or sitemap); 2 a bad argument or setting, or a registry
that refuses the block. Each failure is one line on stderr.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from crawler.config import ConfigError, NewsConfig
from crawler.discovery.registry import (
    DEFAULT_REGISTRY_NAME,
    Registry,
    RegistryError,
    load_registry,
)
from crawler.discovery.urls import is_web_url
from crawler.middlewares.politeness import PolitenessMiddleware
from crawler.onboarding.block import append_to_registry, check_name, render_block
from crawler.onboarding.model import ROBOTS_REFUSED, Fetch, Limits, OnboardingError, Page
from crawler.onboarding.proposal import propose
from crawler.onboarding.session import Onboarding
from crawler.onboarding.summary import report_lines
from crawler.operations.exitcodes import ExitCode
from crawler.spiders.failures import failure_reason

if TYPE_CHECKING:
    import argparse
    from collections.abc import AsyncIterator, Iterator

# What the onboarding crawl keeps of the project's components: politeness, robots.txt (the
# project's replacement of Scrapy's middleware) and quiet logs.
# Nothing that reads the registry, opens the state store or writes a run directory.
_KEPT = frozenset(
    {
        "crawler.extensions.throttle.FloorAwareAutoThrottle",
        "crawler.extensions.logfilters.QuietExpectedErrors",
        "crawler.middlewares.boundary.RedirectLoopMiddleware",
        "crawler.middlewares.robots.SharedRobotsTxtMiddleware",
    }
)
_POLITENESS = "crawler.middlewares.politeness.PolitenessMiddleware"
_COMPONENTS = (
    "ADDONS",
    "ITEM_PIPELINES",
    "EXTENSIONS",
    "DOWNLOADER_MIDDLEWARES",
    "SPIDER_MIDDLEWARES",
)


class OnboardingPoliteness(PolitenessMiddleware):
    """The crawler's politeness floors (Crawl-delay, Retry-After), without a registry."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = NewsConfig.from_settings(crawler.settings)
        middleware = cls(crawler, {}, config.max_crawl_delay, config.max_retry_after)
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware


class AddSiteSpider(Spider):
    """Fetches what an :class:`Onboarding` session asks for, and hands back the answers."""

    name = "addsite"

    def __init__(self, session: Onboarding, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        for name in _COMPONENTS:
            project = settings.getdict(name)
            components = {k: (v if _path(k) in _KEPT else None) for k, v in project.items()}
            if name == "DOWNLOADER_MIDDLEWARES":
                # Where the project has the crawler's own (after RetryMiddleware).
                components[_path(OnboardingPoliteness)] = project.get(_POLITENESS, 560)
            settings.set(name, components, priority="spider")

    async def start(self) -> AsyncIterator[Request]:
        for fetch in self.session.start():
            yield self._request(fetch)

    def _request(self, fetch: Fetch) -> Request:
        return Request(
            fetch.url,
            callback=self._received,
            errback=self._failed,
            cb_kwargs={"fetch": fetch},
            dont_filter=True,
        )

    def _received(self, response: Response, fetch: Fetch) -> Iterator[Request]:
        content_type = response.headers.get(b"Content-Type")
        page = Page(
            url=response.url,
            status=response.status,
            body=response.body,
            content_type=content_type.decode("latin-1") if content_type else None,
        )
        for more in self.session.received(fetch, page):
            yield self._request(more)

    def _failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        fetch: Fetch = request.cb_kwargs["fetch"]
        error = failure.value
        if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
            reason = ROBOTS_REFUSED
        else:
            reason = failure_reason(failure) or str(error) or type(error).__name__
        for more in self.session.failed(fetch, reason):
            yield self._request(more)


class Command(ScrapyCommand):
    requires_project = True
    # The report and the block are the output: Scrapy's own INFO lines would bury them.
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] URL [NAME]"

    def short_desc(self) -> str:
        return "Propose a registry entry for a news site, from its home page"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--write",
            nargs="?",
            const="",
            default=None,
            metavar="REGISTRY",
            help="append the block to this registry file (default: NEWS_REGISTRY), "
            "if the whole file still loads; give it after URL and NAME",
        )
        parser.add_argument(
            "--articles",
            type=int,
            default=Limits.max_articles,
            metavar="N",
            help=f"articles to test-clean (default: {Limits.max_articles})",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not 1 <= len(args) <= 2:
            raise UsageError("expected a home page URL and optionally a site name")
        assert self.settings is not None and self.crawler_process is not None
        url = args[0]
        name = args[1] if len(args) == 2 else default_name(url)
        try:
            config = NewsConfig.from_settings(self.settings)
            _check_url(url)
            if opts.articles < 1:
                raise ConfigError(
                    f"--articles: expected a whole number from 1 (got {opts.articles})"
                )
            check_name(name)
            registry = _registry_path(opts.write, config) if opts.write is not None else None
            if registry is not None and registry.exists():
                _check_registry(registry, name)
        except (ConfigError, RegistryError) as exc:
            _fail(ExitCode.BAD_CONFIG, str(exc))
        session = Onboarding(
            url,
            Limits(max_articles=opts.articles),
            min_words=config.min_words,
            short_words=config.short_words,
        )
        crawler = self.crawler_process.create_crawler(AddSiteSpider)
        self.crawler_process.crawl(crawler, session=session)
        self.crawler_process.start()
        try:
            findings = session.result()
        except OnboardingError as exc:
            _fail(ExitCode.UNHEALTHY, str(exc))
        proposal = propose(name, findings)
        when = datetime.now(UTC).strftime("%Y-%m-%d")
        block = render_block(proposal, f"Proposed by scrapy addsite {url} on {when}")
        report = report_lines(
            findings, proposal, min_words=config.min_words, drop_flags=config.drop_flags
        )
        sys.stdout.write("\n".join(report) + "\n\n" + block)
        sys.stdout.flush()
        if registry is None:
            return
        try:
            written = append_to_registry(registry, block, name)
        except RegistryError as exc:
            _fail(ExitCode.BAD_CONFIG, str(exc))
        state = "new registry" if written.created else "registry"
        sys.stdout.write(
            f"# Added site {name!r} to {state} {written.path} "
            f"({len(written.registry)} sites, validated)\n"
        )


def default_name(url: str) -> str:
    """A site name from the host: ``https://www.harborherald.com/`` -> ``harborherald``."""
    host = (urlsplit(url).hostname or "site").lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) > 1:
        labels = labels[:-1]  # the top-level domain
    if len(labels) > 1 and labels[-1] in ("co", "com", "org", "net", "ac", "gov", "edu"):
        labels = labels[:-1]  # .co.uk, .com.au
    return "-".join(labels)[:63].strip("-") or "site"


def _check_url(url: str) -> None:
    if not is_web_url(url):
        raise ConfigError(f"URL {url!r}: expected the site's home page as an absolute http(s) URL")


def _registry_path(value: str, config: NewsConfig) -> Path:
    """``--write REGISTRY``, else the registry NEWS_REGISTRY names (or the bundled one)."""
    if value.startswith(("http://", "https://")):
        raise ConfigError(f"--write takes a registry file, not a URL ({value}): give it last")
    if value:
        return Path(value)
    if isinstance(config.registry, Registry):
        return Path(config.registry.source)
    if config.registry is not None:
        return config.registry
    return Path(str(resources.files("crawler").joinpath(DEFAULT_REGISTRY_NAME)))


def _check_registry(path: Path, name: str) -> None:
    """Before any fetch: the registry to write loads, and has no site of that name."""
    if name in load_registry(path):
        raise RegistryError(f"{path}: already has a site named {name!r}; choose another NAME")


def _path(component: Any) -> str:
    if isinstance(component, str):
        return component
    return f"{component.__module__}.{component.__qualname__}"


def _fail(code: ExitCode, message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(int(code))
