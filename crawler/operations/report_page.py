"""The run report as one self-contained HTML page: no script, no font or style sheet to
fetch, charts as inline SVG; it opens offline, from a file or a mail attachment.

Built with lxml's element builder, so every value from a manifest is escaped. Cells that
hold a run's numbers carry ``data-run``/``data-site``/``data-field`` attributes: tests
(and scripts) can read them without parsing the layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import lxml.html
from lxml import etree
from lxml.html.builder import E

from crawler.operations.charts import PALETTE, colour, sparkline, stacked_bars
from crawler.operations.report import COVERAGE_FIELDS, Run, RunHistory, SiteRun

NOT_AVAILABLE = "n/a"
PAGES_PER_SECOND = (
    "pages/s: downloader/response_count (every response: feeds, sitemaps, start pages, "
    "articles, robots.txt) over the run's elapsed_time_seconds"
)
# Coverage columns: the record fields first, in the order of the README's field table.
_FIELD_ORDER = (*COVERAGE_FIELDS, "articleBody", "wordCount")
_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
td:first-child { white-space: nowrap; }
th { background: #f4f4f4; text-align: left; }
.bad { color: #b00020; font-weight: 600; } .ok { color: #1b6e20; }
.muted { color: #777; } .flag { color: #b35900; }
figure { display: inline-block; margin: .5em 2em .5em 0; }
figcaption { font-size: .9em; color: #555; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: .8em; height: .8em; margin-right: .3em; }
details { margin: .6em 0; } summary { cursor: pointer; font-weight: 600; }
"""


