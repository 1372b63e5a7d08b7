"""WARC segments that appear whole, together with the records that point into them.

Every exchange becomes a response record and a request record (WARC/1.1, each its own
gzip member, the request naming the response in ``WARC-Concurrent-To``, both with block
and payload digests), appended to the open *segment*: a file under a temporary name
(:func:`pipelines.output.layout.temporary_name`) in the run directory's ``warc/`` folder.

A segment is *sealed* (closed, never written again) when it reaches ``max_bytes``, or when
a batch of records commits: :meth:`WarcSegments.seal` hands every sealed segment's
(temporary, final) move to the batch's commit, which makes them durable and renames them
in the same step as the batch (:class:`pipelines.state.ledger.EmissionLedger`). A record
is thus committed exactly when the WARC file holding its response is complete and visible;
a crash before the commit leaves only temporary files, which the next start removes. The
segment still open at the end of the run holds pages no record points to (drops,
duplicates): :meth:`WarcSegments.close` publishes it all the same, as re-cleaning wants them.

A write that fails (a full disk) breaks the writer: the torn record is cut off again where
possible, and every later seal raises, so no batch commits a record whose response is
not archived.
"""

from __future__ import annotations

import contextlib
import logging
import os
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlsplit

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from pipelines.archive.records import (
    HINTS_FIELD,
    SITE_FIELD,
    SOFTWARE,
    Archived,
    Exchange,
    hints_field,
    warc_date,
)
from pipelines.output.files import FileMove, create_new, finish_moves, make_durable
from pipelines.output.layout import WARC_DIR_NAME, temporary_name

logger = logging.getLogger(__name__)

SUFFIX = ".warc.gz"
# The body we archive is de-chunked: a Transfer-Encoding header would make readers try
# to de-chunk it again.
_HOP_BY_HOP = frozenset({"transfer-encoding"})
# Characters a request target keeps as they are (RFC 3986 reserved and unreserved, and %).
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"


# Levels up to this one compress with ISA-L's igzip instead of zlib.
FAST_LEVELS = 3


def gzip_member(level: int) -> zlib._Compress | isal_zlib.Compress:
    """A compressor writing one gzip member at ``level`` (1-9, as gzip's own levels).

    Levels 1-3 are ISA-L's (python-isal): on the throughput benchmark's 100 KB pages its
    level 1 takes 0.1 ms a page for 15.5% of the HTML's bytes and its level 3 0.27 ms for
    15.0%, where zlib takes 1.0 ms at its default 6 for 14.2% and 0.5 ms at its level 1
    for 16.1%. Levels 4-9 are zlib's. Either way the output is plain gzip, read by any WARC
    tool.
    """
    if level <= FAST_LEVELS:
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
    return zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)


class _LevelledWarcWriter(WARCWriter):
    """warcio's writer, gzipping each record as its own member at a chosen level.

    warcio compresses with zlib at level 9, fixed: on 100 KB pages that is 1.5 ms of the
    Scrapy process's CPU a page (see :func:`gzip_member` for the levels offered instead).
    """

    def __init__(self, out: BytesIO, level: int) -> None:
        super().__init__(out, gzip=False, warc_version="1.1")
        self.level = level

    def _write_warc_record(self, out: IO[bytes], record: object) -> None:
        plain = BytesIO()
        super()._write_warc_record(plain, record)
        member = gzip_member(self.level)
        out.write(member.compress(plain.getbuffer()) + member.flush())


class WarcBroken(OSError):
    """An earlier write failed: nothing archived since can be committed."""


class _Segment:
    def __init__(self, final: Path, relative: str, level: int) -> None:
        self.final = final
        self.relative = relative
        self.temporary = temporary_name(final)
        self.file: IO[bytes] = create_new(self.temporary)
        # Records are built in memory and written in one call: a record that cannot be
        # built never touches the file, and a failed write tears at most that one call.
        self.buffer = BytesIO()
        self.writer = _LevelledWarcWriter(self.buffer, level)
        info = self.writer.create_warcinfo_record(
            final.name,
            {
                "software": SOFTWARE,
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/"
                "specifications/warc-format/warc-1.1/",
            },
        )
        self.writer.write_record(info)
        self._flush_buffer()

    def _flush_buffer(self) -> None:
        self.file.write(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()

    def write(self, exchange: Exchange) -> str:
        writer = self.writer
        # Given in the usual order (type, id, date, target); warcio adds the rest after.
        fields = {
            "WARC-Type": "response",
            "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
            "WARC-Date": warc_date(exchange.date or datetime.now(UTC)),
            "WARC-Target-URI": exchange.url,
        }
        if exchange.ip_address:
            fields["WARC-IP-Address"] = exchange.ip_address
        if exchange.site:
            fields[SITE_FIELD] = exchange.site
        if exchange.hints is not None:
            fields[HINTS_FIELD] = hints_field(exchange.hints)
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in _HOP_BY_HOP]
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=StatusAndHeaders(
                f"{exchange.status} {_reason(exchange.status)}".strip(),
                headers,
                protocol=exchange.protocol or "HTTP/1.1",
            ),
            warc_headers_dict=fields,
        )
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                f"{exchange.method} {_target(exchange.url)} {exchange.protocol or 'HTTP/1.1'}",
                _with_host(exchange.request_headers, exchange.url),
                is_http_request=True,
            ),
        )
        try:
            writer.write_request_response_pair(request, response)
        except BaseException:
            self.buffer.seek(0)
            self.buffer.truncate()
            raise
        self._flush_buffer()
        return str(response.rec_headers.get_header("WARC-Record-ID"))


