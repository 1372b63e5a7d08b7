"""The machinery of the settings schema: typed options, strict parsing, clear errors.

An option is a dataclass field declared with one of :func:`flag`, :func:`whole`,
:func:`number`, :func:`one_of`, :func:`text`, :func:`folder` or :func:`names`: its kind of
value, default, allowed values or range and a one-line doc live in one place, the field.
:func:`build` reads a settings mapping (Scrapy ``Settings`` or a plain dict) into the
dataclass, refusing a bad value or an unknown name in the option namespace with a
:class:`ConfigError` that names the setting, the value and what is allowed.

Values may come typed (``settings.py``, ``custom_settings``, a dict) or as text (``-s
NAME=value``); both are read by the same rules, so ``-s NEWS_NEAR_DUP=0`` and
``NEWS_NEAR_DUP = False`` mean the same and ``-s NEWS_NEAR_DUP=nope`` is an error.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar


class ConfigError(ValueError):
    """A setting, the registry or an argument cannot be used; the message says why."""


_T = TypeVar("_T")
Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Option:
    """What one setting accepts; stored in the metadata of its dataclass field."""

    name: str
    kind: str  # shown in the README: bool, int, float, choice, text, path, list
    doc: str
    parse: Parser
    allowed: str  # what is allowed, in words, for error messages and the README
    choices: tuple[str, ...] = ()
    default_doc: str | None = None  # the default in words, where the value says too little


class InvalidValue(ValueError):
    """Raised by a parser for a value it does not accept (reported with the option's context)."""


def _field(spec: Option, default: Any) -> Any:
    if isinstance(default, list | dict | set):
        raise TypeError(f"{spec.name}: use an immutable default (tuple, frozenset)")
    return dataclasses.field(default=default, metadata={"option": spec})


# --- declaring options ----------------------------------------------------------------


def custom(
    name: str, default: Any, doc: str, *, kind: str, parse: Parser, allowed: str, default_doc: str
) -> Any:
    """An option with its own parser (which raises :class:`InvalidValue`)."""
    return _field(Option(name, kind, doc, parse, allowed, default_doc=default_doc), default)


def flag(name: str, default: bool, doc: str) -> Any:
    return _field(Option(name, "bool", doc, _parse_bool, "True or False"), default)


def whole(
    name: str,
    default: int | None,
    doc: str,
    *,
    minimum: int = 0,
    maximum: int | None = None,
    optional: bool = False,
    default_doc: str | None = None,
) -> Any:
    allowed = f"a whole number from {minimum}" + (f" to {maximum}" if maximum else " up")
    if optional:
        allowed += ", or empty for the default"
    parse = _integer(minimum, maximum, optional)
    return _field(Option(name, "int", doc, parse, allowed, default_doc=default_doc), default)


def number(
    name: str,
    default: float,
    doc: str,
    *,
    minimum: float = 0.0,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> Any:
    low = f"above {minimum:g}" if exclusive_minimum else f"from {minimum:g}"
    allowed = f"a number {low}" + (f" to {maximum:g}" if maximum is not None else "")
    parse = _number(minimum, maximum, exclusive_minimum)
    return _field(Option(name, "float", doc, parse, allowed), default)


def one_of(name: str, default: str, doc: str, values: Sequence[str]) -> Any:
    allowed = "one of " + ", ".join(repr(v) for v in values)
    parse = _choice(values)
    return _field(Option(name, "choice", doc, parse, allowed, choices=tuple(values)), default)


def text(
    name: str,
    default: str | None,
    doc: str,
    *,
    allowed: str,
    valid: Callable[[str], bool] | None = None,
    default_doc: str | None = None,
) -> Any:
    parse = _text(valid, optional=default is None)
    return _field(Option(name, "text", doc, parse, allowed, default_doc=default_doc), default)


def folder(name: str, default: Path | None, doc: str, *, default_doc: str | None = None) -> Any:
    allowed = "a path" + (", or empty for the default" if default is None else "")
    parse = _path(optional=default is None)
    return _field(Option(name, "path", doc, parse, allowed, default_doc=default_doc), default)


def names(
    name: str, default: tuple[str, ...], doc: str, values: Sequence[str], *, required: bool = False
) -> Any:
    allowed = "a list (or comma-separated text) of " + ", ".join(repr(v) for v in values)
    if required:
        allowed = "at least one of " + ", ".join(repr(v) for v in values)
    parse = _names(values, required)
    return _field(Option(name, "list", doc, parse, allowed, choices=tuple(values)), default)


# --- parsers ---------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidValue


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _integer(minimum: int, maximum: int | None, optional: bool) -> Parser:
    def parse(value: Any) -> int | None:
        if optional and _blank(value):
            return None
        if isinstance(value, bool):
            raise InvalidValue
        if isinstance(value, str):
            try:
                value = int(value.strip(), 10)
            except ValueError:
                raise InvalidValue from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or value < minimum:
            raise InvalidValue
        if maximum is not None and value > maximum:
            raise InvalidValue
        return value

    return parse


def _number(minimum: float, maximum: float | None, exclusive: bool) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise InvalidValue
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise InvalidValue from None
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidValue
        if value < minimum or (exclusive and value == minimum):
            raise InvalidValue
        if maximum is not None and value > maximum:
            raise InvalidValue
        return float(value)

    return parse


def _choice(values: Sequence[str]) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in values:
            raise InvalidValue
        return value.strip()

    return parse


def _text(valid: Callable[[str], bool] | None, *, optional: bool) -> Parser:
    def parse(value: Any) -> str | None:
        if _blank(value):
            if optional:
                return None
            raise InvalidValue
        if not isinstance(value, str) or (valid is not None and not valid(value.strip())):
            raise InvalidValue
        return value.strip()

    return parse


def _path(*, optional: bool) -> Parser:
    def parse(value: Any) -> Path | None:
        if _blank(value):
            if optional:
                return None
            raise InvalidValue
        if isinstance(value, Path):
            return value
        if not isinstance(value, str) or "\x00" in value:
            raise InvalidValue
        return Path(value.strip())

    return parse


def _names(values: Sequence[str], required: bool) -> Parser:
    def parse(value: Any) -> tuple[str, ...]:
        if value is None:
            if required:
                raise InvalidValue
            return ()
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            raise InvalidValue
        cleaned = tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
        if any(i not in values for i in cleaned) or (required and not cleaned):
            raise InvalidValue
        return cleaned

    return parse


# --- reading settings ----------------------------------------------------------------


def options(cls: type[Any]) -> list[tuple[dataclasses.Field[Any], Option]]:
    return [
        (field, field.metadata["option"])
        for field in dataclasses.fields(cls)
        if "option" in field.metadata
    ]


def default_doc(field: dataclasses.Field[Any]) -> str:
    """The default as the README shows it."""
    spec: Option = field.metadata["option"]
    if spec.default_doc:
        return spec.default_doc
    value = field.default
    if isinstance(value, tuple):
        return ", ".join(value) if value else "(none)"
    return str(value)


def check_names(given: Iterable[str], cls: type[Any], prefix: str) -> None:
    """Refuse a name in the namespace that no option declares (a typo), with a hint."""
    known = {spec.name for _, spec in options(cls)}
    for name in sorted(given):
        if name.startswith(prefix) and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise ConfigError(f"unknown setting {name}{hint} (see the settings table in README.md)")


def build(cls: type[_T], settings: Mapping[str, Any], prefix: str) -> _T:
    """The dataclass ``cls`` read from ``settings``; raises :class:`ConfigError`."""
    check_names(settings, cls, prefix)
    values: dict[str, Any] = {}
    for field, spec in options(cls):
        raw = settings.get(spec.name)
        if raw is None:
            continue  # unset: the option's default
        try:
            values[field.name] = spec.parse(raw)
        except InvalidValue:
            raise ConfigError(
                f"setting {spec.name}={_show(raw)}: expected {spec.allowed}{_suggestion(raw, spec)}"
            ) from None
    return cls(**values)


def _show(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else repr(value.strip())


def _suggestion(raw: Any, spec: Option) -> str:
    if not spec.choices or not isinstance(raw, str):
        return ""
    words = [w.strip() for w in raw.split(",")] if spec.kind == "list" else [raw.strip()]
    for word in words:
        if word and word not in spec.choices:
            close = difflib.get_close_matches(word, spec.choices, n=1, cutoff=0.6)
            if close:
                return f" (did you mean {close[0]!r}?)"
    return ""
