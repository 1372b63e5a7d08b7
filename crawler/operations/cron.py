"""``newscrawler-cron``: one scheduled, incremental crawl, safe to start from cron.

- Takes a lock (``flock`` on ``<state>/cron.lock``): a run started while another
  holds it exits at once with 75 (EX_TEMPFAIL) and touches nothing. (The crawl itself
  takes the state directory's own lock, against any other crawl.)
- Runs ``scrapy crawl news`` into a new dated run directory, with a time limit: when
  it expires the crawl is stopped gracefully (SIGINT: in-flight items finish, outputs
  are flushed), and killed only if it has not stopped after a grace period.
  SIGTERM/SIGINT sent to this command are passed on the same way. A stop asked for
  while the crawl is still starting waits until its engine runs (within the grace
  period): Scrapy stops a crawl that is not running yet without closing it.
- Resumes: the crawl keeps its scheduler queue in ``<state>/job`` (Scrapy JOBDIR); a
  gracefully stopped run continues where it stopped. After a finished run the job
  directory is cleared, so no seen-request set outlives its run. A run killed hard is
  repaired by the emission ledger: nothing is lost, nothing emitted twice.
- Exit codes (:class:`crawler.operations.exitcodes.ExitCode`): 0 healthy, 1 unhealthy
  (see the manifest's "health"), 2 bad configuration, 3 the crawl died without a
  manifest, 4 the state store cannot be used, 5 healthy but a site drifted (the
  manifest's "drift"), 75 another run holds a lock.

Example crontab line (every 30 minutes, at most 25 minutes a run)::

    */30 * * * * cd /srv/newscrawler && .venv/bin/newscrawler-cron --time-limit 1500
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from crawler.operations import jobdir
from crawler.operations.exitcodes import ExitCode
from pipelines.output.layout import LOG_NAME, MANIFEST_NAME, new_run_dir
from pipelines.output.runs import engine_running
from pipelines.state.lock import DirectoryLock, StateLocked

LOCK_NAME = "cron.lock"
JOB_DIR_NAME = "job"
# Exit codes of the crawl that say it never ran: passed on as they are.
_PASSED_ON = (ExitCode.BAD_CONFIG, ExitCode.STATE_UNUSABLE, ExitCode.LOCKED)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="newscrawler-cron",
        description="Run one incremental crawl of the registry, safe to start from cron.",
        epilog="Arguments after -- go to `scrapy crawl news`, e.g. -- -a site=npr",
    )
    parser.add_argument("--output-dir", type=Path, default=Path("output"))
    parser.add_argument("--state-dir", type=Path, default=Path("data"))
    parser.add_argument(
        "--time-limit", type=float, default=3300, help="seconds before a graceful stop"
    )
    parser.add_argument("--grace", type=float, default=120, help="seconds to stop before a kill")
    parser.add_argument("--no-resume", action="store_true", help="do not keep a JOBDIR")
    parser.add_argument("scrapy_args", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def crawl_command(args: argparse.Namespace, run_dir: Path) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "news"]
    settings = {
        "NEWS_RUN_DIR": str(run_dir),
        "NEWS_STATE_DIR": str(args.state_dir),
        "LOG_FILE": str(run_dir / LOG_NAME),
    }
    if not args.no_resume:
        settings["JOBDIR"] = str(args.state_dir / JOB_DIR_NAME)
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command + list(args.scrapy_args)


def run_crawl(command: list[str], time_limit: float, grace: float, run_dir: Path) -> int:
    """Run the crawl; stop it gracefully at the time limit or on our own SIGTERM/SIGINT.

    The first stop is passed on once the crawl's engine runs (``run_dir``'s mark); a
    second one at once, as a user's second Ctrl-C (Scrapy then stops without waiting).
    """
    child = subprocess.Popen(command)
    requests: list[float] = []  # when each stop was asked for
    passed_on = 0

    def stop(signum: int = signal.SIGINT, frame: FrameType | None = None) -> None:
        requests.append(time.monotonic())

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    deadline = time.monotonic() + time_limit
    try:
        while child.poll() is None:
            now = time.monotonic()
            if not requests and now >= deadline:
                stop()
            insisted = len(requests) > 1
            if len(requests) > passed_on and (passed_on or insisted or engine_running(run_dir)):
                child.send_signal(signal.SIGINT)
                passed_on += 1
            if requests and now >= requests[0] + grace:
                child.kill()
            time.sleep(0.05 if requests else 0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return child.returncode


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    lock = DirectoryLock(args.state_dir / LOCK_NAME, what="newscrawler-cron run")
    try:
        lock.acquire()
    except StateLocked as exc:
        print(f"newscrawler-cron: {exc}; exiting", file=sys.stderr)
        return ExitCode.LOCKED
    job_dir = args.state_dir / JOB_DIR_NAME
    if not args.no_resume and jobdir.is_unclean(job_dir):
        print(
            f"newscrawler-cron: discarding {job_dir}: its crawl did not stop cleanly "
            "(the emission ledger has kept what it committed)",
            file=sys.stderr,
        )
        jobdir.discard(job_dir)
    run_dir = new_run_dir(args.output_dir)
    run_dir.mkdir(parents=True)
    code = run_crawl(crawl_command(args, run_dir), args.time_limit, args.grace, run_dir)
    if code in _PASSED_ON:
        # The crawl said why in one line on stderr, and wrote nothing.
        shutil.rmtree(run_dir, ignore_errors=True)
        return code
    manifest_path = run_dir / MANIFEST_NAME
    if not manifest_path.exists():
        print(f"newscrawler-cron: the crawl exited {code} without a manifest; see {run_dir}")
        return ExitCode.CRASHED
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest["finish_reason"] == "finished" and not args.no_resume:
        shutil.rmtree(args.state_dir / JOB_DIR_NAME, ignore_errors=True)
    health, drift = manifest["health"], manifest.get("drift", [])
    verdict = "healthy" if health["ok"] else "UNHEALTHY: " + "; ".join(health["problems"])
    if drift:
        verdict += "; DRIFT: " + "; ".join(drift)
    print(
        f"{run_dir}: {manifest['records']} records, finish reason "
        f"{manifest['finish_reason']}, {verdict}"
    )
    if not health["ok"]:
        return ExitCode.UNHEALTHY
    return ExitCode.DRIFT if drift else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
