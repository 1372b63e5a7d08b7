"""WARC files that tests build themselves: records by hand (damage included), our own
archive of the fixture sites, and one file in the layout of Common Crawl's CC-NEWS."""

from __future__ import annotations

import gzip
import hashlib
import random
import uuid
from base64 import b32encode
from collections.abc import Iterable
from pathlib import Path

from fixtures.server import SITES_DIR
from tests.expected import load_expected

PAGE = (
    b"<html><head><title>A story</title></head><body><article><h1>A story</h1>"
    + b"<p>Plenty of words in a paragraph that says something.</p>" * 40
    + b"</article></body></html>"
)


_WORDS = [
    "council",
    "harbor",
    "budget",
    "river",
    "school",
    "bridge",
    "vote",
    "mayor",
    "library",
    "festival",
    "rain",
    "storm",
    "farmers",
    "market",
    "ferry",
    "tunnel",
    "museum",
    "clinic",
    "nurses",
    "teachers",
    "union",
    "rally",
    "court",
    "judge",
    "season",
    "record",
    "crowd",
    "wind",
    "solar",
    "grid",
    "water",
    "prices",
    "rents",
    "housing",
    "transit",
    "survey",
]


def article_page(seed: int) -> bytes:
    """A plain news page with text of its own (about 300 words), from a seed."""
    rng = random.Random(seed)
    paragraphs = [
        " ".join(
            " ".join(rng.choice(_WORDS) for _ in range(12)).capitalize() + "." for _ in range(3)
        )
        for _ in range(8)
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>Story {seed}</title>"
        f'<meta property="og:type" content="article"></head>'
        f"<body><article><h1>Story {seed}</h1>{body}</article></body></html>"
    ).encode()


def digest(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def http_response(
    body: bytes,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    extra: Iterable[tuple[str, str]] = (),
) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}"]
    lines += [f"{k}: {v}" for k, v in extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def record(
    url: str,
    block: bytes,
    *,
    kind: str = "response",
    version: str = "WARC/1.0",
    date: str = "2026-11-20T10:00:00Z",
    length: int | None = None,
    fields: Iterable[tuple[str, str]] = (),
) -> bytes:
    """One WARC record, its Content-Length true unless ``length`` says otherwise."""
    content_type = {
        "response": "application/http; msgtype=response",
        "request": "application/http; msgtype=request",
    }.get(kind, "application/warc-fields")
    headers = [
        ("WARC-Type", kind),
        ("WARC-Date", date),
        ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
        ("Content-Length", str(len(block) if length is None else length)),
        ("Content-Type", content_type),
        ("WARC-Target-URI", url),
        *fields,
    ]
    head = version + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def response(url: str, body: bytes = PAGE, **kwargs: object) -> bytes:
    status = str(kwargs.pop("status", "200 OK"))
    content_type = str(kwargs.pop("content_type", "text/html; charset=utf-8"))
    return record(url, http_response(body, status, content_type), **kwargs)  # type: ignore[arg-type]


def warcinfo() -> bytes:
    return record("", b"software: tests\r\nformat: WARC File Format 1.0\r\n", kind="warcinfo")


def write_members(path: Path, members: Iterable[bytes], compress: bool = True) -> Path:
    """Each record its own gzip member (or all plain, ``compress=False``)."""
    with path.open("wb") as out:
        for member in members:
            out.write(gzip.compress(member, 1) if compress else member)
    return path


def fixture_file(url: str) -> Path:
    """The fixture site file serving ``url`` (as fixtures.server resolves it)."""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    target = SITES_DIR / host / path
    return target / "index.html" if url.endswith("/") or not path else target


def cc_news_file(path: Path, other_host_pages: int = 3) -> dict[str, int]:
    """A CC-NEWS style file: WARC/1.0, a warcinfo record then response records only,
    each its own gzip member, bodies stored decoded (the original Content-Encoding
    renamed, as Common Crawl does), with feeds, images, 404s, redirects and other
    sites' pages mixed in. Returns how many records of each kind it holds."""
    expected = load_expected()
    articles = [a for site in expected.values() for a in site.articles]
    members = [warcinfo()]
    counts = {"article": 0, "not_html": 0, "not_ok": 0, "other_host": 0}
    for number, article in enumerate(articles):
        body = fixture_file(article.url).read_bytes()
        block = http_response(
            body,
            extra=[("X-Crawler-Content-Encoding", "gzip"), ("Content-Length", str(len(body)))],
        )
        fields = [
            ("WARC-IP-Address", "192.0.2.1"),
            ("WARC-Payload-Digest", digest(body)),
            ("WARC-Identified-Payload-Type", "text/html"),
        ]
        members.append(
            record(
                article.url,
                block,
                date=f"2026-11-2{number % 3}T0{number % 9}:00:00Z",
                fields=fields,
            )
        )
        counts["article"] += 1
        if number % 5 == 0:  # a feed, an image beside the pages
            host = article.url.split("/")[2]
            members.append(
                response(f"http://{host}/feed.xml", b"<rss/>", content_type="application/rss+xml")
            )
            members.append(
                response(f"http://{host}/logo.png", b"\x89PNG\r\n", content_type="image/png")
            )
            counts["not_html"] += 2
        if number % 7 == 0:
            members.append(
                response(article.url + "?gone=1", b"<html>gone</html>", status="404 Not Found")
            )
            members.append(response(article.url + "?moved=1", b"", status="301 Moved Permanently"))
            counts["not_ok"] += 2
    for number in range(other_host_pages):
        page = article_page(number)
        members.append(response(f"http://elsewhere.test/news/{number}.html", page))
        counts["other_host"] += 1
    write_members(path, members)
    return counts
