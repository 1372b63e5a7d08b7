"""End to end: one crawl of the hostile fixture site (issue 8) and its acceptance checklist.

The site (``fixtures/faults.py``) serves every fault of issue 8 next to 10 good articles.
One real ``scrapy crawl news`` runs against it; the tests below read that one run:

- the crawl finishes (``finished``) and emits all 10 good articles, mislabelled encodings
  decoded correctly, and nothing else but the hostile pages that are real articles;
- every hostile case has its defined outcome, each one a test of its own
  (``test_hostile_case[<case>]``): the stats that must count it, how often the server may
  see its URL (a retry where it makes sense), the record it must or must not produce;
- failures are one clear log line, not tracebacks; each process's peak RSS stays under
  500 MB; nothing is written outside the run directory and the state directory.

Where several cases count under the same stat key (three wrong content types under
``news/clean/not_html``), the key must reach their sum, and every case sharing it fails
together: the failure message names them.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crawler.discovery.urls import article_id
from fixtures.faults import (
    HOSTILE_REGISTRY,
    HostileSite,
    Story,
    emoji_title,
    endpoints,
    good_articles,
    load_stories,
)
from fixtures.harness import PROJECT_ROOT, run_crawl
from fixtures.procs import PeakWatcher
from fixtures.server import FixtureServer
from pipelines.output.layout import MANIFEST_NAME, TEXT_DIR_NAME, WARC_DIR_NAME
from tests.expected import read_records, squash

pytestmark = pytest.mark.e2e
logger = logging.getLogger(__name__)

RETRY_TIMES = 1
SETTINGS = {"DOWNLOAD_TIMEOUT": "3", "RETRY_TIMES": str(RETRY_TIMES)}
# Each process of the crawl (the Scrapy process, the pool's workers), its own peak.
PEAK_RSS_LIMIT = 500 * 1024 * 1024
# The crawl takes ~20 s. A hostile page must not make it slow (a stall holding the
# crawl, a backoff applied to every request): past this the test fails.
MAX_CRAWL_SECONDS = 90
# A hang must fail the test, not stall CI.
CRAWL_TIMEOUT = 240

STORIES = load_stories()
GOOD = good_articles(STORIES)
BY_ROLE = {s.role: s for s in STORIES if s.role != "good"}
# Pages of hostile cases that carry a real article and must be emitted.
EMITTED_ROLES = ("redirect_target", "nul_byte", "path_traversal_title", "emoji_title")
URLS = {e.case: e.url for e in endpoints(STORIES)}

OUTPUT_NAME = re.compile(
    rf"^(articles-\d{{5}}\.jsonl|{re.escape(MANIFEST_NAME)}|crawl\.log"
    rf"|{re.escape(TEXT_DIR_NAME)}|{re.escape(TEXT_DIR_NAME)}/\d{{3,}}_[0-9a-f]{{16}}\.txt"
    rf"|{re.escape(WARC_DIR_NAME)}|{re.escape(WARC_DIR_NAME)}/newscrawler-\d{{14}}-\d{{5}}\.warc\.gz)$"
)
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")
# Caches and tool state that tests and editors legitimately write in the repository.
_REPO_SKIP_DIRS = {
    ".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
    ".hypothesis", "newscrawler.egg-info",
}  # fmt: skip
# Other engineers edit sources in this tree while the test runs; a crawl writes no source.
_SOURCE_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".txt", ".json", ".html", ".xml", ".ini"}
_CRAWL_OUTPUT = re.compile(
    r"^(articles-\d+\.jsonl|manifest\.json|crawl\.log|\d{3,}_[0-9a-f]{16}\.txt|.*\.part"
    r"|state\.sqlite3.*|cron\.lock|passwd)$"
)


@dataclass
class HostileRun:
    result: subprocess.CompletedProcess[str]
    run_dir: Path
    state_dir: Path
    seconds: float
    records: list[dict[str, Any]]
    manifest: dict[str, Any]
    log: str
    requests: list[tuple[float, str]]  # (monotonic time, "GET http://host/path")
    tmp_new: list[str]
    repo_changed: list[str]
    peak_rss: dict[int, int]  # pid -> bytes, every process the crawl ran

    @property
    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.manifest.get("stats", {})
        return stats

    def record(self, url: str) -> dict[str, Any] | None:
        wanted = article_id(url)
        return next((r for r in self.records if r.get("id") == wanted), None)

    def times_requested(self, url: str) -> list[float]:
        return [t for t, line in self.requests if line == f"GET {url}"]


def _listing(root: Path, skip_dirs: frozenset[str] = frozenset()) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime) of every file and directory under ``root``."""
    found: dict[str, tuple[int, int]] = {}
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip_dirs]
        for name in [*dirs, *files]:
            path = Path(directory) / name
            try:
                info = path.lstat()
            except FileNotFoundError:  # removed while we walked (an editor's temp file)
                continue
            found[path.relative_to(root).as_posix()] = (info.st_size, info.st_mtime_ns)
    return found


