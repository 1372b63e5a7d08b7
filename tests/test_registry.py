from pathlib import Path

import pytest

from crawler.discovery.registry import FieldRule, RegistryError, load_registry, select_sites
from fixtures.server import REGISTRY as FIXTURE_REGISTRY

GOOD = """
[sites.demo]
domains = ["example.com"]
feeds = ["https://example.com/rss"]
article_allow = ['/\\d{4}/']
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_registries_load():
    real = load_registry()
    assert {"upi", "yonhap-en", "albawaba", "bbc-news", "guardian", "npr", "aljazeera"} <= set(real)
    fixtures = load_registry(FIXTURE_REGISTRY)
    assert len(fixtures) >= 4
    intl = load_registry(FIXTURE_REGISTRY.with_name("registry-intl.toml"))
    assert set(intl) == {"rheinblick", "courrier-du-lac"}
    assert intl["rheinblick"].languages == ("de",)


def test_good_site_fields(tmp_path):
    site = load_registry(write(tmp_path, GOOD))["demo"]
    assert site.domains == ("example.com",)
    assert site.follow_depth == 1
    assert site.max_age_days is None
    assert site.is_article_url("https://example.com/2026/x")
    assert not site.is_article_url("https://example.com/about")


def test_patterns_ignore_tracking_parameters(tmp_path):
    site = load_registry(write(tmp_path, GOOD.replace("/\\d{4}/", "/\\d{4}/x$")))["demo"]
    assert site.is_article_url("https://example.com/2026/x?utm_source=rss&fbclid=abc")
    assert not site.is_article_url("https://example.com/2026/x?page=2")


def test_deny_beats_allow(tmp_path):
    text = GOOD + "article_deny = ['/video/']\n"
    site = load_registry(write(tmp_path, text))["demo"]
    assert not site.is_article_url("https://example.com/2026/video/x")


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("max_age_days = -1", ["'demo'", "'max_age_days'", "-1"]),
        ("follow_depth = 9", ["'follow_depth'", "9"]),
        ("follow_depth = true", ["'follow_depth'", "True"]),
        ("article_deny = ['(unclosed']", ["'article_deny'", "'(unclosed'"]),
        ("language = 'English'", ["'language'", "'English'"]),
        ("sitemaps = ['ftp://example.com/x']", ["'sitemaps'", "ftp://example.com/x"]),
        ("start_urls = ['https://other.org/']", ["'start_urls'", "outside"]),
        ("feed = ['https://example.com/x']", ["unknown key 'feed'"]),
        ("sitemaps = 'https://example.com/s.xml'", ["'sitemaps'", "list"]),
        ("languages = ['en', 'German']", ["'languages'", "'German'"]),
        ("languages = []", ["'languages'", "at least one"]),
        ("languages = 'en'", ["'languages'", "list"]),
    ],
)
def test_bad_values_are_named(tmp_path, snippet, expected):
    path = write(tmp_path, GOOD + snippet + "\n")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert str(path) in message
    for part in expected:
        assert part in message


def test_bad_selector_is_named(tmp_path):
    path = write(tmp_path, GOOD + "[sites.demo.cleaning]\nremove_selectors = ['div[[']\n")
    with pytest.raises(RegistryError, match=r"'remove_selectors'.*div\[\["):
        load_registry(path)


def test_extraction_rules_and_languages_are_read(tmp_path):
    text = GOOD + (
        "languages = ['de', 'pt-BR']\n"
        "[sites.demo.extract]\n"
        "body = 'css:article .story-body'\n"
        "headline = \"xpath://h1[@class='title']\"\n"
        "date = 'xpath://time/@datetime'\n"
        "authors = ['css:.byline a[rel=author]', 'css:.byline']\n"
    )
    site = load_registry(write(tmp_path, text))["demo"]
    assert site.languages == ("de", "pt-BR")
    rules = site.cleaning
    assert rules.body == (FieldRule("css", "article .story-body"),)
    assert rules.headline == (FieldRule("xpath", "//h1[@class='title']"),)
    assert [str(r) for r in rules.authors] == ["css:.byline a[rel=author]", "css:.byline"]
    assert rules.date == (FieldRule("xpath", "//time/@datetime"),)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("body = 'article .story'", ["'body'", "'css:<selector>' or 'xpath:<expression>'"]),
        ("body = 'jquery:article'", ["'body'", "'jquery:article'"]),
        ("headline = 'css:h1[['", ["'headline'", "bad CSS selector", "'h1[['"]),
        ("date = 'xpath://time[@datetime'", ["'date'", "bad XPath expression"]),
        ("date = 'xpath://x:time'", ["'date'", "bad XPath expression", "'//x:time'"]),
        ("authors = ['css:.byline', 3]", ["'authors'", "a selector or a list"]),
        ("authors = []", ["'authors'", "a selector or a list"]),
        ("byline = 'css:.byline'", ["table 'extract'", "unknown key 'byline'"]),
    ],
)
def test_bad_extraction_rules_are_named(tmp_path, line, expected):
    path = write(tmp_path, GOOD + "[sites.demo.extract]\n" + line + "\n")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert str(path) in message and "'demo'" in message
    for part in expected:
        assert part in message


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(write(tmp_path, "[sites.demo\n"))
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "missing.toml")


def test_site_needs_a_source_and_a_domain(tmp_path):
    with pytest.raises(RegistryError, match="at least one of"):
        load_registry(write(tmp_path, "[sites.demo]\ndomains = ['example.com']\n"))
    with pytest.raises(RegistryError, match="'domains'"):
        load_registry(write(tmp_path, "[sites.demo]\nfeeds = ['https://example.com/f']\n"))


def test_bad_site_name(tmp_path):
    with pytest.raises(RegistryError, match="site names"):
        load_registry(write(tmp_path, GOOD.replace("sites.demo", 'sites."Bad Name"')))


def test_select_sites():
    sites = load_registry(FIXTURE_REGISTRY)
    assert len(select_sites(sites, None)) == len(sites)
    first, second = list(sites)[:2]
    assert [s.name for s in select_sites(sites, f"{first}, {second}")] == [first, second]
    with pytest.raises(RegistryError, match="unknown site 'nope'"):
        select_sites(sites, "nope")