def render(history: RunHistory, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    runs = history.runs
    body = E.body(
        E.h1(f"newscrawler: the last {len(runs)} runs"),
        E.p(
            f"Output directory {history.output_dir}, runs {runs[0].name} to {runs[-1].name}; "
            f"generated {generated:%Y-%m-%d %H:%M} UTC.",
            {"class": "muted"},
        ),
    )
    if history.skipped:
        body.append(
            E.p(
                {"class": "bad"},
                "Skipped (manifest unreadable): "
                + "; ".join(f"{s.name}: {s.reason}" for s in history.skipped),
            )
        )
    body.extend(_overview(runs))
    body.extend(_per_site(runs, history.sites))
    body.extend(_latest(runs, history.sites))
    body.extend(_drops(runs, history.sites))
    body.append(E.h2("Each run"))
    for index, run in enumerate(reversed(runs)):
        body.append(_run_details(run, open_=index == 0))
    page = E.html(
        E.head(
            E.meta(charset="utf-8"),
            E.title(f"newscrawler run report: {runs[-1].name}"),
            E.style(_STYLE),
        ),
        body,
        lang="en",
    )
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode") + "\n"


def _overview(runs: Sequence[Run]) -> list[etree._Element]:
    head = [
        "run",
        "started (UTC)",
        "duration",
        "records",
        "pages",
        "pages/s",
        "errors",
        "health",
        "drift",
    ]
    rows = []
    for run in runs:
        rows.append(
            E.tr(
                E.td(run.name),
                E.td(_time(run.start)),
                E.td(_duration(run.elapsed)),
                _cell(run.records, run=run.name, field="records"),
                _cell(run.responses, run=run.name, field="pages"),
                _cell(_fixed(run.pages_per_second, 1), run=run.name, field="pages_per_second"),
                E.td(_percent(run.error_rate)),
                _health(run),
                _flags(run.drift, run=run.name),
            )
        )
    labels = [_short(run) for run in runs]
    sites = sorted({s for run in runs for s in run.sites})
    series = [(site, [_emitted(run, site) for run in runs]) for site in sites]
    records = stacked_bars(labels, _top_series(series), title="Records per run, by site")
    speed = stacked_bars(
        labels,
        [("pages/s", [run.pages_per_second for run in runs])],
        title="Pages per second",
        decimals=1,
    )
    return [
        E.h2("Runs"),
        E.table(E.tr(*(E.th(h) for h in head)), *rows),
        E.p(PAGES_PER_SECOND + ".", {"class": "muted"}),
        E.figure(records, E.figcaption("Records per run, by site"), _legend(series)),
        E.figure(speed, E.figcaption("Pages per second")),
    ]


def _per_site(runs: Sequence[Run], sites: Sequence[str]) -> list[etree._Element]:
    head = E.tr(
        E.th("site"), *(E.th(_short(run, True), title=run.name) for run in runs), E.th("trend")
    )
    rows = []
    for site in sites:
        values = [_emitted(run, site) for run in runs]
        cells = [
            _cell(value, run=run.name, site=site, field="emitted", missing="–")
            for run, value in zip(runs, values, strict=True)
        ]
        trend = sparkline(values, title=f"records of {site}, run by run")
        rows.append(E.tr(E.td(site), *cells, E.td(trend)))
    return [E.h2("Records per site per run"), E.table(head, *rows)]


def _latest(runs: Sequence[Run], sites: Sequence[str]) -> list[etree._Element]:
    """Field coverage and drift flags of each site, from the latest run that crawled it."""
    latest: dict[str, tuple[Run, SiteRun]] = {}
    for run in runs:
        for name, site in run.sites.items():
            latest[name] = (run, site)
    fields = _coverage_fields(site for _, site in latest.values())
    head = E.tr(
        E.th("site"),
        E.th("run"),
        *(E.th(f) for f in fields),
        E.th("median words"),
        E.th("drift"),
    )
    rows = []
    for name in sites:
        run, site = latest[name]
        coverage = [_coverage_cell(site, run, f) for f in fields]
        words = None if site.median_words is None else f"{site.median_words:,.0f}"
        rows.append(
            E.tr(
                E.td(name),
                E.td(run.name),
                *coverage,
                _cell(words, run=run.name, site=name, field="median_words"),
                _flags(site.drift, run=run.name, site=name),
            )
        )
    return [
        E.h2("Field coverage and drift, latest run of each site"),
        E.p(
            "Share of the site's records with each field, and their median length; "
            "n/a: the manifest does not say.",
            {"class": "muted"},
        ),
        E.table(head, *rows),
    ]


def _drops(runs: Sequence[Run], sites: Sequence[str]) -> list[etree._Element]:
    """Pages and records dropped, by reason, summed over the runs shown."""
    totals: dict[str, dict[str, int]] = {site: {} for site in sites}
    for run in runs:
        for name, site in run.sites.items():
            for reason, count in site.dropped.items():
                totals[name][reason] = totals[name].get(reason, 0) + count
    reasons = sorted({reason for counts in totals.values() for reason in counts})
    if not reasons:
        return [E.h2("Drops by reason"), E.p("Nothing was dropped in these runs.")]
    head = E.tr(E.th("site"), *(E.th(reason) for reason in reasons))
    rows = [
        E.tr(
            E.td(site),
            *(
                E.td(f"{totals[site].get(r, 0):,}", {"data-site": site, "data-field": f"drop-{r}"})
                for r in reasons
            ),
        )
        for site in sites
    ]
    return [
        E.h2(f"Drops by reason, {len(runs)} runs"),
        E.p(
            "Duplicates and unchanged pages are drops too: they were not emitted again.",
            {"class": "muted"},
        ),
        E.table(head, *rows),
    ]


def _run_details(run: Run, *, open_: bool) -> etree._Element:
    head = ["site", "discovered", "fetched", "emitted", "dropped", "drift"]
    rows = []
    for name, site in sorted(run.sites.items()):
        drops = ", ".join(f"{reason} {n}" for reason, n in sorted(site.dropped.items()))
        rows.append(
            E.tr(
                E.td(name),
                _cell(site.discovered, run=run.name, site=name, field="discovered"),
                _cell(site.fetched, run=run.name, site=name, field="fetched"),
                _cell(site.emitted, run=run.name, site=name, field="emitted"),
                E.td(
                    drops or "none",
                    {
                        "class": "text",
                        "data-run": run.name,
                        "data-site": name,
                        "data-field": "dropped",
                    },
                ),
                _flags(site.drift, run=run.name, site=name),
            )
        )
    summary = f"{run.name}: {run.records} records, {run.finish_reason}"
    details = E.details(
        E.summary(summary),
        E.p(
            f"Started {_time(run.start)}, finished {_time(run.finish)} UTC "
            f"({_duration(run.elapsed)}); directory {run.path}",
            {"class": "muted"},
        ),
        E.table(E.tr(*(E.th(h) for h in head)), *rows),
    )
    if run.problems:
        details.append(E.ul(*(E.li(p, {"class": "bad"}) for p in run.problems)))
    if open_:
        details.set("open", "open")
    return details


# --- cells ----------------------------------------------------------------------------


def _cell(
    value: object,
    *,
    run: str,
    field: str,
    site: str | None = None,
    missing: str = NOT_AVAILABLE,
) -> etree._Element:
    text = missing if value is None else (f"{value:,}" if isinstance(value, int) else str(value))
    cell = E.td(text, {"data-run": run, "data-field": field})
    if site is not None:
        cell.set("data-site", site)
    if value is None:
        cell.set("class", "muted")
    return cell


def _coverage_cell(site: SiteRun, run: Run, name: str) -> etree._Element:
    """A share, with a bar of that length behind it (a chart that needs no script)."""
    share = site.coverage.get(name) if site.coverage is not None else None
    cell = _cell(_share(share), run=run.name, site=site.site, field=f"coverage-{name}")
    if share is not None:
        filled = f"{max(0.0, min(share, 1.0)):.0%}"
        cell.set(
            "style",
            f"background: linear-gradient(to right, #d6e6f5 {filled}, transparent {filled})",
        )
    return cell


def _health(run: Run) -> etree._Element:
    if run.healthy is None:
        return E.td(NOT_AVAILABLE, {"class": "muted text"})
    if run.healthy:
        return E.td("healthy", {"class": "ok text", "data-run": run.name, "data-field": "health"})
    cell = E.td("UNHEALTHY", {"class": "bad text", "data-run": run.name, "data-field": "health"})
    cell.set("title", "; ".join(run.problems))
    return cell


def _flags(flags: list[str] | None, *, run: str, site: str | None = None) -> etree._Element:
    attributes = {"data-run": run, "data-field": "drift", "class": "text"}
    if site is not None:
        attributes["data-site"] = site
    if flags is None:
        return E.td(NOT_AVAILABLE, {**attributes, "class": "text muted"})
    if not flags:
        return E.td("none", attributes)
    return E.td("; ".join(flags), {**attributes, "class": "text flag"})


def _legend(series: Sequence[tuple[str, Sequence[float | None]]]) -> etree._Element:
    legend = E.div({"class": "legend"})
    for index, (name, _) in enumerate(_top_series(series)):
        swatch = E.i(style=f"background: {colour(index)}")
        legend.append(E.span(swatch, name))
    return legend


def _top_series(
    series: Sequence[tuple[str, Sequence[float | None]]],
) -> list[tuple[str, Sequence[float | None]]]:
    """The biggest sites by records get a colour each; the rest are summed as "others"."""
    ranked = sorted(series, key=lambda s: -sum(v or 0 for v in s[1]))
    if len(ranked) <= len(PALETTE) + 1:
        return list(ranked)
    kept, rest = ranked[: len(PALETTE)], ranked[len(PALETTE) :]
    width = len(rest[0][1])
    others = [sum(values[i] or 0 for _, values in rest) for i in range(width)]
    return [*kept, (f"{len(rest)} other sites", others)]


def _coverage_fields(sites: Iterable[SiteRun]) -> list[str]:
    """The fields the manifests report (the record fields in their usual order, then any
    other); the usual fields when no manifest reports coverage, to show them as n/a."""
    seen = {f for site in sites if site.coverage for f in site.coverage}
    if not seen:
        return list(COVERAGE_FIELDS)
    order = {name: index for index, name in enumerate(_FIELD_ORDER)}
    return sorted(seen, key=lambda f: (order.get(f, len(order)), f))


def _emitted(run: Run, site: str) -> int | None:
    return run.sites[site].emitted if site in run.sites else None


def _share(value: float | None) -> str | None:
    return None if value is None else f"{value:.0%}"


def _percent(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.1%}"


def _fixed(value: float | None, decimals: int) -> str | None:
    return None if value is None else f"{value:,.{decimals}f}"


def _time(value: datetime | None) -> str:
    if value is None:
        return NOT_AVAILABLE
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _short(run: Run, seconds: bool = False) -> str:
    """A run's start for a chart or column label (the run's name when it has none)."""
    if run.start is None:
        return run.name[:16]
    return run.start.astimezone(UTC).strftime("%m-%d %H:%M:%S" if seconds else "%m-%d %H:%M")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return NOT_AVAILABLE
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{seconds:.1f}s"