def _repo_changes(
    before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]]
) -> list[str]:
    """Files new or modified in the repository that a crawl could have written.

    Other engineers edit sources in this tree while the test runs, so source files count
    only when named like a crawl output; everything else (a database, a lock, a log) counts.
    """
    changed = []
    for path, info in after.items():
        if before.get(path) == info or (PROJECT_ROOT / path).is_dir():
            continue
        name = Path(path).name
        if Path(path).suffix in _SOURCE_SUFFIXES and not _CRAWL_OUTPUT.match(name):
            continue
        changed.append(path)
    return sorted(changed)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    tmp = tmp_path_factory.mktemp("hostile")
    run_dir, state_dir = tmp / "run", tmp / "state"
    skip = frozenset(_REPO_SKIP_DIRS)
    repo_before, tmp_before = _listing(PROJECT_ROOT, skip), _listing(tmp)
    site = HostileSite(STORIES)
    with FixtureServer(responders=[site]) as server:
        started = time.monotonic()
        try:
            # Scrapy's memusage/max cannot tell: it reads ru_maxrss, which a spawned process
            # inherits from its parent, this test process (fixtures/procs.py).
            with PeakWatcher() as peaks:
                result = run_crawl(
                    server.proxy_url,
                    run_dir,
                    registry=HOSTILE_REGISTRY,
                    settings=SETTINGS,
                    state_dir=state_dir,
                    timeout=CRAWL_TIMEOUT,
                )
        finally:
            site.close()  # wakes the stalled requests so their threads end now
        seconds = time.monotonic() - started
        requests = list(zip(server.times, server.requests, strict=True))
    manifest_path = run_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    log_path = run_dir / "crawl.log"
    logger.info("hostile crawl: %.1f s, exit code %d", seconds, result.returncode)
    return HostileRun(
        result=result,
        run_dir=run_dir,
        state_dir=state_dir,
        seconds=seconds,
        records=read_records(run_dir),
        manifest=manifest,
        log=log_path.read_text("utf-8", errors="replace") if log_path.exists() else "",
        requests=requests,
        tmp_new=sorted(set(_listing(tmp)) - set(tmp_before)),
        repo_changed=_repo_changes(repo_before, _listing(PROJECT_ROOT, skip)),
        peak_rss=peaks.peaks,
    )


# --- the case table -------------------------------------------------------------------------

Check = Callable[[HostileRun], list[str]]


@dataclass(frozen=True)
class Case:
    name: str
    expected: str  # the defined outcome, in words
    stats: Mapping[str, int] = field(default_factory=dict)  # key -> this case's share
    requests: int | None = None  # times the server must see the case's URL
    emits: str | None = None  # the URL whose record must exist; else none for the case's URL
    checks: tuple[Check, ...] = ()


def _no_record(url: str) -> Check:
    def check(run: HostileRun) -> list[str]:
        return [f"a record was emitted for {url}"] if run.record(url) else []

    return check


def _not_requested(url: str) -> Check:
    def check(run: HostileRun) -> list[str]:
        n = len(run.times_requested(url))
        return [f"{url} was requested {n} times, must not be at all"] if n else []

    return check


def _logged(url: str) -> Check:
    """A clear log line names the URL (INFO or above: the crawl logs at INFO)."""

    def check(run: HostileRun) -> list[str]:
        return [] if url in run.log else [f"no log line names {url}"]

    return check


