"""Turn an HTTP response body into text the way a browser would, without ever raising.

Order: byte-order mark, then the page's own ``<meta charset>`` / ``http-equiv`` (or XML)
declaration, then the HTTP header's charset, then UTF-8, then statistical detection and
finally windows-1252. A declared encoding is only trusted when the bytes decode strictly
with it, because servers and templates routinely declare one thing and send another.
"""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers scan only the start of the document for a declaration.
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)

# WHATWG maps these labels to supersets; decoding with the narrow codec would fail or
# mis-decode bytes that every browser shows correctly.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    # A page read as ASCII-compatible bytes cannot really be UTF-16; browsers use UTF-8.
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}
_FALLBACK = "cp1252"
# How much more "chaos" (charset_normalizer's mess ratio) windows-1252 may show and still win.
_TIE_CHAOS = 0.05
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "latin", "koi8", "mac", "cp874")


def _normalize(label: bytes | str | None) -> str | None:
    """Python codec name for an encoding label, or None when it is unknown."""
    if not label:
        return None
    text = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    try:
        name = codecs.lookup(text.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _declared_in_document(head: bytes) -> str | None:
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _normalize(match.group(1)) if match else None


def _declared_in_header(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _normalize(match.group(1)) if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_like_utf8(body: bytes) -> bool:
    """True when the body is valid UTF-8 and uses multi-byte sequences.

    Legacy single-byte text almost never forms valid multi-byte UTF-8 by chance, so such a
    body declared as latin-1/cp1252 is UTF-8 with a wrong label.
    """
    if body.isascii():
        return False
    return _strict(body, "utf-8") is not None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML response body to text; never raises on any bytes.

    A leading XML declaration is dropped: its encoding no longer applies to decoded text
    (browsers ignore it in HTML too), and lxml refuses text that carries one.
    """
    return _XML_DECLARATION.sub("", _decode(body, content_type), count=1)


def _decode(body: bytes, content_type: str | None) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")

    candidates = [_declared_in_document(body[:_PRESCAN_BYTES]), _declared_in_header(content_type)]
    for declared in candidates:
        if declared is None:
            continue
        if declared.startswith(_SINGLE_BYTE_PREFIXES) and _looks_like_utf8(body):
            logger.debug("declared %s but body is valid UTF-8; using UTF-8", declared)
            return body.decode("utf-8")
        text = _strict(body, declared)
        if text is not None:
            return text
        if declared.startswith(_SINGLE_BYTE_PREFIXES):
            # Only a few unassigned bytes fail here; browsers keep the label and so do we.
            return body.decode(declared, "replace")
        logger.debug("declared encoding %s does not decode the body strictly", declared)

    text = _strict(body, "utf-8")
    if text is not None:
        return text
    return body.decode(_detect(body), "replace")


def _detect(body: bytes) -> str:
    """Best statistical guess, preferring windows-1252 when it is about as plausible.

    Detectors confuse the Latin code pages on pages with few accented letters (French read
    as Baltic); browsers in Western locales fall back to windows-1252, so near-ties go to it.
    """
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return _FALLBACK
    best = matches[0]
    for match in matches:
        if _FALLBACK in match.could_be_from_charset and match.chaos <= best.chaos + _TIE_CHAOS:
            return _FALLBACK
    return best.encoding
