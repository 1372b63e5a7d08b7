"""The onboarding library on its own: patterns from samples, page reading, a whole session
driven over the fixture files (no server, no Scrapy), the block and the registry write."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from crawler.config.news import NewsConfig
from crawler.discovery.registry import RegistryError, load_registry
from crawler.onboarding.block import append_to_registry, check_name, render_block
from crawler.onboarding.model import ROBOTS, ROBOTS_REFUSED, Fetch, OnboardingError, Page
from crawler.onboarding.pages import read_page, robots_sitemaps
from crawler.onboarding.patterns import propose_patterns
from crawler.onboarding.phrases import RepeatedLine, repeated_lines
from crawler.onboarding.proposal import max_age, propose
from crawler.onboarding.session import Onboarding
from crawler.onboarding.summary import coverage, report_lines
from fixtures.server import REGISTRY, FixtureServer

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
# The crawl's defaults: the session flags articles as a crawl with no -s options would.
MIN_WORDS, SHORT_WORDS = NewsConfig().min_words, NewsConfig().short_words
FIXTURE_SITES = {
    "harborherald.test": "harbor-herald",
    "meridiantimes.test": "meridian-times",
    "valleyledger.test": "valley-ledger",
    "pacificwire.test": "pacific-wire",
}


# --- patterns ---------------------------------------------------------------------------


def matches(pattern: str, url: str) -> bool:
    return re.search(pattern, url) is not None


def test_dated_slugs_become_one_pattern_anchored_on_the_path():
    samples = [
        "http://h.test/2026/11/12/sewer-overflow-sensor-pilot/",
        "http://h.test/2026/11/13/harborview-elementary-reopens/?utm_source=rss",
        "http://h.test/2015/01/02/lights/",
    ]
    proposal = propose_patterns(samples, hubs=["http://h.test/category/world/"])
    assert proposal.allow == [r"^https?://[^/]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$"]
    assert proposal.unmatched == [] and proposal.matched_hubs == []
    # Next year's articles, and one with a number in its slug, still match.
    assert matches(proposal.allow[0], "https://h.test/2027/01/05/storm-2-hits-coast/")
    assert not matches(proposal.allow[0], "http://h.test/tag/2026/11/12/x/")


def test_numbers_prefixes_extensions_and_numeric_suffixes():
    stories = propose_patterns(
        ["http://p.test/stories/4402.html", "http://p.test/stories/1187.html"]
    )
    assert stories.allow == [r"^https?://[^/]+/stories/\d{4}\.html$"]
    ids = propose_patterns(
        ["http://y.test/view/AEN2026112100031", "http://y.test/view/AEN2026112000215"]
    )
    assert ids.allow == [r"^https?://[^/]+/view/AEN\d{13}$"]
    suffixed = propose_patterns(
        ["http://a.test/news/big-story-123456", "http://a.test/news/other-98765"]
    )
    assert suffixed.allow == [r"^https?://[^/]+/news/[a-z0-9-]+-\d{5,}$"]


def test_a_hub_of_the_same_shape_makes_the_pattern_specific():
    samples = ["http://s.test/world-cup-final-result", "http://s.test/big-news-from-the-port"]
    hubs = ["http://s.test/world", "http://s.test/sport-news"]
    proposal = propose_patterns(samples, hubs)
    (pattern,) = proposal.allow
    assert proposal.matched_hubs == []
    assert all(matches(pattern, s) for s in samples)
    assert matches(pattern, "http://s.test/council-votes-on-budget")


def test_sections_are_listed_when_nothing_else_separates_them_from_hubs():
    samples = [f"http://s.test/{section}/{n}" for section in ("world", "sport") for n in range(3)]
    hubs = ["http://s.test/page/2", "http://s.test/tag/5"]
    proposal = propose_patterns(samples, hubs)
    assert proposal.allow == [r"^https?://[^/]+/(?:sport|world)/\d{1}$"]
    assert proposal.matched_hubs == []


def test_amp_and_tracking_variants_are_one_sample_and_odd_ones_out_are_reported():
    samples = [
        "http://m.test/science/2026/11/17/water-vapor/",
        "http://m.test/science/2026/11/17/water-vapor/amp/",
        "http://m.test/world/2026/11/20/aid-convoys/",
        "http://m.test/events/summit",
    ]
    proposal = propose_patterns(samples)
    assert proposal.samples == 3
    assert proposal.allow == [r"^https?://[^/]+/[a-z0-9-]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$"]
    assert proposal.unmatched == ["http://m.test/events/summit"]


def test_deny_patterns_only_for_paths_the_site_links_to_and_no_sample_has():
    samples = ["http://v.test/video/2026/clip-one", "http://v.test/video/2026/clip-two"]
    links = ["http://v.test/tag/storm/", "http://v.test/video/", "http://v.test/author/x/"]
    proposal = propose_patterns(samples, links=links)
    assert proposal.deny == ["/tag/", "/author/"]  # /video/ is where its articles live


def test_max_age_is_twice_the_median_age_and_at_least_three_days():
    days = [datetime(2026, 11, d, tzinfo=UTC) for d in (14, 16, 18, 20)]
    assert max_age([*days, datetime(2015, 1, 1, tzinfo=UTC)], NOW) == (37, pytest.approx(18.5))
    assert max_age([NOW], NOW)[0] == 3
    assert max_age([None], NOW) == (3, None)


# --- pages ------------------------------------------------------------------------------


def test_page_links_feeds_and_navigation():
    body = b"""<html lang="en-GB"><head>
    <link rel="alternate" type="application/rss+xml" href="/rss.xml">
    <link rel="alternate" hreflang="fr" href="/fr/"></head><body>
    <nav><a href="/world/">World</a></nav>
    <header><a href="/">Home</a></header>
    <main><article><header><a href="/2026/11/12/story/">Story</a></header></article></main>
    <footer><a href="/feeds/atom">Atom</a> <a href="mailto:x@y.z">mail</a></footer>
    </body></html>"""
    page = read_page(body, "https://s.test/index.html")
    assert page.language == "en-GB"
    assert page.feeds == ["https://s.test/rss.xml"]
    assert page.feed_links == ["https://s.test/feeds/atom"]
    nav = {link.url: link.in_nav for link in page.links}
    assert nav == {
        "https://s.test/world/": True,
        "https://s.test/": True,
        "https://s.test/2026/11/12/story/": False,
        "https://s.test/feeds/atom": True,
    }
    assert read_page(b"", "https://s.test/").links == []


def test_robots_sitemaps():
    body = b"User-agent: *\nDisallow: /x\n\nSitemap: https://s.test/a.xml\nsitemap: https://s.test/b.xml\n"
    assert robots_sitemaps(body) == ["https://s.test/a.xml", "https://s.test/b.xml"]


# --- a whole session, driven over the fixture files ------------------------------------


class DiskFetcher:
    """Answers fetches from the fixture files, obeying robots.txt as a crawler would."""

    def __init__(self, overlays: tuple[Path, ...] = ()) -> None:
        self.server = FixtureServer(overlays=overlays)  # only its file lookup: never started
        self.fetched: list[str] = []

    def answer(self, session: Onboarding, fetch: Fetch) -> list[Fetch]:
        self.fetched.append(fetch.url)
        parts = urlsplit(fetch.url)
        robots = RobotFileParser()
        robots_file = self.server.resolve(parts.netloc, "/robots.txt")
        robots.parse(robots_file.read_text().splitlines() if robots_file else [])
        if fetch.kind != ROBOTS and not robots.can_fetch("newscrawler", fetch.url):
            return session.failed(fetch, ROBOTS_REFUSED)
        path = self.server.resolve(parts.netloc, parts.path or "/")
        if path is None:
            return session.failed(fetch, "http_404")
        return session.received(fetch, Page(fetch.url, 200, path.read_bytes(), None))

    def run(self, session: Onboarding) -> None:
        queue = session.start()
        while queue:
            queue += self.answer(session, queue.pop(0))
        assert session.done


def onboard(host: str, overlays: tuple[Path, ...] = ()) -> tuple[Onboarding, DiskFetcher]:
    session = Onboarding(f"http://{host}/", now=NOW, min_words=MIN_WORDS, short_words=SHORT_WORDS)
    fetcher = DiskFetcher(overlays)
    fetcher.run(session)
    return session, fetcher


@pytest.mark.parametrize("host", sorted(FIXTURE_SITES))
def test_fixture_site_proposal_agrees_with_the_hand_written_entry(host):
    session, _ = onboard(host)
    findings = session.result()
    proposal = propose(FIXTURE_SITES[host], findings)
    hand = load_registry(REGISTRY)[FIXTURE_SITES[host]]
    assert proposal.domains == list(hand.domains)
    assert set(proposal.feeds) == set(hand.feeds)
    assert set(proposal.sitemaps) == set(hand.sitemaps)
    assert proposal.start_urls == [f"http://{host}/"]
    assert (proposal.article_allow, proposal.article_deny) == (
        findings.patterns.allow,
        findings.patterns.deny,
    )
    assert findings.patterns.unmatched == [] and findings.patterns.matched_hubs == []
    # The proposed patterns and the hand-written ones agree on every link the site has.
    links = {link.url for page in [findings.home, *findings.hubs.values()] for link in page.links}
    for url in links:
        assert findings.patterns.is_article_url(url) == hand.is_article_url(url), url
    assert 3 <= proposal.max_age_days < 365 and proposal.too_old == 1
    assert proposal.language == "en"
    assert proposal.follow_depth == 1 and proposal.hub_only == []
    # The one line the generic cleaner keeps under most of a site's stories, the wire's
    # "about us" tagline, is the one the hand-written entry drops by a phrase.
    phrases = [line.text for line in proposal.drop_phrases]
    assert phrases == PHRASES.get(host, [])
    assert all(any(p in line for line in phrases) for p in hand.cleaning.drop_phrases)


PHRASES = {
    "pacificwire.test": [
        "Pacific Wire is an independent news service covering the Pacific Islands and East "
        "Asia since 1998."
    ]
}


def test_lines_most_articles_share_are_the_sites_own():
    sign_off = "Thanks for reading the Lakeshore Sentinel! Come see us again."
    bodies = [
        f"Story {n} opens with its own words about the harbour, where the ferry {n} docks "
        "each morning and the fish market opens before dawn.\n\n"
        f"The harbour master said berth {n} would close for repairs next month.\n\n{sign_off}\n\n"
        "A publication of Lakeshore Media Group.\n\nNews"
        for n in range(5)
    ]
    bodies[4] = bodies[4].replace("A publication of Lakeshore Media Group.", "")
    assert repeated_lines(bodies) == [
        RepeatedLine(sign_off, 5),
        RepeatedLine("A publication of Lakeshore Media Group.", 4),
    ]  # "News" is shared too, but would cut the word out of sentences
    # In 3 of 10 articles a line is a topic's ("The inquiry continues on Monday."), and two
    # articles say nothing about a site.
    topic = [f"Story {n}.\n\nThe inquiry continues on Monday." for n in range(3)]
    assert repeated_lines(topic + [f"Story {n}." for n in range(3, 10)]) == []
    assert repeated_lines([sign_off, sign_off]) == []
    # Copies of one text (a template's placeholder pages) share all their lines.
    filler = "Lorem ipsum dolor sit amet, consectetur adipisicing elit.\n\nUt enim ad minim veniam."
    assert repeated_lines([f"Test page {n}.\n\n{filler}" for n in range(4)]) == []


def test_session_tests_ten_articles_and_replaces_those_robots_refuse():
    session, fetcher = onboard("harborherald.test")
    findings = session.result()
    cleaned = [t for t in findings.tested if t.article is not None]
    assert len(cleaned) == 10
    refused = [t.url for t in findings.tested if t.failure == ROBOTS_REFUSED]
    assert refused == ["http://harborherald.test/2026/11/16/draft-city-budget-tax-rise/"]
    # Each source is tested: the feed and the home page's own links.
    assert {t.via for t in findings.tested} == {
        "http://harborherald.test/feed.xml",
        "http://harborherald.test/",
    }
    cov = coverage(findings.tested, min_words=MIN_WORDS)
    assert cov.counts["headline"] == 10 and cov.counts["date"] == 10
    # The gallery and the brief are short articles, kept as a crawl keeps them.
    assert cov.flags == {
        "short": [
            "http://harborherald.test/2026/11/19/photos-lantern-parade-waterfront/",
            "http://harborherald.test/2026/11/19/harbor-road-lane-closure-extended/",
        ]
    }
    # Nothing is fetched twice, and hub pages stay within the limit.
    assert len(fetcher.fetched) == len(set(fetcher.fetched))


def test_a_sitemap_index_from_robots_txt_is_proposed_not_its_children():
    session, fetcher = onboard("meridiantimes.test")
    findings = session.result()
    formats = {s.url: (s.format, s.parent) for s in findings.sources}
    assert formats == {
        "http://meridiantimes.test/sitemap-index.xml": ("sitemap index", None),
        "http://meridiantimes.test/news-sitemap.xml": (
            "news sitemap",
            "http://meridiantimes.test/sitemap-index.xml",
        ),
        "http://meridiantimes.test/sitemap-sections.xml": (
            "sitemap",
            "http://meridiantimes.test/sitemap-index.xml",
        ),
    }
    # robots.txt declares the sitemap: no common path is guessed.
    assert "http://meridiantimes.test/sitemap.xml" not in fetcher.fetched


def test_common_paths_are_tried_when_nothing_is_declared():
    session, fetcher = onboard("pacificwire.test")
    # The home page links its JSON Feed in plain text ("JSON Feed"); no <link> declares it.
    assert [s.url for s in session.result().sources] == ["http://pacificwire.test/feed.json"]
    assert "http://pacificwire.test/sitemap.xml" in fetcher.fetched  # no robots Sitemap:
    assert "http://pacificwire.test/feed" in fetcher.fetched
    # Declared feeds are taken at their word: Harbor's <link rel="alternate">.
    _, harbor = onboard("harborherald.test")
    assert "http://harborherald.test/feed" not in harbor.fetched


def write_site(root: Path, host: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / host / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


HOME = (
    "<html><body>"
    + "".join(f'<a href="/news/story-{n}.html">s</a>' for n in range(3))
    + "</body></html>"
)


def test_a_site_without_feed_or_sitemap_cannot_be_onboarded(tmp_path):
    overlays = (write_site(tmp_path, "nofeed.test", {"index.html": HOME}),)
    session, fetcher = onboard("nofeed.test", overlays)
    with pytest.raises(
        OnboardingError, match=r"^no feed or sitemap found for http://nofeed\.test/"
    ):
        session.result()
    assert (
        "http://nofeed.test/feed" in fetcher.fetched
        and "http://nofeed.test/sitemap.xml" in fetcher.fetched
    )


def test_robots_txt_refusing_the_home_page_is_the_error(tmp_path):
    overlays = (
        write_site(
            tmp_path,
            "closed.test",
            {"index.html": HOME, "robots.txt": "User-agent: *\nDisallow: /\n"},
        ),
    )
    session, fetcher = onboard("closed.test", overlays)
    with pytest.raises(OnboardingError, match=r"robots\.txt of http://closed\.test/ does not"):
        session.result()
    assert fetcher.fetched == ["http://closed.test/robots.txt", "http://closed.test/"]


def test_a_home_page_that_does_not_answer_is_the_error():
    session, _ = onboard("unknown.test")
    with pytest.raises(
        OnboardingError, match=r"cannot fetch the home page http://unknown\.test/: http_404"
    ):
        session.result()


# --- the block and the registry ---------------------------------------------------------


@pytest.fixture(scope="module")
def harbor():
    session, _ = onboard("harborherald.test")
    findings = session.result()
    return findings, propose("harbor-two", findings)


def test_block_is_a_registry_with_literal_regexes(harbor):
    findings, proposal = harbor
    block = render_block(proposal, "Proposed by a test")
    assert block.startswith("# Proposed by a test\n")
    assert "article_allow = ['^https?://[^/]+/\\d{4}/\\d{2}/\\d{2}/[a-z0-9-]+/$']" in block
    site = tomllib.loads(block)["sites"]["harbor-two"]
    assert site["feeds"] == ["http://harborherald.test/feed.xml"]
    assert "follow_depth" not in site and site["language"] == "en"
    report = report_lines(findings, proposal, min_words=100, drop_flags=("too_short",))
    assert all(line.startswith("#") for line in report)
    tomllib.loads("\n".join(report) + "\n" + block)  # the whole output is TOML


def test_shared_lines_are_proposed_as_the_sites_drop_phrases(tmp_path):
    session, _ = onboard("pacificwire.test")
    findings = session.result()
    proposal = propose("wire-two", findings)
    block = render_block(proposal)
    assert "[sites.wire-two.cleaning]" in block
    registry = tmp_path / "sites.toml"
    append_to_registry(registry, block, "wire-two")
    rules = load_registry(registry)["wire-two"].cleaning
    assert rules.drop_phrases == tuple(PHRASES["pacificwire.test"])
    report = "\n".join(report_lines(findings, proposal, min_words=100))
    assert "# cleaning.drop_phrases: 1 line most of the test-cleaned articles share" in report
    assert "#   in 9/10: Pacific Wire is an independent news service" in report


def test_append_to_registry_validates_the_whole_file(harbor, tmp_path):
    _, proposal = harbor
    block = render_block(proposal)
    registry = tmp_path / "sites.toml"
    original = REGISTRY.read_text(encoding="utf-8")
    registry.write_text(original, encoding="utf-8")
    written = append_to_registry(registry, block, "harbor-two")
    assert not written.created and "harbor-two" in written.registry
    assert set(load_registry(registry)) == {*load_registry(REGISTRY), "harbor-two"}
    assert registry.read_text(encoding="utf-8").startswith(original.rstrip("\n"))
    # The name exists now: refused, file untouched.
    before = registry.read_bytes()
    with pytest.raises(RegistryError, match="already has a site named 'harbor-two'"):
        append_to_registry(registry, block, "harbor-two")
    assert registry.read_bytes() == before


def test_append_refuses_a_registry_that_does_not_load(harbor, tmp_path):
    _, proposal = harbor
    registry = tmp_path / "broken.toml"
    registry.write_text("[sites.x]\ndomains = 3\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="key 'domains'"):
        append_to_registry(registry, render_block(proposal), "harbor-two")
    assert registry.read_text(encoding="utf-8") == "[sites.x]\ndomains = 3\n"
    new = tmp_path / "new.toml"
    assert append_to_registry(new, render_block(proposal), "harbor-two").created
    assert list(load_registry(new)) == ["harbor-two"]


def test_site_names_are_checked_as_the_registry_does():
    check_name("harbor-two")
    with pytest.raises(RegistryError, match="site names are lowercase"):
        check_name("Harbor Herald")


def story(title: str) -> str:
    body = " ".join(f"Sentence {n} of the story about {title} goes on." for n in range(40))
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1><p>{body}</p></article></body></html>"
    )


def rss(*urls: str) -> str:
    items = "".join(
        f"<item><title>t</title><link>{u}</link>"
        "<pubDate>Mon, 30 Nov 2026 10:00:00 +0000</pubDate></item>"
        for u in urls
    )
    return f"<rss version='2.0'><channel><title>f</title>{items}</channel></rss>"


def test_an_article_only_a_section_lists_asks_for_follow_depth_2(tmp_path):
    base = "http://deep.test"
    files = {
        "index.html": "<html><body><nav><a href='/world/'>World</a></nav>"
        "<a href='/news/harbour-opens-early.html'>a</a>"
        "<link rel='alternate' type='application/rss+xml' href='/rss.xml'></body></html>",
        "rss.xml": rss(
            f"{base}/news/harbour-opens-early.html", f"{base}/news/ferry-fares-rise.html"
        ),
        "world/index.html": "<html><body><a href='/news/summit-ends-in-deal.html'>c</a>"
        "<a href='/news/ferry-fares-rise.html'>b</a></body></html>",
    }
    for name in ("harbour-opens-early", "ferry-fares-rise", "summit-ends-in-deal"):
        files[f"news/{name}.html"] = story(name)
    session, _ = onboard("deep.test", (write_site(tmp_path, "deep.test", files),))
    proposal = propose("deep", session.result())
    assert proposal.follow_depth == 2
    assert proposal.hub_only == [f"{base}/news/summit-ends-in-deal.html"]
    assert proposal.article_allow == [r"^https?://[^/]+/news/[a-z0-9-]+\.html$"]


def test_a_plain_sitemap_gives_samples_less_its_fronts(tmp_path):
    base = "http://plain.test"
    articles = [f"{base}/world/2026/11/30/story-{n}-of-the-day/" for n in range(4)]
    fronts = [f"{base}/world/", f"{base}/sport/"]
    urlset = "".join(f"<url><loc>{u}</loc></url>" for u in [*fronts, *articles])
    files = {
        "robots.txt": f"User-agent: *\nSitemap: {base}/sitemap.xml\n",
        "sitemap.xml": f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urlset}</urlset>",
        "index.html": "<html><body><nav><a href='/world/'>W</a><a href='/sport/'>S</a></nav>"
        + "".join(f"<a href='{u}'>x</a>" for u in articles)
        + "</body></html>",
    }
    session, _ = onboard("plain.test", (write_site(tmp_path, "plain.test", files),))
    findings = session.result()
    assert [s.format for s in findings.sources] == ["sitemap"]
    assert findings.patterns.allow == [r"^https?://[^/]+/world/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$"]
    assert findings.patterns.matched_hubs == []
    assert propose("plain", findings).sitemaps == [f"{base}/sitemap.xml"]


def test_a_feed_on_another_host_joins_the_domains(tmp_path):
    feed_host = tmp_path / "feeds"
    write_site(
        feed_host,
        "feeds.example.test",
        {
            "news.xml": rss(
                "http://other.test/a/story-one.html", "http://other.test/a/story-two.html"
            )
        },
    )
    home = (
        "<html><body><link rel='alternate' type='application/rss+xml' "
        "href='http://feeds.example.test/news.xml'><a href='/a/story-one.html'>1</a></body></html>"
    )
    write_site(tmp_path / "site", "www.other.test", {"index.html": home})
    write_site(
        tmp_path / "site",
        "other.test",
        {"a/story-one.html": story("one"), "a/story-two.html": story("two")},
    )
    session = Onboarding(
        "http://www.other.test/", now=NOW, min_words=MIN_WORDS, short_words=SHORT_WORDS
    )
    DiskFetcher((feed_host, tmp_path / "site")).run(session)
    proposal = propose("other", session.result())
    assert proposal.domains == ["other.test", "feeds.example.test"]
    assert proposal.feeds == ["http://feeds.example.test/news.xml"]
    render_block(proposal)  # the registry accepts it: the feed is within the domains