def _requested_at_most(url: str, times: int) -> Check:
    """Between 1 and ``times`` requests: whether a cut-off download is retried depends on
    what cut it (the size limit is not retried, a timeout on a loaded machine is)."""

    def check(run: HostileRun) -> list[str]:
        n = len(run.times_requested(url))
        return [] if 1 <= n <= times else [f"{url} requested {n} times, expected 1 to {times}"]

    return check


def _retry_waited(url: str, seconds: float) -> Check:
    def check(run: HostileRun) -> list[str]:
        times = run.times_requested(url)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        short = [round(g, 2) for g in gaps if g < seconds]
        return [f"retried {url} after {short} s, Retry-After asked {seconds} s"] if short else []

    return check


def _record_text(item: Story, *snippets: str) -> Check:
    def check(run: HostileRun) -> list[str]:
        record = run.record(item.url)
        if record is None:
            return []  # reported by the case's `emits` check
        body = squash(record.get("articleBody", ""))
        wanted = (*item.must_contain, *snippets)
        return [f"body lacks {s!r}" for s in wanted if squash(s) not in body]

    return check


def _no_control_characters(item: Story) -> Check:
    """No control characters (C0, C1, NUL) in the headline, none but newlines in the body."""

    def check(run: HostileRun) -> list[str]:
        record = run.record(item.url)
        if record is None:
            return []
        problems = []
        for name in ("headline", "articleBody"):
            value = record.get(name) or ""
            bad = Counter(
                f"U+{ord(c):04X}"
                for c in value
                if unicodedata.category(c) == "Cc" and not (name == "articleBody" and c == "\n")
            )
            if bad:
                problems.append(f"{name} has control characters {dict(bad)}")
        return problems

    return check


def _headline_is(item: Story, headline: str) -> Check:
    def check(run: HostileRun) -> list[str]:
        record = run.record(item.url)
        if record is None or record.get("headline") == headline:
            return []
        return [f"headline {record.get('headline')!r}, expected {headline!r} kept as text"]

    return check


def _title_not_in_body(item: Story) -> Check:
    """The hostile title is the page's headline: it must not come back as body text."""
    marker = "🦀"  # in the title only, never in the article text

    def check(run: HostileRun) -> list[str]:
        record = run.record(item.url)
        if record is None or marker not in (record.get("articleBody") or ""):
            return []
        return ["the emoji/control title was kept as body text"]

    return check


def _decoded_cleanly(item: Story) -> Check:
    def check(run: HostileRun) -> list[str]:
        record = run.record(item.url)
        if record is None:
            return []
        text = record.get("headline", "") + record.get("articleBody", "")
        marks = [m for m in ("\ufffd", "Ã", "â€", "ï¿½") if m in text]
        return [f"mis-decoded text: {marks}"] if marks else []

    return check


def _language_is(item: Story, language: str) -> Check:
    def check(run: HostileRun) -> list[str]:
        record = run.record(item.url)
        if record is None or record.get("inLanguage") == language:
            return []
        return [f"inLanguage {record.get('inLanguage')!r}, the page declares {language!r}"]

    return check


def _redirect_chain_followed(run: HostileRun) -> list[str]:
    target = BY_ROLE["redirect_target"]
    hops = [URLS["redirect_chain"], "http://hostile.test/moved/step-1"]
    hops += ["http://hostile.test/moved/step-2", target.url]
    problems = [f"{url} requested {n} times, not once" for url in hops
                if (n := len(run.times_requested(url))) != 1]  # fmt: skip
    record = run.record(target.url)
    if record is not None and record.get("url") != target.url:
        problems.append(f"record url {record.get('url')!r}, expected the final URL")
    return problems


def _loop_stopped(run: HostileRun) -> list[str]:
    loop = ["http://hostile.test/loop/a", "http://hostile.test/loop/b"]
    counts = {url: len(run.times_requested(url)) for url in loop}
    return [f"loop pages requested {counts}"] if any(n > 2 for n in counts.values()) else []


