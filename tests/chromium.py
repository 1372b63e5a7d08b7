"""Headless Chromium for tests: Debian's ``chromium`` renders a local page, offline.

Each call runs the browser as our child with a throwaway profile, every background
service that could reach the network switched off, and a time limit; the page is a
``file://`` URL. Tests that need it are marked ``browser`` and skip with the reason
when the binary is missing (``.ci/install-chromium`` installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

BINARIES = ("chromium", "chromium-browser")
MISSING = (
    "chromium is not installed (Debian: apt-get install chromium, or run .ci/install-chromium)"
)
_TIMEOUT = 120
_FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root in CI, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
)


def chromium_binary() -> str:
    """The browser's path; skips the test without one."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(MISSING)


def run_chromium(page: Path, *actions: str) -> subprocess.CompletedProcess[str]:
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="test-chromium-") as profile:
        return subprocess.run(
            [binary, *_FLAGS, f"--user-data-dir={profile}", *actions, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )


def dump_dom(page: Path) -> str:
    """The page's DOM after Chromium loaded and laid it out, as HTML."""
    result = run_chromium(page, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(page: Path, target: Path, size: str = "1280,1600") -> Path:
    result = run_chromium(page, f"--screenshot={target}", f"--window-size={size}")
    assert result.returncode == 0 and target.exists(), result.stderr[-2000:]
    return target
