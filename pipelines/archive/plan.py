"""Which captures of a set of WARC files a re-cleaning run sends through the pipelines.

A capture is kept when it is an HTML page that answered 200, its site is known (the site
our own record names, or the registry site whose domains hold its host; any host with
``all_hosts``, the site then named after the host), it was captured inside the date
window, and it is the newest capture of its URL among the files given: an article fetched
by three runs is re-cleaned from its last capture only (an older text would count as a
revision). Every other response is counted under its :class:`FilterReason`; damage comes
from the reader as :class:`~pipelines.archive.reader.Skip`.

Planning reads every file once (the body of each record is streamed through, not kept);
the kept pages' bodies are read afterwards, by offset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from crawler.discovery.registry import Registry
from crawler.discovery.urls import same_site, url_identity_key
from pipelines.archive.reader import Capture, Skip, scan

_HTML = ("text/html", "application/xhtml+xml")
WARC_SUFFIXES = (".warc.gz", ".warc")


class FilterReason(StrEnum):
    """Why a readable response is not re-cleaned (stat ``news/reprocess/<reason>``)."""

    NOT_OK = "not_ok"  # status other than 200 (redirects, errors)
    NOT_HTML = "not_html"  # a feed, an image, a PDF...
    OTHER_HOST = "other_host"  # no registry site covers its host (all_hosts keeps it)
    OUT_OF_WINDOW = "out_of_window"  # captured before since or after until
    SUPERSEDED = "superseded"  # a later capture of the same URL is re-cleaned instead
    BAD_URL = "bad_url"  # a target URL without a usable identity

    @property
    def stat(self) -> str:
        return f"news/reprocess/{self.value}"


@dataclass(frozen=True)
class Selection:
    registry: Registry
    all_hosts: bool = False
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Page:
    capture: Capture
    site: str


@dataclass
class Plan:
    pages: list[Page] = field(default_factory=list)  # in the order of the files
    filtered: dict[FilterReason, int] = field(default_factory=dict)
    damaged: dict[str, int] = field(default_factory=dict)  # SkipReason value -> count
    records: dict[str, int] = field(default_factory=dict)  # WARC-Type -> count

    def filter(self, reason: FilterReason) -> None:
        self.filtered[reason] = self.filtered.get(reason, 0) + 1


class NoWarcFiles(ValueError):
    """A path given to re-clean does not exist, or holds no WARC file."""


def warc_files(paths: Sequence[str | Path]) -> list[Path]:
    """The WARC files named, or found under the directories named (sorted, so a run's
    segments, and dated run directories, come oldest first); raises NoWarcFiles."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES)
            )
            if not inside:
                raise NoWarcFiles(f"{path}: no WARC files (*.warc.gz, *.warc) in this directory")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise NoWarcFiles(f"{path}: no such file or directory")
    if not found:
        raise NoWarcFiles("no WARC files given")
    return list(dict.fromkeys(p.resolve() for p in found))


def plan(
    paths: Sequence[Path],
    selection: Selection,
    max_bytes: int,
    on_skip: Callable[[Skip], None] | None = None,
) -> Plan:
    """The pages to re-clean from ``paths``, in order; ``on_skip`` sees each damaged record."""
    result = Plan()
    newest: dict[str, tuple[datetime | None, int]] = {}  # URL identity -> (date, index)
    candidates: list[tuple[Page, str]] = []
    for path in paths:
        for item in scan(path, max_bytes, result.records):
            if isinstance(item, Skip):
                result.damaged[item.reason.value] = result.damaged.get(item.reason.value, 0) + 1
                if on_skip is not None:
                    on_skip(item)
                continue
            reason, site = _judge(item, selection)
            if reason is not None:
                result.filter(reason)
                continue
            try:
                key = url_identity_key(item.url)
            except ValueError:
                result.filter(FilterReason.BAD_URL)
                continue
            assert site is not None
            index = len(candidates)
            candidates.append((Page(item, site), key))
            known = newest.get(key)
            if known is None or not _older(item.date, known[0]):
                newest[key] = (item.date, index)
    for index, (page, key) in enumerate(candidates):
        if newest[key][1] == index:
            result.pages.append(page)
        else:
            result.filter(FilterReason.SUPERSEDED)
    return result


def _judge(capture: Capture, selection: Selection) -> tuple[FilterReason | None, str | None]:
    if capture.status != 200:
        return FilterReason.NOT_OK, None
    content_type = (capture.content_type or "").strip().lower()
    if content_type and not content_type.startswith(_HTML):
        return FilterReason.NOT_HTML, None
    date = capture.date
    if date is not None:
        if selection.since is not None and date < selection.since:
            return FilterReason.OUT_OF_WINDOW, None
        if selection.until is not None and date > selection.until:
            return FilterReason.OUT_OF_WINDOW, None
    elif selection.since is not None or selection.until is not None:
        return FilterReason.OUT_OF_WINDOW, None
    site = site_of(capture, selection)
    if site is None:
        return FilterReason.OTHER_HOST, None
    return None, site


def site_of(capture: Capture, selection: Selection) -> str | None:
    """The registry site of a capture, the host's name with ``all_hosts``, else None."""
    registry = selection.registry
    recorded = capture.site
    if recorded and recorded in registry and same_site(capture.url, registry[recorded].domains):
        return recorded
    for site in registry.values():
        if same_site(capture.url, site.domains):
            return site.name
    if not selection.all_hosts:
        return None
    host = (urlsplit(capture.url).hostname or "").removeprefix("www.")
    return host or None


def _older(date: datetime | None, than: datetime | None) -> bool:
    """Whether ``date`` is before ``than`` (an unknown date is older than any known one)."""
    if date is None:
        return than is not None
    return than is not None and date < than