class WarcSegments:
    """The WARC segments of one run directory; not thread-safe (the reactor's thread)."""

    def __init__(
        self,
        run_dir: Path,
        max_bytes: int,
        prefix: str | None = None,
        *,
        gzip_level: int,
    ) -> None:
        self.directory = run_dir / WARC_DIR_NAME
        self.max_bytes = max_bytes
        self.gzip_level = gzip_level
        started = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.prefix = prefix or f"newscrawler-{started}"
        self.exchanges = 0
        self.files = 0
        self._serial = 0
        self._open: _Segment | None = None
        self._sealed: list[FileMove] = []
        self._broken: OSError | None = None
        self._torn: _Segment | None = None  # the segment a failed write left behind
        self._torn_cut = False  # ... and whether its torn record was cut off again

    @property
    def broken(self) -> OSError | None:
        return self._broken

    def write(self, exchange: Exchange) -> Archived:
        """Append one exchange; raises OSError (and the writer is broken from then on)."""
        if self._broken is not None:
            raise WarcBroken(f"the WARC writer failed earlier: {self._broken}")
        segment = self._open
        start = 0
        try:
            if segment is None:
                segment = self._open = self._start()
            start = segment.file.tell()
            record_id = segment.write(exchange)
            size = segment.file.tell()
        except OSError as exc:
            self._break(segment, start, exc)
            raise
        self.exchanges += 1
        if size >= self.max_bytes:
            self._seal_open()
        return Archived(segment.relative, record_id)

    def seal(self) -> list[FileMove]:
        """Seal the open segment; every sealed segment not yet published, as moves.

        Raises OSError when the writer is broken: the batch asking must not commit.
        """
        if self._broken is not None:
            raise WarcBroken(f"the WARC writer failed earlier: {self._broken}")
        self._seal_open()
        return list(self._sealed)

    def published(self, moves: list[FileMove]) -> None:
        """These moves were committed (and renamed): they are no longer ours to publish."""
        done = set(moves)
        self._sealed = [move for move in self._sealed if move not in done]

    def close(self) -> int:
        """Seal and publish whatever is left; returns the number of files published.

        Raises OSError when they cannot be made durable or renamed.
        """
        if self._broken is None:
            self._seal_open()
        elif self._torn is not None:
            self._publish_torn(self._torn)
        moves, self._sealed = self._sealed, []
        if not moves:
            return 0
        make_durable(Path(temporary) for temporary, _ in moves)
        return finish_moves(moves)

    # --- segments -----------------------------------------------------------------

    def _start(self) -> _Segment:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            name = f"{self.prefix}-{self._serial:05d}{SUFFIX}"
            final = self.directory / name
            if not final.exists():
                return _Segment(final, f"{WARC_DIR_NAME}/{name}", self.gzip_level)

    def _seal_open(self) -> None:
        segment, self._open = self._open, None
        if segment is None:
            return
        try:
            segment.file.close()
        except OSError as exc:
            # Its last bytes may be lost: the segment can never be published.
            self._broken = exc
            segment.temporary.unlink(missing_ok=True)
            raise
        self._sealed.append((str(segment.temporary), str(segment.final)))
        self.files += 1

    def _break(self, segment: _Segment | None, start: int, exc: OSError) -> None:
        """A write failed: remember it, and cut the torn record off if the disk lets us."""
        self._broken = exc
        self._open = None
        if segment is None:
            return
        self._torn = segment
        # What did not reach the file is cut off below anyway.
        with contextlib.suppress(OSError):
            segment.file.flush()
        try:
            os.ftruncate(segment.file.fileno(), start)
            segment.file.seek(start)
            self._torn_cut = True
        except OSError as cut:
            logger.info("Could not cut off the torn WARC record in %s: %s", segment.final, cut)

    def _publish_torn(self, segment: _Segment) -> None:
        """Publish what a failed write left if the torn record was cut off; else delete."""
        self._torn = None
        cut = self._torn_cut
        try:
            segment.file.close()
        except OSError:
            cut = False  # the cut-off tail may not have reached the disk either
        if cut and segment.temporary.stat().st_size > 0:
            self._sealed.append((str(segment.temporary), str(segment.final)))
        else:
            segment.temporary.unlink(missing_ok=True)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _target(url: str) -> str:
    """The request target as sent: ASCII, anything else percent-encoded (UTF-8)."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe=_URL_SAFE)
    return f"{path}?{quote(parts.query, safe=_URL_SAFE)}" if parts.query else path


def _with_host(headers: list[tuple[str, str]], url: str) -> list[tuple[str, str]]:
    if any(name.lower() == "host" for name, _ in headers):
        return headers
    return [("Host", urlsplit(url).netloc), *headers]