def _no_noise_fetched(run: HostileRun) -> list[str]:
    noise = [line for _, line in run.requests if "/noise/" in line]
    return [f"{len(noise)} /noise/ entries of the huge feed were downloaded"] if noise else []


def _good(encoding: str) -> Story:
    return next(s for s in GOOD if s.encoding == encoding)


CP1252, SHIFT_JIS = _good("cp1252"), _good("shift_jis")
GIVE_UP_AFTER = RETRY_TIMES + 1  # requests of a retryable failure: the first, the retries
_503 = {
    "retry/reason_count/503 Service Unavailable": 1,
    "httperror/response_ignored_status_count/503": 1,
}

CASES = (
    Case(
        "http_500",
        "retried once, then given up and counted",
        {
            "retry/reason_count/500 Internal Server Error": 1,
            "httperror/response_ignored_status_count/500": 1,
        },
        requests=GIVE_UP_AFTER,
    ),
    Case("http_503", "retried once, then given up and counted", _503, GIVE_UP_AFTER),
    Case(
        "http_503_retry_after",
        "retried no sooner than Retry-After (1 s), then given up and counted",
        {**_503, "news/politeness/retry_after": 1},
        requests=GIVE_UP_AFTER,
        checks=(_retry_waited(URLS["http_503_retry_after"], 0.9),),
    ),
    Case(
        "http_429",
        "retried once, then given up and counted",
        {
            "retry/reason_count/429 Unknown Status": 1,
            "httperror/response_ignored_status_count/429": 1,
        },
        requests=GIVE_UP_AFTER,
    ),
    Case(
        "http_404",
        "not retried, counted",
        {"httperror/response_ignored_status_count/404": 1},
        requests=1,
    ),
    Case(
        "redirect_chain",
        "3 hops followed once each, the target article emitted under its final URL",
        {"downloader/response_status_count/301": 2, "downloader/response_status_count/302": 1},
        emits=BY_ROLE["redirect_target"].url,
        checks=(_redirect_chain_followed, _record_text(BY_ROLE["redirect_target"])),
    ),
    Case(
        "redirect_loop",
        "stopped, counted as a loop, logged",
        {"news/discovery/redirect_loop": 1},
        checks=(_loop_stopped, _logged(URLS["redirect_loop"])),
    ),
    Case(
        "offsite_redirect",
        "not followed off the site's domains, counted",
        {"news/discovery/offsite_redirect": 1},
        requests=1,
        checks=(_not_requested(BY_ROLE["offsite_target"].url),),
    ),
    Case(
        "offsite_feed_entry",
        "a feed entry on another host is not requested, counted",
        {"news/discovery/offsite": 1},
        requests=0,
    ),
    Case(
        "connection_reset",
        "retried once, then given up and counted",
        {
            "retry/reason_count/scrapy.exceptions.ResponseDataLossError": 1,
            "downloader/exception_type_count/scrapy.exceptions.ResponseDataLossError": 1,
        },
        requests=GIVE_UP_AFTER,
    ),
    Case(
        "stall",
        "timed out after DOWNLOAD_TIMEOUT, retried once, given up and counted",
        {
            "retry/reason_count/scrapy.exceptions.DownloadTimeoutError": 1,
            "downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError": 1,
        },
        requests=GIVE_UP_AFTER,
    ),
    Case("pdf", "dropped as not HTML", {"news/clean/not_html": 1}, requests=1),
    Case("image", "dropped as not HTML", {"news/clean/not_html": 1}, requests=1),
    Case("json", "dropped as not HTML", {"news/clean/not_html": 1}, requests=1),
    Case("empty", "dropped as empty", {"news/clean/empty": 1}, requests=1),
    Case(
        "huge_page",
        "refused from its Content-Length (above DOWNLOAD_MAXSIZE), not retried, counted",
        {"downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError": 1},
        requests=1,
    ),
    Case(
        "huge_page_chunked",
        "cut at DOWNLOAD_MAXSIZE while streaming (or at DOWNLOAD_TIMEOUT on a slow machine),"
        " never kept, logged",
        checks=(
            _requested_at_most(URLS["huge_page_chunked"], 1 + RETRY_TIMES),
            _logged(URLS["huge_page_chunked"]),
        ),
    ),
    Case(
        "gzip_bomb",
        "cut at DOWNLOAD_MAXSIZE while inflating, not retried, counted as too large",
        {"news/fetch/too_large_decompressed": 1},
        requests=1,
    ),
    Case(
        "billion_laughs",
        "no entity expansion; the sitemap counted as unusable and logged",
        {"news/discovery/bad_sitemap": 1},
        requests=1,
        checks=(_logged(URLS["billion_laughs"]),),
    ),
    Case(
        "malformed_feed",
        "the feed counted as unusable and logged",
        {"news/discovery/bad_feed": 1},
        requests=1,
        checks=(_logged(URLS["malformed_feed"]),),
    ),
    Case(
        "huge_feed",
        "read up to NEWS_MAX_ENTRIES, the cut counted and logged; old entries not downloaded",
        {"news/discovery/entries_capped": 1, "news/discovery/too_old": 1},
        requests=1,
        checks=(_no_noise_fetched, _logged(URLS["huge_feed"])),
    ),
    Case(
        "cp1252",
        "emitted with correct text although the header says utf-8",
        requests=1,
        emits=CP1252.url,
        checks=(_record_text(CP1252), _decoded_cleanly(CP1252)),
    ),
    Case(
        "shift_jis",
        "emitted with correct Japanese text although nothing declares the encoding",
        requests=1,
        emits=SHIFT_JIS.url,
        checks=(
            _record_text(SHIFT_JIS),
            _decoded_cleanly(SHIFT_JIS),
            _language_is(SHIFT_JIS, "ja"),
        ),
    ),
    Case(
        "nul_byte",
        "emitted, the NUL byte gone and the words around it intact",
        requests=1,
        emits=BY_ROLE["nul_byte"].url,
        checks=(
            _record_text(BY_ROLE["nul_byte"], "and the market's organisers"),
            _no_control_characters(BY_ROLE["nul_byte"]),
        ),
    ),
    Case(
        "nested_divs",
        "no crash; the parse truncated at libxml2's depth limit is detected and counted",
        {"news/clean/too_deep": 1},
        requests=1,
    ),
    Case(
        "path_traversal_title",
        "emitted; the title kept as text, never used as a path",
        requests=1,
        emits=BY_ROLE["path_traversal_title"].url,
        checks=(_headline_is(BY_ROLE["path_traversal_title"], "../../etc/passwd"),),
    ),
    Case(
        "emoji_title",
        "emitted; no control characters kept, the title not repeated in the body",
        requests=1,
        emits=BY_ROLE["emoji_title"].url,
        checks=(
            _no_control_characters(BY_ROLE["emoji_title"]),
            _title_not_in_body(BY_ROLE["emoji_title"]),
        ),
    ),
    Case(
        "robots_disallowed",
        "not requested (robots.txt), counted",
        {"robotstxt/forbidden": 1},
        requests=0,
    ),
)


