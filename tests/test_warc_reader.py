"""Reading WARC files: every kind of damage is a named skip, never an exception."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import resource
import zlib
from pathlib import Path

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.archive.reader import (
    Capture,
    Damaged,
    Loader,
    Skip,
    SkipReason,
    _direct_payload,
    scan,
)
from tests.warcs import PAGE, http_response, record, response, warcinfo, write_members

LIMIT = 16 * 1024 * 1024


def read(path: Path, limit: int = LIMIT) -> tuple[list[Capture], list[Skip]]:
    items = list(scan(path, limit))
    captures = [i for i in items if isinstance(i, Capture)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert len(captures) + len(skips) == len(items)
    return captures, skips


def urls(captures: list[Capture]) -> list[str]:
    return [c.url for c in captures]


def good(n: int) -> bytes:
    return response(f"http://a.test/{n}.html")


def test_a_clean_file_reads_whole_and_bodies_load(tmp_path):
    path = write_members(tmp_path / "ok.warc.gz", [warcinfo(), good(1), good(2)])
    captures, skips = read(path)
    assert urls(captures) == ["http://a.test/1.html", "http://a.test/2.html"] and not skips
    assert Loader(LIMIT).body(captures[1]) == PAGE


def test_uncompressed_files_read_the_same(tmp_path):
    path = write_members(tmp_path / "ok.warc", [warcinfo(), good(1), good(2)], compress=False)
    captures, _ = read(path)
    assert len(captures) == 2 and Loader(LIMIT).body(captures[1]) == PAGE


def test_a_truncated_gzip_member_is_skipped(tmp_path):
    members = [gzip.compress(m) for m in (warcinfo(), good(1), good(2))]
    last = members[-1][: len(members[-1]) // 2]
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(b"".join(members[:-1]) + last)
    captures, skips = read(path)
    assert urls(captures) == ["http://a.test/1.html"]
    assert [s.reason for s in skips] == [SkipReason.TRUNCATED]


def test_a_cut_member_in_the_middle_costs_that_record_only(tmp_path):
    # What the cut member's inflater makes of the next member's bytes depends on the bytes
    # (each record has a random ID): usually an error, about once in a hundred files a
    # clean inflate up to the file's end, once in a thousand data after the record. Each
    # time, the record after it is read.
    damaged = {SkipReason.TRUNCATED, SkipReason.BAD_RECORD, SkipReason.BAD_LENGTH}
    path = tmp_path / "hole.warc.gz"
    for _ in range(_CUT_FILES):
        members = [gzip.compress(m) for m in (warcinfo(), good(1), good(2), good(3))]
        members[2] = members[2][: len(members[2]) // 2]
        path.write_bytes(b"".join(members))
        captures, skips = read(path)
        assert urls(captures) == ["http://a.test/1.html", "http://a.test/3.html"]
        assert len(skips) == 1 and skips[0].reason in damaged


_CUT_FILES = 400


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("error", [+500, -500])
def test_a_content_length_that_lies_is_skipped(tmp_path, compress, error):
    block = http_response(PAGE)
    liar = record("http://a.test/liar.html", block, length=len(block) + error)
    path = write_members(tmp_path / "liar.warc", [warcinfo(), good(1), liar, good(2)], compress)
    captures, skips = read(path)
    assert urls(captures) == ["http://a.test/1.html", "http://a.test/2.html"]
    assert [s.reason for s in skips] == [SkipReason.BAD_LENGTH]
    assert skips[0].url == "http://a.test/liar.html"


def test_non_http_records_are_skipped(tmp_path):
    members = [
        warcinfo(),
        record("dns:a.test", b"20261120100000\na.test. 300 IN A 192.0.2.1\n"),
        record("http://a.test/odd.html", b"this is not an HTTP response at all\r\n\r\nbody"),
        record("http://a.test/doc.html", b"<html>a resource record</html>", kind="resource"),
        record("http://a.test/1.html", b"GET / HTTP/1.1\r\n\r\n", kind="request"),
        good(1),
    ]
    path = write_members(tmp_path / "mixed.warc.gz", members)
    counts: dict[str, int] = {}
    items = list(scan(path, LIMIT, counts))
    assert [i.reason for i in items if isinstance(i, Skip)] == [SkipReason.NOT_HTTP] * 2
    assert [i.url for i in items if isinstance(i, Capture)] == ["http://a.test/1.html"]
    assert counts == {"warcinfo": 1, "response": 3, "resource": 1, "request": 1}


def test_a_100_mb_record_is_skipped_without_holding_it(tmp_path):
    path = tmp_path / "huge.warc.gz"
    size = 100 * 1024 * 1024
    head = http_response(b"")
    with path.open("wb") as out:
        out.write(gzip.compress(warcinfo()))
        out.write(gzip.compress(good(1)))
        member = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        header = record("http://a.test/huge.html", b"", length=len(head) + size)[:-4]
        out.write(member.compress(header + head))
        chunk = b"<p>" + b"x" * (1024 * 1024 - 3)
        for _ in range(size // len(chunk)):
            out.write(member.compress(chunk))
        out.write(member.compress(b"\r\n\r\n") + member.flush())
        out.write(gzip.compress(good(2)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    captures, skips = read(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert urls(captures) == ["http://a.test/1.html", "http://a.test/2.html"]
    assert [s.reason for s in skips] == [SkipReason.TOO_LARGE]
    assert grown_mb < 40, f"reading grew the process by {grown_mb:.0f} MB"


def test_a_non_utf8_page_is_read_as_bytes(tmp_path):
    page = "<html><body><p>Café, naïve, déjà vu</p></body></html>".encode("cp1252")
    path = write_members(
        tmp_path / "latin.warc.gz",
        [response("http://a.test/1.html", page, content_type="text/html")],
    )
    (capture,), _ = read(path)
    assert Loader(LIMIT).body(capture) == page  # decoded later as a browser would


def test_bodies_are_decoded_and_bombs_refused(tmp_path):
    gz = http_response(gzip.compress(PAGE), extra=[("Content-Encoding", "gzip")])
    br = http_response(brotli.compress(PAGE), extra=[("Content-Encoding", "br")])
    chunked = http_response(
        b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE), extra=[("Transfer-Encoding", "chunked")]
    )
    broken = http_response(b"not gzip at all", extra=[("Content-Encoding", "gzip")])
    bomb = http_response(gzip.compress(b"\0" * 2_000_000), extra=[("Content-Encoding", "gzip")])
    members = [record(f"http://a.test/{n}", block) for n, block in enumerate((gz, br, chunked))]
    members += [record("http://a.test/broken", broken), record("http://a.test/bomb", bomb)]
    captures, _ = read(write_members(tmp_path / "enc.warc.gz", members))
    loader = Loader(1_000_000)
    assert [loader.body(c) for c in captures[:3]] == [PAGE] * 3
    with pytest.raises(Damaged) as broken_body:
        loader.body(captures[3])
    assert broken_body.value.reason is SkipReason.BAD_ENCODING
    with pytest.raises(Damaged) as too_large:
        loader.body(captures[4])
    assert too_large.value.reason is SkipReason.TOO_LARGE


def _encoded_members() -> list[bytes]:
    gz = http_response(gzip.compress(PAGE), extra=[("Content-Encoding", "gzip")])
    chunked = http_response(
        b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE), extra=[("Transfer-Encoding", "chunked")]
    )
    blocks = (gz, chunked, http_response(PAGE), http_response(b""))
    return [warcinfo()] + [record(f"http://a.test/{n}", b) for n, b in enumerate(blocks)]


@pytest.mark.parametrize("compress", [True, False])
def test_bodies_are_read_where_the_scan_found_them_as_warcio_reads_them(tmp_path, compress):
    path = write_members(tmp_path / "direct.warc", _encoded_members(), compress=compress)
    captures, skips = read(path)
    assert len(captures) == 4 and not skips
    loader = Loader(LIMIT)
    with path.open("rb") as handle:
        assert all(_direct_payload(handle, c) is not None for c in captures)
    unplaced = [dataclasses.replace(c, record_length=0) for c in captures]  # warcio reads
    assert [loader.body(c) for c in captures] == [loader.body(c) for c in unplaced]
    assert [loader.body(c) for c in captures] == [PAGE, PAGE, PAGE, b""]


@pytest.mark.parametrize("compress", [True, False])
def test_a_record_changed_since_the_scan_is_damaged(tmp_path, compress):
    path = write_members(tmp_path / "changed.warc", [warcinfo(), good(1)], compress=compress)
    (captured,) = read(path)[0]
    # The same file name, rewritten with another record (another WARC-Record-ID) there.
    write_members(path, [warcinfo(), good(1)], compress=compress)
    with path.open("rb") as handle:
        assert _direct_payload(handle, captured) is None
    with pytest.raises(Damaged) as changed:
        Loader(LIMIT).body(captured)
    assert changed.value.reason is SkipReason.BAD_RECORD


def test_garbage_between_records_is_skipped_and_reading_goes_on(tmp_path):
    path = tmp_path / "garbage.warc.gz"
    path.write_bytes(
        gzip.compress(good(1)) + b"\x00garbage\x1f\x8b\x08 not gzip" * 50 + gzip.compress(good(2))
    )
    captures, skips = read(path)
    assert urls(captures) == ["http://a.test/1.html", "http://a.test/2.html"]
    assert [s.reason for s in skips] == [SkipReason.BAD_RECORD]


def test_a_file_gzipped_whole_says_how_to_fix_it(tmp_path):
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(warcinfo() + good(1) + good(2)))
    _, skips = read(path)
    assert skips and "one gzip member per record" in skips[0].detail


def test_an_unreadable_file_is_a_skip(tmp_path):
    (skip,) = scan(tmp_path / "missing.warc.gz", LIMIT)
    assert isinstance(skip, Skip) and skip.reason is SkipReason.UNREADABLE


_SAMPLE = gzip.compress(warcinfo()) + b"".join(gzip.compress(good(n)) for n in range(3))
_PLAIN = warcinfo() + b"".join(good(n) for n in range(3))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plain=st.booleans(),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)), max_size=4),
    cut=st.floats(0.05, 1),
)
def test_any_damage_is_skipped_never_raised(tmp_path, plain, edits, cut):
    data = bytearray(_PLAIN if plain else _SAMPLE)
    for where, replacement in edits:
        at = int(where * (len(data) - 1))
        data[at : at + len(replacement)] = replacement
    path = tmp_path / "fuzz.warc"
    path.write_bytes(bytes(data[: int(len(data) * cut)]))
    loader = Loader(LIMIT)
    for item in scan(path, LIMIT):
        if isinstance(item, Capture):
            with contextlib.suppress(Damaged):
                loader.body(item)
    loader.close()
