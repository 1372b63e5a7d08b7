import json
import logging
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.discovery.feeds import FeedEntry, FeedError, looks_like_feed, parse_feed
from tests.timing import cpu_seconds

BASE = "https://news.example.com/feeds/main.xml"

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel>
  <title>Example News</title>
  <link>https://news.example.com/</link>
  <atom:link rel="self" href="https://news.example.com/feeds/main.xml"/>
  <item>
    <title>  Markets   &amp;amp; <![CDATA[Money &#8217;s]]>
      day </title>
    <link>
      https://news.example.com/2026/11/18/markets?id=1&amp;s=2
    </link>
    <pubDate>Wed, 18 Nov 2026 09:30:00 GMT</pubDate>
    <content:encoded><![CDATA[<p><a href="https://elsewhere.example.org/">x</a></p>]]></content:encoded>
  </item>
  <item>
    <title>Relative link</title>
    <link>/2026/11/18/relative</link>
    <dc:date>2026-11-18T10:00:00+01:00</dc:date>
  </item>
  <item>
    <title>Guid only</title>
    <guid>https://news.example.com/guid-only</guid>
  </item>
  <item>
    <title>Opaque guid</title>
    <guid>12345</guid>
  </item>
  <item>
    <title>Guid not a permalink</title>
    <guid isPermaLink="false">https://news.example.com/not-a-permalink</guid>
  </item>
  <item>
    <title>Not http</title>
    <link>javascript:alert(1)</link>
  </item>
  <item>
    <title>FeedBurner</title>
    <link>https://feeds.feedburner.com/~r/example/~3/abc/</link>
    <feedburner:origLink>https://news.example.com/original</feedburner:origLink>
  </item>
  <item>
    <title>Atom link only</title>
    <atom:link rel="enclosure" href="https://cdn.example.com/a.mp3"/>
    <atom:link href="https://news.example.com/atom-link"/>
  </item>
  <item><title>No link at all</title></item>
</channel>
</rss>
"""


def test_rss2():
    entries = parse_feed(RSS2, BASE)
    assert entries == [
        FeedEntry(
            url="https://news.example.com/2026/11/18/markets?id=1&s=2",
            title="Markets & Money ’s day",
            published=datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
            modified=None,
        ),
        FeedEntry(
            url="https://news.example.com/2026/11/18/relative",
            title="Relative link",
            published=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
            modified=None,
        ),
        FeedEntry("https://news.example.com/guid-only", "Guid only", None, None),
        FeedEntry("https://news.example.com/original", "FeedBurner", None, None),
        FeedEntry("https://news.example.com/atom-link", "Atom link only", None, None),
    ]


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/">
    <title>Example</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example.com/rdf-1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.example.com/rdf-1">
    <title>RDF item</title>
    <link>https://news.example.com/rdf-1</link>
    <dc:date>2026-11-18T09:30:00Z</dc:date>
  </item>
</rdf:RDF>
"""


def test_empty_feed_is_not_an_error():
    assert parse_feed(b"<rss><channel><title>Quiet</title></channel></rss>", BASE) == []
    assert parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"/>', BASE) == []
    assert parse_feed(b'{"version": "https://jsonfeed.org/version/1", "items": []}', BASE) == []


def test_rss1_rdf():
    assert parse_feed(RDF, BASE) == [
        FeedEntry(
            "https://news.example.com/rdf-1",
            "RDF item",
            datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
            None,
        )
    ]


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.com/section/">
  <title>Example</title>
  <link rel="self" href="https://news.example.com/atom.xml"/>
  <entry>
    <title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; brave</title>
    <link rel="edit" href="https://news.example.com/edit/1"/>
    <link rel="alternate" type="audio/mpeg" href="https://news.example.com/1.mp3"/>
    <link rel="alternate" type="text/html" href="story-1"/>
    <id>tag:example.com,2026:1</id>
    <published>2026-11-18T09:30:00-05:00</published>
    <updated>2026-11-18T12:00:00-05:00</updated>
  </entry>
  <entry xml:base="/other/">
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML <em>title</em></div></title>
    <link href="story-2"/>
    <updated>2026-11-18T13:00:00Z</updated>
  </entry>
  <entry>
    <title>Id as permalink</title>
    <id>https://news.example.com/by-id</id>
  </entry>
  <entry>
    <title>Relative id</title>
    <id>12345</id>
  </entry>
  <entry>
    <title>Unusable</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <link rel="related" href="https://elsewhere.example.org/"/>
  </entry>
</feed>
"""


def test_atom():
    eastern = timezone(timedelta(hours=-5))
    assert parse_feed(ATOM, BASE) == [
        FeedEntry(
            "https://news.example.com/section/story-1",
            "Bold & brave",
            datetime(2026, 11, 18, 9, 30, tzinfo=eastern),
            datetime(2026, 11, 18, 12, 0, tzinfo=eastern),
        ),
        FeedEntry(
            "https://news.example.com/other/story-2",
            "XHTML title",
            None,
            datetime(2026, 11, 18, 13, 0, tzinfo=UTC),
        ),
        FeedEntry("https://news.example.com/by-id", "Id as permalink", None, None),
    ]


def test_relative_xml_base_resolves_against_feed_url():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/news/">
      <entry><link href="a"/></entry></feed>"""
    assert [e.url for e in parse_feed(body, BASE)] == ["https://news.example.com/news/a"]


def test_json_feed():
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Example",
        "items": [
            {
                "id": "1",
                "url": "https://news.example.com/json-1",
                "title": "Tom &amp; Jerry\n  return",
                "date_published": "2026-11-18T09:30:00Z",
                "date_modified": "2026-11-18T10:00:00Z",
            },
            {"id": "2", "external_url": "/json-2"},
            {"id": "3", "url": "mailto:x@example.com"},
            {"id": "4", "url": 17, "title": ["not", "a", "string"]},
            "not an object",
        ],
    }
    body = json.dumps(document).encode()
    assert looks_like_feed(body)
    assert parse_feed(body, BASE) == [
        FeedEntry(
            "https://news.example.com/json-1",
            "Tom & Jerry return",
            datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
            datetime(2026, 11, 18, 10, 0, tzinfo=UTC),
        ),
        FeedEntry("https://news.example.com/json-2", None, None, None),
    ]


def test_json_feed_with_bom_and_utf16():
    body = json.dumps({"version": "https://jsonfeed.org/version/1", "items": [{"url": "/é"}]})
    for encoded in (b"\xef\xbb\xbf" + body.encode(), body.encode("utf-16")):
        assert [e.url for e in parse_feed(encoded, BASE)] == ["https://news.example.com/é"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"  \n ", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"version": "x"}', "no 'items'"),
        (b"[" * 100_000, "not parseable XML"),
        (b"{" + b'"a":[' * 100_000, "not valid JSON"),
        (b"this is not a feed", "not parseable XML"),
        (b"<html><body><p>Not found</p></body></html>", "root element is <html>"),
        (b"<urlset><url><loc>https://e.com/</loc></url></urlset>", "root element is <urlset>"),
    ],
)
def test_not_a_feed(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, BASE)