def _shares(cases: tuple[Case, ...]) -> tuple[Counter[str], dict[str, list[str]]]:
    """Per stat key: the sum of the cases' shares, and the names of those cases."""
    required: Counter[str] = Counter()
    sharers: dict[str, list[str]] = {}
    for case in cases:
        for key, share in case.stats.items():
            required[key] += share
            sharers.setdefault(key, []).append(case.name)
    return required, sharers


REQUIRED, SHARERS = _shares(CASES)


def test_case_table_covers_every_endpoint():
    assert sorted(c.name for c in CASES) == sorted(URLS)


def test_crawl_finished(run):
    assert run.manifest, f"no manifest; stderr: {run.result.stderr[-3000:]}"
    assert run.manifest["finish_reason"] == "finished"
    assert not [k for k in run.stats if k.startswith("spider_exceptions/")]


def test_every_good_article_emitted_once_with_its_text(run):
    problems = []
    for item in GOOD:
        records = [r for r in run.records if r.get("id") == article_id(item.url)]
        if len(records) != 1:
            problems.append(f"{item.path}: {len(records)} records")
            continue
        body = squash(records[0].get("articleBody", ""))
        missing = [s for s in item.must_contain if squash(s) not in body]
        if missing:
            problems.append(f"{item.path}: body lacks {missing}")
        if squash(records[0].get("headline", "")) != squash(item.title):
            problems.append(f"{item.path}: headline {records[0].get('headline')!r}")
    dropped = {k: v for k, v in run.stats.items() if k.startswith("news/clean/")}
    assert not problems, f"{problems}; clean stats: {dropped}"


