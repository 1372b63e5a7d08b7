"""JSON for requests in the shared Redis queue: scrapy-redis' ``SCHEDULER_SERIALIZER``.

scrapy-redis pickles requests by default. Whoever can write to the Redis queue could then
run code in every worker, and a pickled request also breaks when a class moves. Here a
request (``Request.to_dict``: callbacks by spider method name) becomes plain JSON, and
the few non-JSON values our requests carry are tagged explicitly:

* ``{"!bytes": "<base64>"}`` for bytes (bodies, header names and values);
* ``{"!tuple": [...]}`` for tuples, so they come back as tuples;
* ``{"!map": [[key, value], ...]}`` for dicts whose keys are not all strings (headers),
  and for the rare string-keyed dict that could be mistaken for a tag;
* ``{"!DiscoveryHints": {...}}`` for :class:`crawler.items.DiscoveryHints`, rebuilt
  field by field (unknown fields are refused).

Anything else raises ``TypeError`` at push time: a request that cannot be stored is an
error to see, not a value to approximate. Decoding refuses request classes outside
:data:`REQUEST_CLASSES` (``request_from_dict`` imports whatever ``_class`` names).

The module itself is the serializer: scrapy-redis calls ``dumps`` and ``loads``.
Encoding is deterministic (sorted keys), so the same request pushed twice is the same
queue member, which the sorted-set queue stores once.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

from crawler.items import DiscoveryHints

__all__ = ["REQUEST_CLASSES", "dumps", "loads"]

# Request classes a queued request may name (``Request.to_dict`` adds ``_class`` for
# subclasses only); the spider yields plain Requests.
REQUEST_CLASSES: frozenset[str] = frozenset({"scrapy.http.request.Request"})

_BYTES = "!bytes"
_TUPLE = "!tuple"
_MAP = "!map"
_DATACLASSES: dict[str, type[Any]] = {"!DiscoveryHints": DiscoveryHints}
_TAGS = frozenset({_BYTES, _TUPLE, _MAP, *_DATACLASSES})


def dumps(obj: Any) -> str:
    return json.dumps(_encode(obj, "$"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(data: str | bytes) -> Any:
    decoded = _decode(json.loads(data))
    if isinstance(decoded, dict) and decoded.get("_class") not in (None, *REQUEST_CLASSES):
        raise ValueError(f"queued request names a class not allowed: {decoded['_class']!r}")
    return decoded


def _encode(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [_encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v, f"{path}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        keys_are_text = all(isinstance(k, str) for k in value)
        if keys_are_text and not (len(value) == 1 and next(iter(value)) in _TAGS):
            return {k: _encode(v, f"{path}.{k}") for k, v in value.items()}
        return {
            _MAP: [
                [_encode(k, f"{path}<key>"), _encode(v, f"{path}[{k!r}]")] for k, v in value.items()
            ]
        }
    for tag, cls in _DATACLASSES.items():
        if type(value) is cls:
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return {tag: _encode(fields, f"{path}.{cls.__name__}")}
    raise TypeError(
        f"cannot store {type(value).__qualname__} at {path} of a queued request as JSON; "
        "add it to crawler.distributed.serializers explicitly (never pickle)"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == _BYTES:
            return base64.b64decode(inner, validate=True)
        if tag == _TUPLE:
            return tuple(_decode(v) for v in inner)
        if tag == _MAP:
            return {_hashable(_decode(k)): _decode(v) for k, v in inner}
        if tag in _DATACLASSES:
            return _dataclass(_DATACLASSES[tag], _decode(inner))
    return {k: _decode(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        raise ValueError("a list cannot be a mapping key in a queued request")
    return key


def _dataclass(cls: type[Any], fields: Any) -> Any:
    if not isinstance(fields, dict):
        raise ValueError(f"{cls.__name__} must be stored as an object, got {type(fields).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(fields) - known
    if unknown:
        raise ValueError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return cls(**fields)
