"""Response records of WARC files, ours or anyone's, with damage as named skips.

:func:`scan` walks a file once and yields, for every response record, either a
:class:`Capture` (the record reads whole: where it is and what its headers say) or a
:class:`Skip` with a :class:`SkipReason`. It never raises for what the file holds: a
record whose Content-Length lies, a gzip member cut short, a record that is not HTTP, one
over the size limit, bytes that are no WARC record at all. After damage that loses the
thread, reading resumes at the next record found (the next gzip member starting with
``WARC/``, or the next ``WARC/1.x`` line of an uncompressed file), so one bad record
costs that record only.

:class:`Loader` reads a capture's body later (files are read by offset: gzip-per-record
WARC files can be entered at any record), straight from where the scan found it when the
record is as scanned (warcio reads it again otherwise), de-chunked and with its
Content-Encoding undone (:mod:`pipelines.archive.decoding`), never more than the size
limit.

warcio does the WARC framing; the HTTP head is parsed here with a size bound (warcio would
read a header "line" of any length into memory), and warcio's warning about a record
followed by stray data goes to the caller as ``bad_length`` instead of to stderr.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import IO, Any, ClassVar, cast

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BUFF_SIZE, ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.statusandheaders import (
    StatusAndHeaders,
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)

from crawler.items import DiscoveryHints
from pipelines.archive.decoding import TooLarge, Undecodable, decode_body
from pipelines.archive.records import HINTS_FIELD, SITE_FIELD, parse_hints, parse_warc_date

# isal's stub declares its error class as an instance of Exception.
_ISAL_ERROR = cast("type[Exception]", isal_zlib.error)
# What warcio, zlib and isal raise on bytes that are not what they should be. Anything else
# is a bug of ours, and should be seen as one.
_DAMAGE = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    EOFError,
    zlib.error,
    _ISAL_ERROR,
    ValueError,  # also UnicodeDecodeError
    IndexError,
    KeyError,
    TypeError,
    AttributeError,  # warcio on some malformed header blocks
)
_HTTP = ["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0", "HTTP/3"]
_MAX_HEAD = 64 * 1024  # an HTTP head larger than this is not a page's
_BLOCK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/1."


class SkipReason(StrEnum):
    """Why a record of a WARC file is not read (stat ``news/warc/<reason>``)."""

    TRUNCATED = "truncated"  # the record is cut short (cut gzip member, file end, WARC-Truncated)
    BAD_LENGTH = "bad_length"  # its Content-Length disagrees with the record
    BAD_RECORD = "bad_record"  # no WARC record where one should start; reading resumes after
    NOT_HTTP = "not_http"  # a response record without an HTTP response in it
    TOO_LARGE = "too_large"  # the record, or its decoded body, is over the size limit
    BAD_ENCODING = "bad_encoding"  # its Content-Encoding cannot be undone
    UNREADABLE = "unreadable"  # the file cannot be read at all (I/O error)

    @property
    def stat(self) -> str:
        return f"news/warc/{self.value}"


@dataclass(frozen=True)
class Capture:
    """A response record that reads whole, and what its headers say."""

    path: Path
    offset: int  # where its record (its gzip member) starts
    url: str
    record_id: str
    date: datetime | None
    status: int
    content_type: str | None
    content_encoding: str | None
    chunked: bool
    site: str | None = None  # our own records: the registry site it was fetched for
    hints: DiscoveryHints | None = None  # our own records: what the feed said
    # Where the body lies, for Loader's direct read (0: unknown, warcio reads it again):
    record_length: int = 0  # bytes of the record in the file (its gzip member)
    block_length: int = 0  # the record's Content-Length
    head_length: int = 0  # bytes of the HTTP status line and headers, blank line included


@dataclass(frozen=True)
class Skip:
    reason: SkipReason
    path: Path
    offset: int
    url: str | None
    detail: str


class Damaged(Exception):
    """A capture's body cannot be read after all."""

    def __init__(self, reason: SkipReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


def _gzip_member() -> isal_zlib.Decompress:
    return isal_zlib.decompressobj(isal_zlib.MAX_WBITS + 16)


class _Reader(DecompressingBufferedReader):
    """warcio's reader, inflating gzip members with ISA-L (the ``isal`` package the archive
    writer uses): 2.5x zlib's speed, and every record is inflated twice, once to plan the
    run and once to load its body (0.18 ms a 100 KB page saved in all)."""

    DECOMPRESSORS: ClassVar[dict[str, Callable[[], Any]]] = {
        **DecompressingBufferedReader.DECOMPRESSORS,
        "gzip": _gzip_member,
    }


class _Iterator(ArchiveIterator):
    """warcio's iterator, on :class:`_Reader`, reporting stray data after a record instead
    of printing it."""

    def __init__(self, handle: IO[bytes], no_record_parse: bool = True) -> None:
        super().__init__(handle, no_record_parse=no_record_parse)
        # Nothing is read before the first record is asked for: the reader can be swapped.
        self.reader = _Reader(self.fh, block_size=BUFF_SIZE)

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        first_line = True
        while True:
            line = self.reader.readline()
            if len(line) == 0:
                return None, empty_size
            stripped = line.rstrip()
            if len(stripped) == 0 or first_line:
                empty_size += len(line)
                if len(stripped) != 0:
                    self.err_count += 1  # the record's Content-Length was wrong
                first_line = False
                continue
            return line, empty_size


def scan(
    path: Path, max_bytes: int, counts: dict[str, int] | None = None
) -> Iterator[Capture | Skip]:
    """Every response record of ``path``, as a :class:`Capture` or a :class:`Skip`.

    ``counts`` (if given) gets the number of records of each WARC-Type.
    """
    try:
        handle = path.open("rb")
        gzipped = handle.read(2) == _GZIP_MAGIC[:2]
    except OSError as exc:
        yield Skip(SkipReason.UNREADABLE, path, 0, None, str(exc))
        return
    with handle:
        position: int | None = 0
        try:
            while position is not None:
                position = yield from _scan_from(handle, path, position, gzipped, max_bytes, counts)
        except OSError as exc:
            yield Skip(SkipReason.UNREADABLE, path, position or 0, None, str(exc))


def _scan_from(
    handle: IO[bytes],
    path: Path,
    offset: int,
    gzipped: bool,
    max_bytes: int,
    counts: dict[str, int] | None,
) -> Generator[Capture | Skip, None, int | None]:
    """Records from ``offset`` on; returns where to resume after damage, or None at the end."""
    handle.seek(offset)
    iterator = _Iterator(handle, no_record_parse=True)
    records = iter(iterator)
    while True:
        start = iterator.offset
        try:
            record = next(records)
        except StopIteration:
            return None
        except _DAMAGE as exc:
            yield Skip(SkipReason.BAD_RECORD, path, start, None, _describe(exc, gzipped))
            return _next_record(handle, start + 1, gzipped)
        kind = str(record.rec_type or "unknown")
        if counts is not None and record.format == "warc":
            counts[kind] = counts.get(kind, 0) + 1
        try:
            outcome, lost = _examine(record, iterator, path, start, max_bytes)
        except _DAMAGE as exc:
            yield Skip(SkipReason.BAD_RECORD, path, start, _url(record), _describe(exc, gzipped))
            return _next_record(handle, start + 1, gzipped)
        if outcome is not None:
            yield outcome
        if lost:  # stray data after the record: the next one starts somewhere after it
            return _next_record(handle, start + 1, gzipped)


def _examine(
    record: Any, iterator: _Iterator, path: Path, start: int, max_bytes: int
) -> tuple[Capture | Skip | None, bool]:
    """The record as a capture or a skip (None: not a response); and whether the thread
    of records is lost after it."""
    headers = record.rec_headers
    url = _url(record)
    if record.format != "warc":
        # warcio falls back to ARC for a first line that is not WARC/1.x: here that is
        # damage (ARC files are not read), so look for the next WARC record.
        return Skip(SkipReason.BAD_RECORD, path, start, None, "not a WARC record"), True
    if record.rec_type != "response":
        iterator.read_to_end()
        return None, False

    def skip(reason: SkipReason, detail: str, *, lost: bool = False) -> tuple[Skip, bool]:
        return Skip(reason, path, start, url or None, detail), lost

    declared = _content_length(headers.get_header("Content-Length"))
    if declared is None:
        # Without a length the record's end is unknown: find the next record instead.
        return skip(SkipReason.BAD_LENGTH, "no valid Content-Length", lost=True)
    stream = record.raw_stream
    http_url = url.lower().startswith(("http:", "https:"))
    # The HTTP head only of what may be a page: a 100 MB block is streamed through unparsed.
    http = _http_head(stream) if http_url and declared <= max_bytes else None
    head_length = declared - stream.limit
    while stream.read(_BLOCK):
        pass
    if stream.limit > 0:  # the record ends before its Content-Length says
        decompressor = getattr(iterator.reader, "decompressor", None)
        cut = decompressor is None or not getattr(decompressor, "eof", True)
        if cut:
            # A member cut in the middle of a file runs on into the next members' bytes,
            # which inflate as its own now and then: look for the next record after it.
            return skip(SkipReason.TRUNCATED, f"{stream.limit} bytes missing at the end", lost=True)
        return skip(SkipReason.BAD_LENGTH, f"Content-Length {declared} over the record's end")
    errors = iterator.err_count
    iterator.read_to_end()
    record_length = iterator.get_record_length()
    if iterator.err_count > errors:
        detail = f"data after the record's Content-Length ({declared})"
        return skip(SkipReason.BAD_LENGTH, detail, lost=True)
    if declared > max_bytes:
        return skip(SkipReason.TOO_LARGE, f"record of {declared} bytes (limit {max_bytes})")
    if headers.get_header("WARC-Truncated"):
        return skip(SkipReason.TRUNCATED, f"WARC-Truncated: {headers.get_header('WARC-Truncated')}")
    if not http_url:
        return skip(SkipReason.NOT_HTTP, f"target {url[:100]!r} is not an HTTP URL")
    if http is None:
        return skip(SkipReason.NOT_HTTP, "no HTTP response status line and headers")
    status = int(http.get_statuscode())
    encoding = http.get_header("Content-Encoding")
    transfer = (http.get_header("Transfer-Encoding") or "").lower()
    capture = Capture(
        path=path,
        offset=start,
        url=url,
        record_id=str(headers.get_header("WARC-Record-ID") or ""),
        date=parse_warc_date(headers.get_header("WARC-Date")),
        status=status,
        content_type=http.get_header("Content-Type"),
        content_encoding=encoding,
        chunked="chunked" in transfer,
        site=headers.get_header(SITE_FIELD),
        hints=parse_hints(headers.get_header(HINTS_FIELD)),
        record_length=record_length,
        block_length=declared,
        head_length=head_length,
    )
    return capture, False


def _http_head(stream: Any) -> StatusAndHeaders | None:
    """The HTTP status line and headers at the start of a response block, or None."""
    head = LimitReader(stream, _MAX_HEAD)
    try:
        parsed = StatusAndHeadersParser(_HTTP, verify=True).parse(head)
        code = int(parsed.get_statuscode())
    except _DAMAGE:
        return None
    if head.limit == 0 or not 100 <= code <= 599:
        return None
    return parsed


def _content_length(value: str | None) -> int | None:
    try:
        length = int(str(value).strip())
    except ValueError:
        return None
    return length if length >= 0 else None


def _url(record: Any) -> str:
    value = record.rec_headers.get_header("WARC-Target-URI") or ""
    return str(value).strip().strip("<>")


def _describe(exc: BaseException, gzipped: bool) -> str:
    text = " ".join(str(exc).split())[:160]
    if "non-chunked gzip" in text:
        return "the file is one gzip stream, not one gzip member per record (warcio recompress)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _next_record(handle: IO[bytes], offset: int, gzipped: bool) -> int | None:
    """Where the next record starts at or after ``offset``; None if none does."""
    marker = _GZIP_MAGIC if gzipped else _WARC_LINE
    position = offset
    while True:
        handle.seek(position)
        block = handle.read(1024 * 1024)
        if len(block) < len(marker):
            return None
        found = block.find(marker)
        while found >= 0:
            candidate = position + found + (0 if gzipped else 1)
            if _starts_record(handle, candidate, gzipped):
                return candidate
            found = block.find(marker, found + 1)
        # Keep a marker's length of overlap: one may straddle the blocks.
        position += len(block) - len(marker) + 1


def _starts_record(handle: IO[bytes], offset: int, gzipped: bool) -> bool:
    handle.seek(offset)
    head = handle.read(4096)
    if not gzipped:
        return head.startswith(b"WARC/1.")
    try:
        text = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 16)
    except zlib.error:
        return False
    return text.startswith(b"WARC/")


