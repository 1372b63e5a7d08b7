"""In-process loops over saved pages: CPU inside bare ``trafilatura.extract``, and inside ours."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

# --- (a) bare trafilatura ----------------------------------------------------------------


@dataclass(frozen=True)
class BareResult:
    options: dict[str, Any]
    pages: int
    seconds: float  # time inside trafilatura.extract only
    cpu: float  # CPU seconds inside it: what it costs, however busy the machine is

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def cleaner_options(sample: bytes, url: str) -> dict[str, Any]:
    """The options our cleaner passes to trafilatura, recorded from a real call.

    Recorded rather than imported, so the bare loop keeps using the cleaner's options
    whatever ``pipelines.cleaning.body`` calls them.
    """
    import pipelines.cleaning.body
    from pipelines.cleaning.clean import clean_html

    calls: list[dict[str, Any]] = []
    real = pipelines.cleaning.body.trafilatura.bare_extraction

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    with mock.patch.object(pipelines.cleaning.body.trafilatura, "bare_extraction", recording):
        clean_html(sample, url)
    if not calls:
        raise RuntimeError("the cleaner did not call trafilatura.bare_extraction")
    return {k: v for k, v in calls[0].items() if k != "url"}


def bare_extraction(pages: Sequence[tuple[str, Path]], options: dict[str, Any]) -> BareResult:
    """``trafilatura.extract`` on each page in turn, in this process, as bytes off the wire."""
    import trafilatura

    return _timed_loop(
        "bare", pages, lambda data, url: trafilatura.extract(data, url=url, **options), options
    )


def own_cleaning(pages: Sequence[tuple[str, Path]]) -> BareResult:
    """(c) Our whole cleaning step (``clean_html``) on each page in turn, in this process."""
    from pipelines.cleaning.clean import clean_html

    return _timed_loop("own", pages, clean_html, {})


def _timed_loop(
    label: str,
    pages: Sequence[tuple[str, Path]],
    call: Callable[[bytes, str], object],
    options: dict[str, Any],
) -> BareResult:
    spent = cpu = 0.0
    for done, (url, file) in enumerate(pages, 1):
        data = file.read_bytes()
        started, cpu_started = time.perf_counter(), time.process_time()
        call(data, url)
        spent += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        if done % 1000 == 0:
            print(f"  {label}: {done}/{len(pages)} pages, {done / spent:.1f} pages/s", flush=True)
    return BareResult(options, len(pages), spent, cpu)
