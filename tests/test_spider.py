"""Discovery logic of the news spider, on synthetic responses (no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawler.addon import news_addon
from crawler.discovery.registry import load_registry
from crawler.items import DiscoveryHints, FetchedPage
from crawler.spiders.news import (
    DiscoveryLimits,
    NewsSpider,
    SpiderArgumentError,
    check_spider_arguments,
)
from tests.crawlers import news_crawler

REGISTRY = """
[sites.news]
domains = ["news.test"]
feeds = ["http://news.test/feed.xml"]
sitemaps = ["http://news.test/sitemap.xml"]
start_urls = ["http://news.test/"]
article_allow = ['/\\d{4}/\\d{2}/\\d{2}/[a-z-]+$']
article_deny = ['/video/']
follow_depth = 2
max_age_days = 30

[sites.other]
domains = ["other.test"]
feeds = ["http://other.test/feed.xml"]
"""

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
<item><title>Fresh story</title><link>http://news.test/2026/11/20/fresh</link>
<pubDate>{fresh}</pubDate></item>
<item><title>Old story</title><link>http://news.test/2015/01/01/old</link>
<pubDate>Thu, 01 Jan 2015 10:00:00 GMT</pubDate></item>
<item><title>Video</title><link>http://news.test/video/2026/11/20/clip</link></item>
<item><title>Offsite</title><link>http://elsewhere.test/2026/11/20/x</link></item>
<item><title>Same story, tracked</title>
<link>http://news.test/2026/11/20/fresh?utm_source=rss</link></item>
</channel></rss>"""


def make_spider(tmp_path: Path, **kwargs: str) -> NewsSpider:
    """A spider set up for its sites, as ``start()`` sets it up before yielding hubs."""
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = news_crawler(tmp_path, NEWS_REGISTRY=str(registry))
    spider = NewsSpider.from_crawler(crawler, **kwargs)
    addon = news_addon(crawler)
    spider.use_sites(
        addon.registry.select(spider.site_selection), DiscoveryLimits.from_config(addon.config)
    )
    return spider


def response(
    url: str, body: str, cls: type[TextResponse] = TextResponse, **meta: object
) -> TextResponse:
    return cls(url=url, body=body.encode(), encoding="utf-8", request=Request(url, meta=meta))


def urls(requests):
    return [r.url for r in requests]


def fresh_date() -> str:
    return format_datetime(datetime.now(UTC) - timedelta(days=1))


async def collect(spider: NewsSpider) -> list[Request]:
    return [r async for r in spider.start()]


def test_start_yields_every_hub_of_selected_sites(tmp_path):
    spider = make_spider(tmp_path, site="news")
    requests = asyncio.run(collect(spider))
    assert urls(requests) == [
        "http://news.test/feed.xml",
        "http://news.test/sitemap.xml",
        "http://news.test/",
    ]
    assert all(r.dont_filter for r in requests)


def test_feed_filters_age_deny_offsite_and_repeats(tmp_path):
    spider = make_spider(tmp_path)
    feed = response("http://news.test/feed.xml", RSS.format(fresh=fresh_date()))
    requests = list(spider.parse_feed(feed, site_name="news"))
    assert urls(requests) == ["http://news.test/2026/11/20/fresh"]
    hints = requests[0].cb_kwargs["hints"]
    assert hints.via == "feed" and hints.title == "Fresh story" and hints.date_published
    stats = spider.crawler.stats
    assert stats.get_value("news/discovery/too_old") == 1
    assert stats.get_value("news/discovery/denied") == 1
    assert stats.get_value("news/discovery/offsite") == 1


def test_since_argument_tightens_the_cutoff(tmp_path):
    spider = make_spider(tmp_path, since="1h")
    feed = response("http://news.test/feed.xml", RSS.format(fresh=fresh_date()))
    # Only the undated entry is left: nothing tells it is old before downloading it.
    assert urls(spider.parse_feed(feed, site_name="news")) == [
        "http://news.test/2026/11/20/fresh?utm_source=rss"
    ]


def test_broken_feed_is_counted_not_raised(tmp_path):
    spider = make_spider(tmp_path)
    bad = response("http://news.test/feed.xml", "this is not a feed at all")
    assert list(spider.parse_feed(bad, site_name="news")) == []
    assert spider.crawler.stats.get_value("news/discovery/bad_feed") == 1


