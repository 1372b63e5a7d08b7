"""Speed checks as ratios against a baseline measured in the same test.

CPU time of this process, not wall time, and the best of a few runs: another process
busy on the same cores (the suite runs in several) slows the wall clock, not this.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def cpu_seconds(call: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time ``call`` took over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best