def test_encoding_declaration_and_bom():
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item>'
        "<title>Café</title><link>https://e.com/caf%C3%A9</link></item></channel></rss>"
    ).encode("latin-1")
    assert parse_feed(latin1, BASE)[0].title == "Café"
    bom = b"\xef\xbb\xbf" + RSS2
    assert parse_feed(bom, BASE) == parse_feed(RSS2, BASE)
    utf16 = RSS2.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert parse_feed(utf16, BASE) == parse_feed(RSS2, BASE)
    assert looks_like_feed(utf16)


def test_undeclared_html_entities_do_not_corrupt_later_links():
    body = b"""<rss><channel>
      <item><title>Caf&eacute; &nbsp;society&hellip;</title><link>https://e.com/1?a=1&amp;b=2</link></item>
      <item><title>Tom &amp; Jerry</title><link>https://e.com/2?a=1&amp;b=2</link></item>
    </channel></rss>"""
    entries = parse_feed(body, BASE)
    assert [(e.title, e.url) for e in entries] == [
        ("Café society…", "https://e.com/1?a=1&b=2"),
        ("Tom & Jerry", "https://e.com/2?a=1&b=2"),
    ]


def test_feed_cut_inside_an_item_drops_that_item():
    cut = RSS2[: RSS2.index(b"/relative</link>")]
    assert [e.url for e in parse_feed(cut, BASE)] == [
        "https://news.example.com/2026/11/18/markets?id=1&s=2"
    ]
    atom_cut = ATOM[: ATOM.index(b'"story-2"')]
    assert [e.url for e in parse_feed(atom_cut, BASE)] == [
        "https://news.example.com/section/story-1"
    ]


def test_feed_cut_between_items_keeps_them_all():
    cut = RSS2[: RSS2.index(b"<item>", RSS2.index(b"/relative</link>"))]
    assert len(parse_feed(cut, BASE)) == 2


def test_truncated_feed_recovers_complete_items():
    truncated = RSS2[: RSS2.index(b"<title>Guid only")]
    entries = parse_feed(truncated, BASE)
    assert [e.url for e in entries][:2] == [
        "https://news.example.com/2026/11/18/markets?id=1&s=2",
        "https://news.example.com/2026/11/18/relative",
    ]


def _billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol1 "lol">{entities}]>'
        "<rss><channel><item><title>a &lol9; b</title>"
        "<link>https://e.com/laughs</link></item></channel></rss>"
    ).encode()