def test_sitemap_index_then_news_urlset(tmp_path):
    spider = make_spider(tmp_path)
    index = response(
        "http://news.test/sitemap.xml",
        """<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>http://news.test/news.xml</loc></sitemap>
        <sitemap><loc>http://elsewhere.test/x.xml</loc></sitemap></sitemapindex>""",
    )
    children = list(spider.parse_sitemap(index, site_name="news"))
    assert urls(children) == ["http://news.test/news.xml"]
    urlset = response(
        "http://news.test/news.xml",
        f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
        <url><loc>http://news.test/2026/11/21/story</loc><news:news>
        <news:publication_date>{fresh_date_iso()}</news:publication_date>
        <news:title>Story</news:title></news:news></url>
        <url><loc>http://news.test/about</loc></url></urlset>""",
    )
    articles = list(spider.parse_sitemap(urlset, site_name="news", level=1))
    assert urls(articles) == ["http://news.test/2026/11/21/story"]
    assert articles[0].cb_kwargs["hints"].title == "Story"


def fresh_date_iso() -> str:
    return (datetime.now(UTC) - timedelta(hours=5)).isoformat()


def test_a_sitemap_s_day_is_announced_as_a_day(tmp_path):
    spider = make_spider(tmp_path)
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    urlset = response(
        "http://news.test/news.xml",
        f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
        <url><loc>http://news.test/2026/11/21/story</loc><lastmod>{day}</lastmod><news:news>
        <news:publication_date>{fresh_date_iso()}</news:publication_date>
        <news:title>Story</news:title></news:news></url></urlset>""",
    )
    (article,) = spider.parse_sitemap(urlset, site_name="news", level=1)
    hints = article.cb_kwargs["hints"]
    assert hints.date_modified == day  # not f"{day}T00:00:00": no time was given
    assert "T" in hints.date_published


def test_start_page_articles_and_hubs(tmp_path):
    spider = make_spider(tmp_path)
    page = response(
        "http://news.test/",
        """<html><body>
        <a href="/2026/11/20/lead-story">Lead</a>
        <a href="/world/">World</a>
        <a href="/video/2026/11/20/clip">Clip</a>
        <a href="http://elsewhere.test/2026/11/20/other">Elsewhere</a>
        </body></html>""",
        HtmlResponse,
    )
    requests = list(spider.parse_start_page(page, site_name="news", depth=1))
    by_callback = {(r.url, getattr(r.callback, "__name__", None)) for r in requests}
    assert by_callback == {
        ("http://news.test/2026/11/20/lead-story", "parse_article"),
        ("http://news.test/world/", "parse_start_page"),
    }
    deeper = list(spider.parse_start_page(page, site_name="news", depth=2))
    assert urls(deeper) == [], "the same article is requested once per run; no hubs past depth"


def test_parse_article_yields_fetched_page_only(tmp_path):
    spider = make_spider(tmp_path)
    page = response(
        "http://news.test/2026/11/20/fresh", "<html><body>x</body></html>", HtmlResponse
    )
    page.headers[b"Content-Type"] = b"text/html; charset=utf-8"
    (item,) = spider.parse_article(page, site_name="news", hints=DiscoveryHints(via="feed"))
    assert isinstance(item, FetchedPage)
    assert item.site == "news" and item.body.startswith(b"<html>")
    assert item.content_type == "text/html; charset=utf-8"
    assert item.hints.via == "feed"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"site": "missing"}, "unknown site 'missing'"),
        ({"since": "soon"}, "-a since"),
        ({"sites": "news"}, "unknown spider argument -a sites="),
    ],
)
def test_bad_arguments_raise_clear_errors(tmp_path, bad, message):
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    with pytest.raises(SpiderArgumentError, match=message):
        check_spider_arguments(load_registry(registry), bad)
    check_spider_arguments(load_registry(registry), {"site": "news", "_job": "scrapyd"})


def test_a_bad_since_stops_the_spider_at_construction():
    with pytest.raises(SpiderArgumentError, match="-a since"):
        NewsSpider(since="soon")