def _direct_payload(handle: IO[bytes], capture: Capture) -> bytes | None:
    """The capture's HTTP payload, read by where the scan found it: the record (its gzip
    member) read and inflated whole, then sliced. None when the record is not as it was
    scanned, or its WARC head does not end in CRLF CRLF: warcio reads it then.

    The scan parsed both heads already; parsing them again through warcio's buffered
    readers cost twice the inflating (0.1 ms a 100 KB page).
    """
    if not capture.record_length:
        return None
    handle.seek(capture.offset)
    data = handle.read(capture.record_length)
    if data.startswith(_GZIP_MAGIC):
        inflater = _gzip_member()
        # Never more than the scanned record could hold, whatever the file holds now.
        record = inflater.decompress(data, _MAX_HEAD + capture.block_length + 4)
        if not inflater.eof:
            return None
    else:
        record = data
    head_end = record.find(b"\r\n\r\n", 0, _MAX_HEAD)
    block = head_end + 4
    payload_end = block + capture.block_length
    if (
        head_end < 0
        or not record.startswith(b"WARC/")
        or capture.record_id.encode("utf-8", "replace") not in record[:head_end]
        or not record.startswith(b"HTTP/", block)
        or len(record) < payload_end
    ):
        return None
    return record[block + capture.head_length : payload_end]


