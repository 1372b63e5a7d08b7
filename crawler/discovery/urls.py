"""URL normalization: one canonical spelling per URL, and a looser identity for dedup.

``canonicalize_url`` returns a URL that still points at the same resource and can be
fetched: scheme and host lowercased, IDN hosts in punycode (IDNA 2003, Python's codec),
default port, fragment, user info, tracking parameters and ``;jsessionid=`` dropped,
percent-encoding normalized (unreserved characters decoded, other escapes upper-cased,
everything else encoded as UTF-8), ``.``/``..`` segments resolved, empty segments and the
trailing slash removed (``/a/b/`` and ``/a//b`` are ``/a/b``), query parameters sorted by
name (stable, so repeated names keep their order). ``www.`` is kept: it is a different host.

``url_identity_key`` goes further and may not be fetchable: it decides when two URLs are
the same article. It also drops ``www.``/``m.``/``amp.`` host prefixes, AMP markers
(``/amp/`` segments, a trailing ``/amp``, ``.amp.html``, ``?amp=1``) and maps http to https.
``article_id`` hashes it.

All functions are idempotent and raise only ``ValueError``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

__all__ = [
    "IDENTITY_HOST_PREFIXES",
    "TRACKING_PARAMS",
    "TRACKING_PARAM_PREFIXES",
    "TRACKING_PARAM_VALUES",
    "article_id",
    "canonicalize_url",
    "same_site",
    "site_host",
    "url_identity_key",
]

# Compared with the percent-decoded, lower-cased parameter name.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "smid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
    }
)
TRACKING_PARAM_PREFIXES: tuple[str, ...] = ("utm_",)
# Parameters that are tracking only with a given value: outputType=xhtml is content.
TRACKING_PARAM_VALUES: frozenset[tuple[str, str]] = frozenset({("outputtype", "amp")})

IDENTITY_HOST_PREFIXES: tuple[str, ...] = ("www.", "m.", "amp.")
_AMP_FLAG_VALUES = frozenset({"", "1", "true"})
_AMP_SUFFIX = ".amp.html"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_HOST_LENGTH = 253
_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_JSESSIONID = re.compile(r";jsessionid=[^;]*", re.IGNORECASE)


def _needs_encoding(safe: str) -> re.Pattern[str]:
    """Match a percent escape, or one character that is not allowed as is."""
    return re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~" + re.escape(safe) + "]")


# RFC 3986: segments allow sub-delims, ":" and "@"; query parts also "/" and "?". "&" and
# "=" never reach the encoder raw in a query key, and "&" never in a value.
_PATH_CHARS = _needs_encoding("!$&'()*+,;=:@")
_QUERY_KEY_CHARS = _needs_encoding("!$'()*+,;:@/?")
_QUERY_VALUE_CHARS = _needs_encoding("!$'()*+,;=:@/?")


@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str  # lower-case ASCII; IPv6 in brackets
    port: int | None  # None for the scheme's default
    segments: tuple[str, ...]  # non-empty, normalized path segments
    query: tuple[tuple[str, str | None], ...]  # value None: no "=" in the original

    def unparse(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        query = "&".join(key if value is None else f"{key}={value}" for key, value in self.query)
        return f"{self.scheme}://{self.host}{port}/{'/'.join(self.segments)}" + (
            f"?{query}" if query else ""
        )


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host (what a site's start pages and feeds must be)."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an invalid IPv6 literal or port
        return False


def canonicalize_url(url: str) -> str:
    """Return the canonical spelling of an http(s) URL; ValueError if it is not one."""
    return _parse(url).unparse()


def url_identity_key(url: str) -> str:
    """Return the key under which variants of one article (www/m/amp, http/https) meet."""
    parts = _parse(url)
    return replace(
        parts,
        scheme="https",
        host=_identity_host(parts.host),
        port=None if parts.port == _DEFAULT_PORTS["https"] else parts.port,
        segments=_without_amp_markers(parts.segments),
        query=tuple((key, value) for key, value in parts.query if not _is_amp_flag(key, value)),
    ).unparse()


def article_id(url: str) -> str:
    """16 lower-case hex digits identifying the article at ``url``."""
    return hashlib.sha256(url_identity_key(url).encode("utf-8")).hexdigest()[:16]


def site_host(url: str) -> str:
    """The URL's host as used for identity: punycode, without ``www.``/``m.``/``amp.``."""
    return _identity_host(_host(url))


def same_site(url: str, domains: Iterable[str]) -> bool:
    """True if the URL's host is one of ``domains`` or a subdomain of one.

    Matching is exact on labels: ``www.example.com`` in ``domains`` does not cover
    ``example.com``. Domains may be given as IDN or with a leading ``.``. An invalid URL
    is never on site.
    """
    try:
        host = _host(url)
    except ValueError:
        return False
    for domain in domains:
        normalized = _normalize_domain(domain)
        if normalized and (host == normalized or host.endswith("." + normalized)):
            return True
    return False