def test_only_good_and_real_hostile_articles_emitted(run):
    allowed = {article_id(s.url) for s in GOOD}
    allowed |= {article_id(BY_ROLE[role].url) for role in EMITTED_ROLES}
    extra = [r.get("url") for r in run.records if r.get("id") not in allowed]
    ids = [r.get("id") for r in run.records]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    assert not extra, f"records for pages that must not be emitted: {extra}"
    assert not twice, f"emitted more than once: {twice}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_case(run, case):
    url = URLS[case.name]
    problems = []
    for key in case.stats:
        actual, needed = run.stats.get(key, 0), REQUIRED[key]
        if actual < needed:
            shared = f" (shared by {', '.join(SHARERS[key])})" if len(SHARERS[key]) > 1 else ""
            problems.append(f"stat {key!r} = {actual}, needs >= {needed}{shared}")
    if case.requests is not None:
        seen = len(run.times_requested(url))
        if seen != case.requests:
            problems.append(f"server saw {url} {seen} times, expected {case.requests}")
    if case.emits is not None:
        if run.record(case.emits) is None:
            problems.append(f"no record for {case.emits}")
    else:
        problems += _no_record(url)(run)
    for check in case.checks:
        problems += check(run)
    assert not problems, f"{case.name} (expected: {case.expected}): " + "; ".join(problems)


def test_failures_are_one_clear_log_line(run):
    """Expected network failures are counted and logged in one line, not as tracebacks."""
    culprits: dict[str, None] = {}  # the log lines the tracebacks belong to, in order
    last = ""
    for line in run.log.splitlines():
        if _LOG_LINE.match(line):
            last = line
        elif line.startswith("Traceback (most recent call last):"):
            culprits[last[:200]] = None
    assert not culprits, f"tracebacks in crawl.log, after: {list(culprits)}"


def test_crawl_is_quick(run):
    assert run.seconds < MAX_CRAWL_SECONDS, f"the crawl took {run.seconds:.0f} s"


def test_peak_rss_under_500_mb(run):
    assert run.peak_rss, "no process of the crawl was seen"
    peaks = {pid: f"{peak / 2**20:.0f} MiB" for pid, peak in run.peak_rss.items()}
    assert max(run.peak_rss.values()) < PEAK_RSS_LIMIT, f"peak RSS by process: {peaks}"


def test_nothing_written_outside_output_and_state(run):
    outside = [p for p in run.tmp_new if p.split("/")[0] not in ("run", "state")]
    strange = [
        p
        for p in run.tmp_new
        if p.startswith("run/") and p != "run" and not OUTPUT_NAME.match(p.removeprefix("run/"))
    ]
    symlinks = [p for p in run.tmp_new if (run.run_dir.parent / p).is_symlink()]
    assert not outside, f"written next to the run: {outside}"
    assert not strange, f"unexpected names in the run directory: {strange}"
    assert not symlinks, f"symlinks: {symlinks}"
    assert not run.repo_changed, f"written in the repository: {run.repo_changed}"
    passwd = [p for p in run.tmp_new if "passwd" in p or "etc" in p.split("/")]
    assert not passwd, passwd


def test_text_files_match_records(run):
    text_dir = run.run_dir / TEXT_DIR_NAME
    names = {p.name.split("_", 1)[1].removesuffix(".txt") for p in text_dir.glob("*.txt")}
    assert names == {r["id"] for r in run.records}


def test_emoji_title_fixture_is_what_it_claims():
    # Guards the fixture itself: 5,000 characters, emoji and control characters both.
    title = emoji_title()
    assert len(title) == 5000
    assert any(unicodedata.category(c) == "Cc" for c in title)
    assert "😀" in title and "&#xD83D;" in title