def test_billion_laughs_is_refused_at_once():
    laughs = _billion_laughs()
    plain = re.sub(rb"<!DOCTYPE.*?]>|&lol9;", b"", laughs)

    def refuse() -> None:
        with pytest.raises(FeedError, match="declares XML entities"):
            parse_feed(laughs, BASE)

    assert cpu_seconds(refuse, 5) < 10 * cpu_seconds(lambda: parse_feed(plain, BASE), 5)


def test_any_entity_declaration_is_refused():
    # No real feed declares entities; refusing them all leaves no room for bombs.
    body = _billion_laughs().replace(
        b"<channel>", b"<channel><item><link>https://e.com/before</link></item>"
    )
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(body, BASE)


def test_external_entities_are_not_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<rss><channel><item><title>x &xxe; y</title><link>https://e.com/x</link></item>"
        "</channel></rss>"
    ).encode()
    with pytest.raises(FeedError) as info:
        parse_feed(body, BASE)
    assert "TOP-SECRET" not in str(info.value)


def test_max_entries_stops_and_logs_once(caplog):
    items = "".join(f"<item><link>https://e.com/{i}</link></item>" for i in range(50))
    body = f"<rss><channel>{items}</channel></rss>".encode()
    with caplog.at_level(logging.WARNING, logger="crawler.discovery.feeds"):
        entries = parse_feed(body, BASE, max_entries=10)
    assert [e.url for e in entries] == [f"https://e.com/{i}" for i in range(10)]
    assert len(caplog.records) == 1
    assert "more than 10 entries" in caplog.records[0].getMessage()


_FIREHOSE_PEAK = """
import resource, sys
from crawler.discovery.feeds import parse_feed
items = b"".join(
    b"<item><title>Noise %d</title><link>http://e.test/noise/%d</link>"
    b"<pubDate>Mon, 01 Jan 2001 00:00:00 +0000</pubDate></item>\\n" % (n, n)
    for n in range(100_000)
)
body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + items
body += b"</channel></rss>"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
entries = parse_feed(body, "http://e.test/feed.xml", max_entries=int(sys.argv[1]))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(entries), grown // 1024)
"""


@pytest.mark.parametrize(
    ("max_entries", "expected", "limit_mb"),
    [
        # Items past the cap are never parsed into a tree (a full parse grew ~110 MB).
        (5000, 5000, 20),
        # Read to the end, one item is held at a time: what grows is the 100,000 entries
        # themselves (~17 MB), not a tree of them (~140 MB).
        (200_000, 100_000, 50),
    ],
)
def test_a_firehose_feed_is_read_in_flat_memory(max_entries, expected, limit_mb):
    # A fresh interpreter: ru_maxrss is a high-water mark the test process already raised.
    result = subprocess.run(
        [sys.executable, "-c", _FIREHOSE_PEAK, str(max_entries)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    count, grown_mb = map(int, result.stdout.split())
    assert count == expected
    assert grown_mb < limit_mb, f"peak RSS grew {grown_mb} MB parsing the feed"


def test_an_item_nested_in_an_atom_entry_stays_part_of_it():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom">
      <entry><title>One</title><link href="https://e.com/one"/>
        <ext><item>not an entry</item></ext></entry>
      <entry><link href="https://e.com/two"/><item>an extension's item</item>
        <title>Two</title></entry>
    </feed>"""
    entries = parse_feed(body, BASE)
    assert [(e.url, e.title) for e in entries] == [
        ("https://e.com/one", "One"),
        ("https://e.com/two", "Two"),
    ]


def test_exactly_max_entries_does_not_warn(caplog):
    items = "".join(f"<item><link>https://e.com/{i}</link></item>" for i in range(10))
    body = f"<rss><channel>{items}</channel></rss>".encode()
    with caplog.at_level(logging.WARNING, logger="crawler.discovery.feeds"):
        assert len(parse_feed(body, BASE, max_entries=10)) == 10
    assert not caplog.records


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RSS2, True),
        (RDF, True),
        (ATOM, True),
        (b"\xef\xbb\xbf\n  " + RSS2, True),
        (b"<?xml version='1.0'?>\n<!-- generator -->\n<?xml-stylesheet href='s.xsl'?><rss/>", True),
        (
            b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss version="0.91"/>',
            True,
        ),
        (b'{"version": "https:\\/\\/jsonfeed.org\\/version\\/1.1", "items": []}', True),
        (b'{"items": []}', False),
        (b"<html><head><title>rss</title></head></html>", False),
        (b'<feed xmlns="urn:something-else"/>', False),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', False),
        (b"<urlset/>", False),
        (b"", False),
        (b"\x00\x01\x02", False),
    ],
)
def test_looks_like_feed(body, expected):
    assert looks_like_feed(body) is expected