def _payload_stream(handle: IO[bytes], capture: Capture) -> Any:
    """The capture's HTTP payload as a stream, the record read again with warcio."""
    handle.seek(capture.offset)
    record = next(iter(_Iterator(handle)))
    if str(record.rec_headers.get_header("WARC-Record-ID") or "") != capture.record_id:
        raise Damaged(SkipReason.BAD_RECORD, "the file changed since it was scanned")
    stream: Any = record.raw_stream
    if _http_head(stream) is None:
        raise Damaged(SkipReason.NOT_HTTP, "the file changed since it was scanned")
    return stream


class Loader:
    """Reads captures' bodies by offset, one open file at a time."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._path: Path | None = None
        self._handle: IO[bytes] | None = None

    def body(self, capture: Capture) -> bytes:
        """The capture's body, decoded; raises :class:`Damaged`."""
        try:
            handle = self._open(capture.path)
            payload = _direct_payload(handle, capture)
            stream: Any = _payload_stream(handle, capture) if payload is None else BytesIO(payload)
            if capture.chunked:
                stream = ChunkedDataReader(stream)
            raw = stream.read(self.max_bytes + 1)
        except OSError as exc:
            raise Damaged(SkipReason.UNREADABLE, str(exc)) from exc
        except (StopIteration, *_DAMAGE) as exc:
            raise Damaged(SkipReason.BAD_RECORD, _describe(exc, True)) from exc
        if len(raw) > self.max_bytes:
            raise Damaged(SkipReason.TOO_LARGE, f"body over {self.max_bytes} bytes")
        try:
            return decode_body(raw, capture.content_encoding, self.max_bytes)
        except TooLarge as exc:
            raise Damaged(SkipReason.TOO_LARGE, str(exc)) from exc
        except Undecodable as exc:
            raise Damaged(SkipReason.BAD_ENCODING, str(exc)) from exc

    def _open(self, path: Path) -> IO[bytes]:
        if self._path != path or self._handle is None:
            self.close()
            self._handle = path.open("rb")
            self._path = path
        return self._handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle, self._path = None, None
