"""bench.reprocess: the headline figures of several alternating rounds."""

from __future__ import annotations

from typing import Any

from bench.reprocess import median_round


def round_figures(scaling: float, flat: bool = True) -> dict[str, Any]:
    return {
        "scaling": scaling,
        "scaling_ceiling": 1.9,
        "of_ceiling": round(scaling / 1.9, 3),
        "reprocess_pages_per_s": 70 * scaling,
        "own_pages_per_s": 70.0,
        "memory_flat": flat,
        "crawler_rss_mb": {"25": 170.0, "100": 180.0},
    }


def test_the_median_round_gives_the_figures_and_every_round_is_listed():
    figures = median_round([round_figures(1.5), round_figures(1.7), round_figures(1.6)])
    assert figures["scaling"] == 1.6
    assert figures["reprocess_pages_per_s"] == 70 * 1.6
    assert [r["scaling"] for r in figures["rounds"]] == [1.5, 1.7, 1.6]  # in run order
    assert figures["memory_flat"]


def test_an_even_count_takes_the_lower_median_and_memory_must_be_flat_in_every_round():
    figures = median_round([round_figures(1.7, flat=False), round_figures(1.5)])
    assert figures["scaling"] == 1.5
    assert not figures["memory_flat"]
    one = median_round([round_figures(1.62)])
    assert one["scaling"] == 1.62 and len(one["rounds"]) == 1
