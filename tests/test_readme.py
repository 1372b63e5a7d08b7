"""README.md's commands, run as written, in order, on a fresh copy of the project.

All ``sh`` blocks run in one bash session, as a user's terminal would (the virtualenv
activated by the install block stays active), in a copy of what a clone holds. Each
command's own comment says what it needs, and so what it must do:

- "(needs the internet)", "(needs a Redis server)": run with the network refused (every
  proxy pointed at a closed port); it must fail with one clear error line, no traceback;
- "in another terminal": started in the background and kept until the tests are done;
- ``make test``: what CI runs (``.ci/run`` runs it), not run again from inside itself;
- anything else must succeed; "prints: X" means X is in what it prints.

Then the effects the README describes are checked: the fixture crawls' run directories,
the scrapyd job's records, the Python example, the settings table.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.config.table import settings_table
from crawler.discovery.registry import load_registry
from fixtures.harness import PROJECT_ROOT
from fixtures.server import REGISTRY

pytestmark = pytest.mark.e2e

README = PROJECT_ROOT / "README.md"
_BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_NETWORK = ("(needs the internet)", "(needs a Redis server)")
_ANOTHER_TERMINAL = "in another terminal"
_REFUSED = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused
_CLEAR_LINE = re.compile(r"^(error: |newscrawler-cron: )|\] ERROR: |UNHEALTHY", re.MULTILINE)


@dataclass
class Command:
    number: int
    line: str
    kind: str  # "run", "network", "background", "ci"

    @property
    def comment(self) -> str:
        return self.line.partition("#")[2] if "#" in self.line else ""


@dataclass
class Result:
    command: Command
    code: int
    output: str


def readme_blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


def readme_commands() -> list[Command]:
    commands: list[Command] = []
    for language, text in readme_blocks():
        if language != "sh":
            continue
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if any(marker in line for marker in _NETWORK):
                kind = "network"
            elif _ANOTHER_TERMINAL in line:
                kind = "background"
            elif line.split("#")[0].split() == ["make", "test"]:
                kind = "ci"
            else:
                kind = "run"
            commands.append(Command(len(commands), line, kind))
    return commands


def _script(commands: list[Command], out: Path) -> str:
    """One bash session running every command, each one's output and exit code kept."""
    lines = ["set +e"]
    refused = " ".join(
        f"{name}={_REFUSED}" for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
    )
    for command in commands:
        log, code = out / f"{command.number}.out", out / f"{command.number}.rc"
        if command.kind == "ci":
            continue
        if command.kind == "background":
            # Its own session, so the tests can stop it and all it started.
            lines.append(
                f"setsid bash -c {shlex.quote(command.line)} > {log} 2>&1 & "
                f"echo $! > {out / f'{command.number}.pid'}"
            )
            port = re.search(r"127\.0\.0\.1:(\d+)", command.comment)
            if port:
                lines.append(_wait_for_port(int(port.group(1))))
            continue
        if command.kind == "network":
            # A subshell: the refused proxies do not outlive the command.
            lines.append(f"( export {refused} no_proxy= ; {command.line}\n) > {log} 2>&1")
        else:
            lines.append(f"{{ {command.line}\n}} > {log} 2>&1")
        lines.append(f"echo $? > {code}")
    return "\n".join(lines) + "\n"


