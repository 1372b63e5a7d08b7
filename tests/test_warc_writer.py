"""The WARC writer: records as the standard wants them, segments that appear whole."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from crawler.items import DiscoveryHints
from pipelines.archive import writer
from pipelines.archive.reader import Capture, Loader, scan
from pipelines.archive.records import Exchange, hints_field, parse_hints
from pipelines.archive.writer import WarcBroken, WarcSegments
from pipelines.output.layout import temporary_files

HTML = b"<html><body><p>" + b"words " * 2000 + b"</p></body></html>"


def exchange(n: int = 0, **fields) -> Exchange:
    values: dict[str, Any] = dict(
        url=f"http://site.test/story/{n}?ref=x",
        status=200,
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
        body=gzip.compress(HTML),
        request_headers=[("User-Agent", "newscrawler"), ("Accept-Encoding", "gzip, br")],
        ip_address="192.0.2.7",
        site="site",
        hints=DiscoveryHints(via="feed", title="Café headline", date_published="2026-11-20"),
    )
    values.update(fields)
    return Exchange(**values)


def records(path: Path) -> list:
    with path.open("rb") as handle:
        return [
            (r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(handle, check_digests="raise")
        ]


def test_request_and_response_records_with_digests_headers_and_ip(tmp_path):
    segments = WarcSegments(tmp_path, 10**9, gzip_level=6)
    archived = segments.write(exchange())
    assert archived.file.startswith("warc/newscrawler-") and archived.file.endswith(".warc.gz")
    assert segments.close() == 1
    path = tmp_path / archived.file
    (info, response, request) = records(path)
    assert info[0] == "warcinfo"
    kind, headers, http, body = response
    assert kind == "response" and headers.protocol == "WARC/1.1"
    assert headers.get_header("WARC-Record-ID") == archived.record_id
    assert headers.get_header("WARC-Target-URI") == "http://site.test/story/0?ref=x"
    assert headers.get_header("WARC-IP-Address") == "192.0.2.7"
    assert headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert http.get_statuscode() == "200"
    assert http.get_header("Transfer-Encoding") is None, "the body is recorded de-chunked"
    assert [v for k, v in http.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert body == HTML  # warcio undoes the gzip Content-Encoding, as recorded
    kind, headers, http, _ = request
    assert kind == "request"
    assert headers.get_header("WARC-Concurrent-To") == archived.record_id
    assert http.protocol == "GET" and http.statusline.startswith("/story/0?ref=x")
    assert http.get_header("Host") == "site.test"
    # Every member is its own gzip member: the file can be entered at any record.
    with gzip.open(path) as whole:
        assert whole.read().count(b"WARC/1.1\r\n") == 3


def test_our_reader_gets_back_the_page_site_and_hints(tmp_path):
    segments = WarcSegments(tmp_path, 10**9, gzip_level=6)
    archived = segments.write(exchange())
    segments.close()
    (capture,) = scan(tmp_path / archived.file, 10**7)
    assert isinstance(capture, Capture)
    assert capture.record_id == archived.record_id and capture.site == "site"
    assert capture.hints == DiscoveryHints(
        via="feed", title="Café headline", date_published="2026-11-20"
    )
    assert Loader(10**7).body(capture) == HTML


def test_segments_rotate_by_size_and_appear_only_when_published(tmp_path):
    segments = WarcSegments(tmp_path, 100_000, gzip_level=6)
    noise = [os.urandom(10_000) for _ in range(40)]  # does not compress
    files = {segments.write(exchange(n, body=noise[n])).file for n in range(40)}
    assert len(files) > 1, "rotated by size"
    warc = tmp_path / "warc"
    assert not list(warc.glob("*.warc.gz")), "nothing visible before a commit"
    moves = segments.seal()
    assert len(moves) == len(files)
    assert all(Path(t).exists() and not Path(f).exists() for t, f in moves)
    for temporary, final in moves[:1]:
        Path(temporary).replace(final)  # what the ledger's commit does
    segments.published(moves[:1])
    assert segments.seal() == moves[1:], "unpublished segments wait for the next commit"
    segments.write(exchange(99))
    assert segments.close() == len(files)  # the rest, and the one opened since
    assert not temporary_files(tmp_path)
    ids = [r[1].get_header("WARC-Record-ID") for p in warc.iterdir() for r in records(p)]
    assert len(ids) == len(set(ids)) == 41 * 2 + len(files) + 1


def test_a_failed_write_breaks_the_writer_and_leaves_no_torn_record(tmp_path, monkeypatch):
    segments = WarcSegments(tmp_path, 10**9, gzip_level=6)
    segments.write(exchange(1))
    broken = exchange(2, body=HTML)
    original = writer._Segment.write

    def write(self, item):
        real_write = self.file.write

        def half(data):
            real_write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

        self.file.write = half
        try:
            return original(self, item)
        finally:
            self.file.write = real_write

    monkeypatch.setattr(writer._Segment, "write", write)
    with pytest.raises(OSError, match="No space"):
        segments.write(broken)
    with pytest.raises(WarcBroken):
        segments.seal()
    with pytest.raises(WarcBroken):
        segments.write(exchange(3))
    assert segments.close() == 1
    (path,) = (tmp_path / "warc").iterdir()
    kinds = [r[0] for r in records(path)]
    assert kinds == ["warcinfo", "response", "request"], "the torn record was cut off"
    assert not temporary_files(tmp_path)


def test_a_url_with_non_ascii_characters_is_archived(tmp_path):
    segments = WarcSegments(tmp_path, 10**9, gzip_level=6)
    archived = segments.write(exchange(url="http://site.test/economía/niño?q=ß"))
    segments.close()
    (_, response, request) = records(tmp_path / archived.file)
    assert response[1].get_header("WARC-Target-URI") == "http://site.test/economía/niño?q=ß"
    assert request[2].statusline.startswith("/econom%C3%ADa/ni%C3%B1o?q=%C3%9F ")


def test_the_gzip_level_is_the_settings_and_every_level_reads_back(tmp_path):
    page = (
        b"<html><body>" + b"<p>The council met on Tuesday to vote.</p>" * 2000 + b"</body></html>"
    )
    sizes = {}
    for level in (1, 3, 4, 9):  # ISA-L's levels, then zlib's
        segments = WarcSegments(tmp_path / str(level), 10**9, gzip_level=level)
        archived = segments.write(
            exchange(body=page, response_headers=[("Content-Type", "text/html")])
        )
        segments.close()
        path = tmp_path / str(level) / archived.file
        sizes[level] = path.stat().st_size
        (_, response, request) = records(path)  # digests checked
        assert response[3] == page and request[0] == "request"
    assert sizes[1] > sizes[3] > sizes[9]


_OPTIONAL_TEXT = st.none() | st.text(max_size=20)


@given(
    st.builds(
        DiscoveryHints,
        via=st.sampled_from(["feed", "sitemap", "page", "archive"]),
        source_url=_OPTIONAL_TEXT,
        title=_OPTIONAL_TEXT,
        date_published=_OPTIONAL_TEXT,
        date_modified=_OPTIONAL_TEXT,
    )
)
def test_hints_cross_the_archive_as_one_ascii_line(hints):
    value = hints_field(hints)
    assert value.isascii() and "\n" not in value and "\r" not in value
    assert parse_hints(value) == hints