def _parse(url: str) -> _Url:
    parts, scheme, host, port = _split(url)
    return _Url(
        scheme=scheme,
        host=host,
        port=None if port == _DEFAULT_PORTS[scheme] else port,
        segments=_normalize_path(parts.path),
        query=_normalize_query(parts.query),
    )


def _host(url: str) -> str:
    """``_parse(url).host``, with the same errors, without normalising the path and query
    (which never fail): a request's site is checked on every download."""
    _, _, host, _ = _split(url)
    return host


def _split(url: str) -> tuple[SplitResult, str, str, int | None]:
    """The URL's parts, its lower-case scheme, normalised host and port, or ValueError."""
    if not isinstance(url, str):
        raise ValueError(f"URL must be a string, not {type(url).__name__}")
    text = url.strip()
    if not text:
        raise ValueError("empty URL")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return parts, scheme, _normalize_host(parts.hostname or "", url), port


def _normalize_host(host: str, url: str) -> str:
    if ":" in host:
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError as exc:
            raise ValueError(f"invalid IPv6 host in URL {url!r}") from exc
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"invalid host in URL {url!r}: {exc}") from exc
    # A trailing dot names the same host; IDNA may also produce one from "。".
    ascii_host = ascii_host.rstrip(".")
    if not ascii_host:
        raise ValueError(f"URL has no host: {url!r}")
    if len(ascii_host) > _MAX_HOST_LENGTH or not _HOST.fullmatch(ascii_host):
        raise ValueError(f"invalid host in URL {url!r}")
    return ascii_host


def _normalize_path(path: str) -> tuple[str, ...]:
    segments: list[str] = []
    for raw in path.split("/"):
        # Session ids go before dot-segment handling, so "..;jsessionid=1" acts as "..".
        segment = _JSESSIONID.sub("", _normalize_percent(raw, _PATH_CHARS))
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    return tuple(segments)


def _normalize_query(query: str) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, str | None]] = []
    for token in query.split("&"):
        if not token:
            continue
        raw_key, sep, raw_value = token.partition("=")
        key = _normalize_percent(raw_key, _QUERY_KEY_CHARS)
        value = _normalize_percent(raw_value, _QUERY_VALUE_CHARS) if sep else None
        if not _is_tracking(key, value):
            pairs.append((key, value))
    pairs.sort(key=lambda pair: pair[0])
    return tuple(pairs)


def _normalize_percent(text: str, needs_encoding: re.Pattern[str]) -> str:
    return needs_encoding.sub(_encode_match, text)


def _encode_match(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) == 3:  # a valid %XX escape
        char = chr(int(found[1:], 16))
        return char if char in _UNRESERVED else found.upper()
    # surrogatepass: a lone surrogate must not raise a UnicodeError from here.
    return "".join(f"%{byte:02X}" for byte in found.encode("utf-8", "surrogatepass"))


def _is_tracking(key: str, value: str | None) -> bool:
    name = unquote(key).lower()
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PARAM_PREFIXES):
        return True
    return value is not None and (name, unquote(value).lower()) in TRACKING_PARAM_VALUES


def _is_amp_flag(key: str, value: str | None) -> bool:
    return unquote(key).lower() == "amp" and (
        value is None or unquote(value).lower() in _AMP_FLAG_VALUES
    )


def _identity_host(host: str) -> str:
    stripped = True
    while stripped:  # "www.m.example.com" must reach its fixed point in one call
        stripped = False
        for prefix in IDENTITY_HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, stripped = rest, True
    return host


def _without_amp_markers(segments: tuple[str, ...]) -> tuple[str, ...]:
    kept: list[str] = []
    for segment in segments:
        if segment.lower() == "amp":
            continue
        while segment.lower().endswith(_AMP_SUFFIX):
            segment = segment[: -len(_AMP_SUFFIX)] + ".html"
        kept.append(segment)
    return tuple(kept)


def _normalize_domain(domain: str) -> str | None:
    text = domain.strip()
    if "://" in text:
        try:
            return _host(text)
        except ValueError:
            return None
    text = text.lower().lstrip("*").strip(".")
    try:
        return text.encode("idna").decode("ascii") if text else None
    except UnicodeError:
        return None


def strip_tracking(url: str) -> str:
    """The URL as written, less its tracking parameters (and the ``?`` if none remain).

    Unlike :func:`canonicalize_url` it keeps the path as it is (trailing slash and all),
    so URL patterns written against a site's real URLs still match. For matching only:
    the remaining query may be re-encoded.
    """
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key.lower(), value)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))
