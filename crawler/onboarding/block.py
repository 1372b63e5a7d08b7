"""The proposed ``[sites.<name>]`` block as TOML, and adding it to a registry file.

The block is written with tomlkit: regexes as TOML literal strings (``'/\\d{4}/'``, as a
person writes them in the registry) and a comment saying where it came from. It is
validated as a registry of its own before it is shown.

:func:`append_to_registry` adds it to a registry file only if the whole file, with the
block, loads: the file must load before, must not have a site of that name, and is
replaced in one step (a temporary file renamed over it), then read back. Any refusal is
a :class:`crawler.discovery.registry.RegistryError` naming the file, and leaves it as it was.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.items import Array

from crawler.discovery.registry import Registry, RegistryError, load_registry, parse_registry
from crawler.onboarding.proposal import SiteProposal
from pipelines.output.files import write_atomic

_PATTERN_KEYS = ("article_allow", "article_deny")


def render_block(proposal: SiteProposal, comment: str | None = None) -> str:
    """The site's registry block, checked to load as a registry on its own."""
    document = tomlkit.document()
    if comment:
        document.add(tomlkit.comment(comment))
    table = tomlkit.table()
    for key, value in proposal.registry_table().items():
        table.add(key, _patterns(value) if key in _PATTERN_KEYS else value)
    sites = tomlkit.table(is_super_table=True)
    sites.add(proposal.name, table)
    document.add("sites", sites)
    block = tomlkit.dumps(document)
    parse_registry(tomllib.loads(block), source="the proposed block")
    return block


def check_name(name: str) -> None:
    """Refuse a site name the registry would refuse (RegistryError), before any fetch."""
    table = {"domains": ["example.com"], "start_urls": ["https://example.com/"]}
    parse_registry({"sites": {name: table}}, source="NAME")


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool  # a new registry file
    registry: Registry  # the file as read back


def append_to_registry(path: Path, block: str, name: str) -> Written:
    """Add ``block`` (the site ``name``) to the registry at ``path``; RegistryError if not."""
    created = not path.exists()
    before = ""
    mode = None
    if not created:
        existing = load_registry(path)  # a registry that does not load is not edited
        if name in existing:
            raise RegistryError(f"{path}: already has a site named {name!r}; choose another NAME")
        try:
            before = path.read_text(encoding="utf-8")
            mode = path.stat().st_mode & 0o7777
        except OSError as exc:
            raise RegistryError(f"{path}: cannot read registry: {exc.strerror or exc}") from exc
    text = (before.rstrip("\n") + "\n\n" if before.strip() else "") + block.rstrip("\n") + "\n"
    try:
        combined = parse_registry(tomllib.loads(text), source=str(path))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: would not be valid TOML with the block: {exc}") from exc
    if name not in combined:
        raise RegistryError(f"{path}: the block does not add a site named {name!r}")
    try:
        write_atomic(path, text)
        if mode is not None:
            path.chmod(mode)
    except OSError as exc:
        raise RegistryError(f"{path}: cannot write registry: {exc.strerror or exc}") from exc
    registry = load_registry(path)
    if name not in registry:
        raise RegistryError(f"{path}: site {name!r} is not in the file read back")
    return Written(path, created, registry)


def _patterns(values: object) -> Array:
    """Regexes as literal strings, unless one holds a quote a literal string cannot."""
    array = tomlkit.array()
    for value in values if isinstance(values, list) else []:
        literal = "'" not in value and "\n" not in value
        array.append(tomlkit.string(value, literal=literal))
    return array
