"""End to end: the real ``scrapy crawl news`` on the two international fixture sites.

fixtures/registry-intl.toml lists a German site (Rheinblick, TYPO3 style, RSS feed and
home page) and a French one (Le Courrier du Lac, WordPress style, news sitemap and home
page), served by the same fixture server. They show dates written in words, pages whose
only date is relative ("vor 2 Stunden", "il y a 3 heures"), bylines in the language, each
language's chrome, and an English page on the German site, which takes only German.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fixtures.harness import PROJECT_ROOT, run_crawl
from fixtures.server import FixtureServer
from pipelines.output.layout import MANIFEST_NAME
from tests.expected import EXPECTED_DIR, load_expected, read_records
from tests.test_e2e import check_record

pytestmark = pytest.mark.e2e

REGISTRY = PROJECT_ROOT / "fixtures" / "registry-intl.toml"
EXPECTED = load_expected(EXPECTED_DIR / "intl")
ARTICLES = [a for site in EXPECTED.values() for a in site.articles]


@pytest.fixture(scope="module")
def intl_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], dict]:
    run_dir: Path = tmp_path_factory.mktemp("intl") / "run"
    with FixtureServer() as server:
        result = run_crawl(server.proxy_url, run_dir, registry=REGISTRY)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    return read_records(run_dir), manifest


def test_every_article_once_and_nothing_else(intl_run):
    records, manifest = intl_run
    assert sorted(r["id"] for r in records) == sorted(a.id for a in ARTICLES)
    assert manifest["health"]["ok"], manifest["health"]
    assert {r["inLanguage"] for r in records} == {"de", "fr"}


@pytest.mark.parametrize("expected", ARTICLES, ids=lambda a: a.url.split("//")[1])
def test_record_matches_expected(intl_run, expected):
    records, _ = intl_run
    record = next(r for r in records if r["id"] == expected.id)
    check_record(record, expected)
    assert [a["name"] for a in record["authors"]] == expected.authors
    # The byline as the page shows it, in its language.
    assert all(a["nameRaw"].startswith(("Von ", "Par ")) for a in record["authors"])
    # Declared by the page or the registry: not detected, so no confidence.
    assert record["languageConfidence"] is None


def test_dates_in_words_and_relative_dates_were_read(intl_run):
    records, _ = intl_run
    relative = [a for a in ARTICLES if a.date_published.startswith("-")]
    in_words = [a for a in ARTICLES if "T" in a.date_published and "+" not in a.date_published]
    assert len(relative) == 2 and len(in_words) == 2  # one of each on each site
    for expected in relative:
        record = next(r for r in records if r["id"] == expected.id)
        assert record["datePublished"].endswith("+00:00")  # counted from the fetch, in UTC


def test_a_page_in_another_language_is_dropped_with_its_reason(intl_run):
    records, manifest = intl_run
    dropped = [url for site in EXPECTED.values() for url in site.other_language]
    assert dropped and not {r["url"] for r in records} & set(dropped)
    assert manifest["stats"]["news/clean/language"] == len(dropped)
    assert manifest["sites"]["rheinblick"]["dropped"]["language"] == len(dropped)


def test_every_record_is_a_zyte_common_items_article(intl_run):
    from zyte_common_items import Article as ZyteArticle

    records, _ = intl_run
    for record in records:
        article = ZyteArticle.from_dict(record)
        assert article.inLanguage == record["inLanguage"]
        assert [b.name for b in article.breadcrumbs or []] == [
            b["name"] for b in record["breadcrumbs"]
        ]