def fresh_copy(target: Path) -> Path:
    """What a clone of this checkout holds (its tracked files, and new ones not ignored)."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = PROJECT_ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())
            destination.chmod(source.stat().st_mode)
    return target


@dataclass
class ReadmeRun:
    clone: Path
    results: list[Result]


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadmeRun]:
    clone = fresh_copy(tmp_path_factory.mktemp("clone"))
    out = tmp_path_factory.mktemp("readme-outputs")
    commands = readme_commands()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    script = out / "readme.sh"
    script.write_text(_script(commands, out), encoding="utf-8")
    try:
        subprocess.run(["bash", str(script)], cwd=clone, env=env, timeout=1800, check=False)
        results = [
            Result(c, int(_read(out, c, "rc")), _read(out, c, "out"))
            for c in commands
            if c.kind in ("run", "network")
        ]
        yield ReadmeRun(clone, results)
    finally:
        for pid_file in out.glob("*.pid"):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)


def _read(out: Path, command: Command, suffix: str) -> str:
    path = out / f"{command.number}.{suffix}"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else "-1"


def test_every_command_does_what_the_readme_says(readme_run):
    assert len(readme_run.results) >= 15
    problems = []
    for result in readme_run.results:
        line, output = result.command.line, result.output
        if result.command.kind == "network":
            clear = _CLEAR_LINE.findall(output)
            if result.code == 0 or "Traceback" in output or not clear:
                problems.append(f"{line!r} should fail with one clear line:\n{output[-1500:]}")
        elif result.code != 0:
            problems.append(f"{line!r} exited {result.code}:\n{output[-1500:]}")
        printed = re.search(r"prints: (\S+)", result.command.comment)
        if printed and printed.group(1) not in output:
            problems.append(f"{line!r} should print {printed.group(1)!r}:\n{output[-500:]}")
    assert not problems, "\n\n".join(problems)


def test_make_test_is_what_ci_runs():
    ci = [c for c in readme_commands() if c.kind == "ci"]
    assert ci, "the README shows `make test`"
    assert re.search(r"^make test$", (PROJECT_ROOT / ".ci" / "run").read_text(), re.MULTILINE)


def _run_dirs(clone: Path) -> list[Path]:
    output = clone / "output"
    return sorted(p for p in output.iterdir() if p.is_dir() and p.name != "demo")


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def test_plain_scrapy_crawl_writes_the_whole_run_directory(readme_run):
    fixture_sites = set(load_registry(REGISTRY))
    fixture_runs = [
        d
        for d in _run_dirs(readme_run.clone)
        if (d / "manifest.json").exists() and set(_manifest(d)["sites"]) <= fixture_sites
    ]
    first, again = fixture_runs[0], fixture_runs[1]
    manifest = _manifest(first)
    assert manifest["health"]["ok"], manifest["health"]
    assert manifest["records"] == 41
    batches = sorted(first.glob("articles-*.jsonl"))
    records = [json.loads(line) for b in batches for line in b.read_text().splitlines() if line]
    texts = sorted((first / "text").glob("*.txt"))
    assert len(records) == len(texts) == 41
    assert {r["id"] for r in records} == {t.stem.split("_", 1)[1] for t in texts}
    # The rerun found nothing new: no batch file, a manifest that says so.
    assert not list(again.glob("articles-*.jsonl"))
    assert _manifest(again)["records"] == 0 and _manifest(again)["health"]["ok"]


def test_the_fixture_crawl_is_archived_and_its_re_cleaning_finds_nothing_new(readme_run):
    runs = [d for d in _run_dirs(readme_run.clone) if (d / "manifest.json").exists()]
    # The first archive is the fixture crawl's (the scrapyd job, later, archives too).
    archived = next(d for d in runs if (d / "warc").is_dir())
    records = [
        json.loads(line)
        for batch in sorted(archived.glob("articles-*.jsonl"))
        for line in batch.read_text().splitlines()
        if line
    ]
    assert records and all((archived / r["warcFile"]).is_file() for r in records)
    (reprocess,) = [d for d in runs if _manifest(d)["spider"] == "reprocess"]
    manifest = _manifest(reprocess)
    assert manifest["health"]["ok"] and manifest["records"] == 0
    assert manifest["stats"]["news/dedup/unchanged"] >= 38


def test_the_demo_prints_its_run_directory(readme_run):
    (demo,) = [r for r in readme_run.results if r.command.line.startswith("make demo")]
    assert re.search(r"Run directory: .*\n  articles-\*\.jsonl: 4\d records", demo.output)


def test_scrapyd_job_finds_the_records(readme_run):
    (schedule,) = [r for r in readme_run.results if "schedule.json" in r.command.line]
    job = json.loads(schedule.output)["jobid"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with urllib.request.urlopen(
            "http://127.0.0.1:6800/listjobs.json?project=newscrawler", timeout=10
        ) as answer:
            jobs = json.load(answer)
        if any(j["id"] == job for j in jobs["finished"]):
            break
        time.sleep(1)
    else:
        pytest.fail(f"the scrapyd job {job} did not finish")
    log = (readme_run.clone / "logs" / "newscrawler" / "news" / f"{job}.log").read_text()
    written = re.search(r"Run manifest written to (\S+)", log)
    assert written, log[-3000:]
    run_dir = (readme_run.clone / written.group(1)).parent
    records = sum(
        1 for b in run_dir.glob("articles-*.jsonl") for line in b.read_text().splitlines() if line
    )
    assert records == _manifest(run_dir)["records"] > 0


def test_the_onboarded_site_is_in_the_registry_and_crawls(readme_run):
    registry = load_registry(readme_run.clone / "my-sites.toml")
    assert list(registry) == ["ledger"]
    (run,) = [
        d
        for d in _run_dirs(readme_run.clone)
        if (d / "manifest.json").exists() and set(_manifest(d)["sites"]) == {"ledger"}
    ]
    assert _manifest(run)["health"]["ok"] and _manifest(run)["records"] >= 9


def test_the_report_shows_the_runs(readme_run):
    report = readme_run.clone / "output" / "report.html"
    page = report.read_text(encoding="utf-8")
    # Every run finished before the report (the scrapyd job may end after it).
    runs = [
        d.name
        for d in _run_dirs(readme_run.clone)
        if (d / "manifest.json").exists()
        and (d / "manifest.json").stat().st_mtime < report.stat().st_mtime
    ]
    assert len(runs) >= 3 and all(name in page for name in runs), runs
    assert "<script" not in page and "<svg" in page
    assert (readme_run.clone / "last-runs.html").exists()


def test_python_example_runs_in_the_copy(readme_run):
    python = readme_run.clone / ".venv" / "bin" / "python"
    for language, code in readme_blocks():
        if language == "python":
            result = subprocess.run(
                [str(python), "-c", code],
                cwd=readme_run.clone,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr[-2000:]


def test_the_settings_table_is_the_schema():
    assert settings_table() in README.read_text(encoding="utf-8"), (
        "README's settings table differs from crawler/config/news.py: "
        "regenerate it with python -m crawler.config"
    )


def _wait_for_port(port: int) -> str:
    """Bash that waits (up to two minutes) until something listens on the port."""
    return (
        "for _ in $(seq 600); do "
        f"(exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.2; done"
    )
