import contextlib
import gzip
import logging
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.discovery.sitemaps import Sitemap, SitemapEntry, SitemapError, parse_sitemap
from tests.timing import cpu_seconds

BASE = "https://news.example.com/sitemap.xml"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
  <url>
    <image:image><image:loc>https://cdn.example.com/1.jpg</image:loc></image:image>
    <loc>
      https://news.example.com/2026/11/18/story-1?a=1&amp;b=2
    </loc>
    <lastmod>2026-11-18T09:30:00+01:00</lastmod>
    <news:news>
      <news:publication><news:name>Example</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-11-18T08:00:00Z</news:publication_date>
      <news:title>  Markets &amp;amp;
        money </news:title>
    </news:news>
  </url>
  <url>
    <loc>/2026/11/18/relative</loc>
    <lastmod>2026-11-17</lastmod>
    <video:video><video:title>Video title</video:title>
      <video:content_loc>https://cdn.example.com/v.mp4</video:content_loc></video:video>
  </url>
  <url><loc>ftp://news.example.com/file</loc></url>
  <url><lastmod>2026-11-18</lastmod></url>
  <url><loc>https://news.example.com/no-date</loc><lastmod>soon</lastmod></url>
</urlset>
"""

EXPECTED_URLSET = Sitemap(
    kind="urlset",
    entries=[
        SitemapEntry(
            url="https://news.example.com/2026/11/18/story-1?a=1&b=2",
            lastmod=datetime(2026, 11, 18, 9, 30, tzinfo=timezone(timedelta(hours=1))),
            news_title="Markets & money",
            news_published=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        ),
        SitemapEntry(
            url="https://news.example.com/2026/11/18/relative",
            lastmod=datetime(2026, 11, 17),
            news_title=None,
            news_published=None,
        ),
        SitemapEntry("https://news.example.com/no-date", None, None, None),
    ],
)


def test_urlset_with_news_image_and_video():
    assert parse_sitemap(URLSET, BASE) == EXPECTED_URLSET


def test_sitemap_index():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://news.example.com/sitemap-1.xml.gz</loc>
        <lastmod>2026-11-18T09:30:00Z</lastmod></sitemap>
      <sitemap><loc>sitemap-2.xml</loc></sitemap>
      <url><loc>https://news.example.com/not-an-index-entry</loc></url>
    </sitemapindex>"""
    assert parse_sitemap(body, BASE) == Sitemap(
        kind="index",
        entries=[
            SitemapEntry(
                "https://news.example.com/sitemap-1.xml.gz",
                datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
                None,
                None,
            ),
            SitemapEntry("https://news.example.com/sitemap-2.xml", None, None, None),
        ],
    )


def test_any_namespace_prefix_or_none():
    prefixed = b"""<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:n="http://www.google.com/schemas/sitemap-news/0.9">
      <sm:url><sm:loc>https://e.com/a</sm:loc>
        <n:news><n:title>T</n:title><n:publication_date>2026-11-18</n:publication_date></n:news>
      </sm:url></sm:urlset>"""
    bare = b"""<urlset><url><loc>https://e.com/a</loc>
        <news><title>T</title><publication_date>2026-11-18</publication_date></news>
      </url></urlset>"""
    expected = Sitemap(
        "urlset", [SitemapEntry("https://e.com/a", None, "T", datetime(2026, 11, 18))]
    )
    assert parse_sitemap(prefixed, BASE) == expected
    assert parse_sitemap(bare, BASE) == expected


def test_only_children_of_the_root_are_entries():
    body = b"""<urlset><url><loc>https://e.com/a</loc></url>
      <extra><url><loc>https://e.com/nested</loc></url></extra></urlset>"""
    assert [e.url for e in parse_sitemap(body, BASE).entries] == ["https://e.com/a"]


def test_empty_urlset():
    assert parse_sitemap(b"<urlset/>", BASE) == Sitemap("urlset", [])


def test_gzip():
    assert parse_sitemap(gzip.compress(URLSET), BASE) == EXPECTED_URLSET


def test_gzip_with_concatenated_members_and_padding():
    half = URLSET.index(b"<url>", URLSET.index(b"</url>"))
    body = gzip.compress(URLSET[:half]) + gzip.compress(URLSET[half:]) + b"\x00" * 8
    assert parse_sitemap(body, BASE) == EXPECTED_URLSET


