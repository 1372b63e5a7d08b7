"""``scrapy addsite`` end to end: the real command through the fixture proxy.

Each fixture site, onboarded from its home page alone, gives a block that crawls the same
articles as its hand-written entry in fixtures/registry.toml. Failures are one line and a
non-zero exit; ``--write`` appends only what keeps the registry loading.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.discovery.registry import load_registry
from crawler.discovery.urls import article_id
from fixtures.harness import FAST_SETTINGS, PROJECT_ROOT, proxy_env, run_crawl
from fixtures.server import REGISTRY, FixtureServer
from tests.expected import load_expected, read_records

pytestmark = pytest.mark.e2e

FIXTURE_SITES = {
    "harborherald.test": "harbor-herald",
    "meridiantimes.test": "meridian-times",
    "valleyledger.test": "valley-ledger",
    "pacificwire.test": "pacific-wire",
}
EXPECTED = load_expected()
# Which page of an exact or syndicated pair a crawl emits depends on crawl order: count
# either as the story.
STORY_OF = {
    d.id: article_id(d.of)
    for site in EXPECTED.values()
    for d in site.duplicates
    if d.kind in ("exact", "syndicated")
}


def write_site(root: Path, host: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / host / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureServer]:
    extra = tmp_path_factory.mktemp("extra-sites")
    home = "<html><body><a href='/news/a-story.html'>a</a><a href='/about/'>b</a></body></html>"
    write_site(extra, "nofeed.test", {"index.html": home})
    write_site(
        extra, "closed.test", {"index.html": home, "robots.txt": "User-agent: *\nDisallow: /\n"}
    )
    with FixtureServer(overlays=[extra]) as running:
        yield running


def addsite(proxy_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    fast = [item for name, value in FAST_SETTINGS.items() for item in ("-s", f"{name}={value}")]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "addsite", *args, *fast, "-s", "LOG_LEVEL=WARNING"],
        cwd=PROJECT_ROOT,
        env=proxy_env(proxy_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stories(run_dir: Path) -> dict[str, str]:
    """Story id -> URL of the records a crawl emitted."""
    return {STORY_OF.get(r["id"], r["id"]): r["url"] for r in read_records(run_dir)}


@pytest.mark.parametrize("host", sorted(FIXTURE_SITES))
def test_onboarded_block_crawls_the_same_articles_as_the_hand_written_entry(server, tmp_path, host):
    name = FIXTURE_SITES[host]
    result = addsite(server.proxy_url, f"http://{host}/", name)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    # The whole output is TOML: the report as comments, then the block.
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(result.stdout, encoding="utf-8")
    assert list(tomllib.loads(result.stdout)["sites"]) == [name]
    assert "# Test-cleaned 10 articles" in result.stdout

    onboarded = run_crawl(server.proxy_url, tmp_path / "onboarded", registry=proposed)
    hand_written = run_crawl(server.proxy_url, tmp_path / "hand", sites=name)
    assert onboarded.returncode == 0, onboarded.stderr[-3000:]
    assert hand_written.returncode == 0, hand_written.stderr[-3000:]
    got, want = stories(tmp_path / "onboarded"), stories(tmp_path / "hand")
    assert len(want) >= 9
    missing = sorted(want[i] for i in set(want) - set(got))
    extra = sorted(got[i] for i in set(got) - set(want))
    assert not missing and not extra, f"{host}: missing {missing}, extra {extra}\n{result.stdout}"
    # The wire's tagline under each story, which the hand-written entry drops by a phrase,
    # is proposed as the site's boilerplate: the onboarded crawl leaves it out too.
    if host == "pacificwire.test":
        assert tomllib.loads(result.stdout)["sites"][name]["cleaning"]["drop_phrases"]
    tagline = "Pacific Wire is an independent news service"
    assert not any(tagline in r["articleBody"] for r in read_records(tmp_path / "onboarded"))


def test_write_appends_the_block_and_refuses_a_name_twice(server, tmp_path):
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY.read_text(encoding="utf-8"), encoding="utf-8")
    args = ("http://valleyledger.test/", "ledger-two", "--write", str(registry))
    first = addsite(server.proxy_url, *args)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"# Added site 'ledger-two' to registry {registry} (5 sites, validated)" in first.stdout
    assert set(load_registry(registry)) == {*load_registry(REGISTRY), "ledger-two"}
    before = registry.read_bytes()
    again = addsite(server.proxy_url, *args)
    assert again.returncode == 2
    assert again.stderr.strip() == (
        f"error: {registry}: already has a site named 'ledger-two'; choose another NAME"
    )
    assert registry.read_bytes() == before


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://nofeed.test/", "error: no feed or sitemap found for http://nofeed.test/"),
        ("http://closed.test/", "error: robots.txt of http://closed.test/ does not allow"),
        (
            "http://nowhere.test/",
            "error: cannot fetch the home page http://nowhere.test/: http_404",
        ),
    ],
)
def test_a_site_that_cannot_be_onboarded_is_one_line_and_exit_1(server, url, message):
    result = addsite(server.proxy_url, url)
    assert result.returncode == 1
    assert one_error_line(result).startswith(message)
    assert result.stdout == ""


def test_a_network_failure_is_one_line():
    result = addsite("http://127.0.0.1:9", "http://harborherald.test/")
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith("error: cannot fetch the home page http://harborherald.test/:"), line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("harborherald.test",), "error: URL 'harborherald.test': expected the site's home page"),
        (("http://harborherald.test/", "Harbor Herald"), "site names are lowercase"),
        (("http://harborherald.test/", "--write", "http://x.test/"), "--write takes a registry"),
    ],
)
def test_bad_arguments_are_refused_before_any_fetch(server, args, message):
    before = len(server.requests)
    result = addsite(server.proxy_url, *args)
    assert result.returncode == 2
    assert message in one_error_line(result)
    assert len(server.requests) == before
