"""The memory probe the end-to-end tests use: each process's own peak, not its parent's."""

import subprocess
import sys

from fixtures.procs import PeakWatcher

MIB = 2**20
CHILD = """
import time
block = bytearray(120 * 2**20)
for i in range(0, len(block), 4096):
    block[i] = 1
time.sleep(0.5)
"""


def test_a_child_peak_is_its_own_not_its_parents():
    # This process holds 300 MiB when it spawns the child: the child's ru_maxrss starts
    # there (what Scrapy's memusage/max reports); its VmHWM does not.
    ballast = bytearray(300 * MIB)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    with PeakWatcher(interval=0.05) as watcher:
        subprocess.run([sys.executable, "-c", CHILD], check=True)
    del ballast
    assert len(watcher.peaks) == 1
    (peak,) = watcher.peaks.values()
    assert 120 * MIB <= peak < 250 * MIB
