"""Content-Encodings of archived bodies, decoded with a size limit.

Our archive keeps bodies as the server sent them (Scrapy decodes only later, in a
downloader middleware), and Scrapy asks for gzip, deflate, br and zstd: a reader of our
own files must undo all four. Each decoder stops at ``limit`` bytes of output, so a
decompression bomb costs at most that much memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import brotli
from backports import zstd


class Undecodable(ValueError):
    """The body cannot be decoded (unknown or broken encoding)."""


class TooLarge(ValueError):
    """The decoded body would exceed the limit."""


_CHUNK = 64 * 1024


def decode_body(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """``body`` with its Content-Encoding undone (applied last, undone first)."""
    if not content_encoding:
        return body
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",")]):
        if coding in ("", "identity"):
            continue
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise Undecodable(f"unknown Content-Encoding {coding!r}")
        body = decoder(body, limit)
    return body


def _zlib(wbits: int) -> Callable[[bytes, int], bytes]:
    def decode(data: bytes, limit: int) -> bytes:
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            raise Undecodable(f"broken compressed body: {exc}") from exc
        if len(out) > limit:
            raise TooLarge(f"decoded body over {limit} bytes")
        return out

    return decode


_gzip = _zlib(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
_raw_deflate = _zlib(-zlib.MAX_WBITS)


def _deflate(data: bytes, limit: int) -> bytes:
    # "deflate" is zlib-wrapped by the standard and raw deflate by some servers.
    try:
        return _gzip(data, limit)
    except Undecodable:
        return _raw_deflate(data, limit)


def _brotli(data: bytes, limit: int) -> bytes:
    decompressor = brotli.Decompressor()
    out = bytearray()
    try:
        for start in range(0, len(data), _CHUNK):
            out += decompressor.process(data[start : start + _CHUNK], output_buffer_limit=limit)
            while not decompressor.can_accept_more_data():
                out += decompressor.process(b"", output_buffer_limit=limit)
                if len(out) > limit:
                    break
            if len(out) > limit:
                raise TooLarge(f"decoded body over {limit} bytes")
    except brotli.error as exc:
        raise Undecodable(f"broken brotli body: {exc}") from exc
    return bytes(out)


def _zstd(data: bytes, limit: int) -> bytes:
    decompressor = zstd.ZstdDecompressor()
    try:
        out = decompressor.decompress(data, max_length=limit + 1)
    except zstd.ZstdError as exc:
        raise Undecodable(f"broken zstd body: {exc}") from exc
    if len(out) > limit:
        raise TooLarge(f"decoded body over {limit} bytes")
    return out


_DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
    "gzip": _gzip,
    "x-gzip": _gzip,
    "deflate": _deflate,
    "br": _brotli,
    "zstd": _zstd,
}