def test_truncated_gzip_keeps_complete_entries(caplog):
    items = "".join(f"<url><loc>https://e.com/{i}</loc></url>" for i in range(2000))
    compressed = gzip.compress(f"<urlset>{items}</urlset>".encode())
    with caplog.at_level(logging.WARNING, logger="crawler.discovery.sitemaps"):
        sitemap = parse_sitemap(compressed[: len(compressed) // 2], BASE)
    urls = [e.url for e in sitemap.entries]
    assert 0 < len(urls) < 2000
    assert urls == [f"https://e.com/{i}" for i in range(len(urls))]
    assert any("gzip" in record.getMessage() for record in caplog.records)


def test_xml_cut_inside_an_entry_drops_that_entry():
    cut = URLSET[: URLSET.index(b"/relative</loc>")]
    assert [e.url for e in parse_sitemap(cut, BASE).entries] == [EXPECTED_URLSET.entries[0].url]


def test_corrupt_gzip():
    with pytest.raises(SitemapError, match="corrupt gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage-garbage-garbage", BASE)


def test_gzip_bomb_is_cut_off_early():
    bomb = gzip.compress(b"<urlset>" + b" " * (8 * 1024 * 1024))

    def refuse() -> None:
        with pytest.raises(SitemapError, match="inflates beyond 1048576 bytes"):
            parse_sitemap(bomb, BASE, max_size=1024 * 1024)

    # Stopped at the first MiB: well under inflating all 8 (about an eighth of it).
    assert cpu_seconds(refuse) < 0.5 * cpu_seconds(lambda: gzip.decompress(bomb))


def test_default_max_size_applies_to_gzip():
    # Concatenated members are one gzip stream: a cheap way to build 51 MiB of output.
    bomb = gzip.compress(b"<urlset>") + gzip.compress(b" " * 1024 * 1024) * 51
    with pytest.raises(SitemapError, match="inflates beyond 52428800 bytes"):
        parse_sitemap(bomb, BASE)


def test_plain_body_over_max_size():
    with pytest.raises(SitemapError, match="larger than 100 bytes"):
        parse_sitemap(b"<urlset>" + b" " * 200 + b"</urlset>", BASE, max_size=100)


def test_billion_laughs_is_not_expanded():
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY lol1 "lol">{entities}]>'
        "<urlset><url><loc>https://e.com/a</loc></url>"
        "<url><loc>https://e.com/&lol9;</loc></url></urlset>"
    ).encode()
    plain = re.sub(rb"<!DOCTYPE.*?]>|&lol9;", b"", body)
    entries: list[SitemapEntry] = []

    def parse() -> None:
        with contextlib.suppress(SitemapError):
            entries[:] = parse_sitemap(body, BASE).entries

    # Expanded, the entity would be a billion bytes: the page costs what one without it does.
    assert cpu_seconds(parse, 5) < 10 * cpu_seconds(lambda: parse_sitemap(plain, BASE), 5)
    assert all("lollol" not in entry.url for entry in entries)


def test_external_entities_are_not_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<urlset><url><loc>https://e.com/&xxe;</loc></url></urlset>"
    ).encode()
    with pytest.raises(SitemapError) as info:
        parse_sitemap(body, BASE)
    assert "TOP-SECRET" not in str(info.value)


def test_malformed_xml_recovers_entries():
    body = b"""<urlset><url><loc>https://e.com/a</loc></url>
      <url><loc>https://e.com/b</loc></urll>
      <url><loc>https://e.com/c</loc></url>"""
    urls = [e.url for e in parse_sitemap(body, BASE).entries]
    assert urls[0] == "https://e.com/a"
    assert "https://e.com/b" in urls


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body>Not found</body></html>", "root element is <html>"),
        (b'<rss version="2.0"><channel/></rss>', "root element is <rss>"),
        (b"<", "not parseable XML"),
        (b"<<<>>>", "not parseable XML"),
        (b"Not Found", "neither XML nor a list of URLs"),
        (b'{"error": "nope"}', "neither XML nor a list of URLs"),
    ],
)
def test_not_a_sitemap(body, message):
    with pytest.raises(SitemapError, match=message):
        parse_sitemap(body, BASE)


def test_text_sitemap():
    body = b"\xef\xbb\xbfhttps://e.com/a\r\n\n  http://e.com/b  \n# comment\nftp://e.com/c\n"
    assert parse_sitemap(body, BASE) == Sitemap(
        "urlset",
        [
            SitemapEntry("https://e.com/a", None, None, None),
            SitemapEntry("http://e.com/b", None, None, None),
        ],
    )


def test_encodings():
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>https://e.com/a</loc>'
        "<news><title>Café</title></news></url></urlset>"
    ).encode("latin-1")
    assert parse_sitemap(latin1, BASE).entries[0].news_title == "Café"
    assert parse_sitemap(b"\xef\xbb\xbf" + URLSET, BASE) == EXPECTED_URLSET
    utf16 = URLSET.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert parse_sitemap(utf16, BASE) == EXPECTED_URLSET


def test_max_entries_stops_and_logs_once(caplog):
    items = "".join(f"<url><loc>https://e.com/{i}</loc></url>" for i in range(100))
    body = f"<urlset>{items}</urlset>".encode()
    with caplog.at_level(logging.WARNING, logger="crawler.discovery.sitemaps"):
        sitemap = parse_sitemap(body, BASE, max_entries=10)
    assert [e.url for e in sitemap.entries] == [f"https://e.com/{i}" for i in range(10)]
    assert len(caplog.records) == 1
    assert "more than 10 entries" in caplog.records[0].getMessage()


def test_exactly_max_entries_does_not_warn(caplog):
    items = "".join(f"<url><loc>https://e.com/{i}</loc></url>" for i in range(10))
    with caplog.at_level(logging.WARNING, logger="crawler.discovery.sitemaps"):
        sitemap = parse_sitemap(f"<urlset>{items}</urlset>".encode(), BASE, max_entries=10)
    assert len(sitemap.entries) == 10
    assert not caplog.records


def _gzipped_urlset(entries: int) -> bytes:
    items = "".join(
        f"<url><loc>https://e.com/news/{i}</loc><lastmod>2026-11-18</lastmod></url>"
        for i in range(entries)
    )
    return gzip.compress(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'.encode()
    )


def test_large_gzipped_sitemap_streams_quickly():
    body, tenth = _gzipped_urlset(50_000), _gzipped_urlset(5_000)
    sitemap = parse_sitemap(body, BASE)
    # Linear in its size (about 10x a tenth of it; a quadratic step would be 100x).
    assert cpu_seconds(lambda: parse_sitemap(body, BASE)) < 25 * cpu_seconds(
        lambda: parse_sitemap(tenth, BASE)
    )
    assert len(sitemap.entries) == 50_000
    assert sitemap.entries[-1].url == "https://e.com/news/49999"
