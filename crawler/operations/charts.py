"""Small inline SVG charts for the run report: no script, no external file, any browser.

Each chart is an lxml element to put in the page: values carry a ``<title>`` (the
browser's tooltip) and the tables next to the charts hold the same numbers as text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lxml import etree
from lxml.builder import ElementMaker

SVG_NS = "http://www.w3.org/2000/svg"
S = ElementMaker(namespace=SVG_NS, nsmap={None: SVG_NS})
# Okabe-Ito: told apart with the common colour-vision deficiencies; grey for the rest.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D00")
OTHERS = "#999999"
_HEIGHT = 180
_TOP, _BOTTOM, _LEFT, _RIGHT = 12, 34, 44, 8
_LABEL_CHAR = 5.6  # width of a character of the 10px axis labels, about


def colour(index: int) -> str:
    return PALETTE[index] if index < len(PALETTE) else OTHERS


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    unit: str = "",
    decimals: int = 0,
) -> etree._Element:
    """One bar per label, stacked by series (name, values); None draws nothing."""
    count = max(len(labels), 1)
    bar = max(6.0, min(40.0, 450 / count))
    # Room for the labels when there are few bars; else every step-th label is shown.
    label_width = _LABEL_CHAR * max((len(t) for t in labels), default=1) + 6
    slot = max(bar * 4 / 3, min(label_width, 900 / count))
    gap = slot - bar
    width = _LEFT + _RIGHT + count * slot
    plot = _HEIGHT - _TOP - _BOTTOM
    totals = [sum(v[i] or 0 for _, v in series) for i in range(len(labels))]
    top = _nice(max(totals, default=0))
    svg = S.svg(
        S.title(title),
        viewBox=f"0 0 {width:.0f} {_HEIGHT}",
        width=f"{width:.0f}",
        height=str(_HEIGHT),
        role="img",
    )
    svg.set("aria-label", title)
    for fraction in (0, 0.5, 1):
        y = _TOP + plot * (1 - fraction)
        svg.append(
            S.line(
                x1=str(_LEFT),
                x2=f"{width - _RIGHT:.0f}",
                y1=f"{y:.1f}",
                y2=f"{y:.1f}",
                stroke="#dddddd",
            )
        )
        svg.append(_text(_LEFT - 4, y + 4, _format(top * fraction, decimals), anchor="end"))
    step = max(1, math.ceil(label_width / slot))
    for index, label in enumerate(labels):
        x = _LEFT + gap / 2 + index * (bar + gap)
        base = float(_TOP + plot)
        for position, (name, values) in enumerate(series):
            value = values[index] if index < len(values) else None
            if not value or top <= 0:
                continue
            height = plot * value / top
            base -= height
            rect = S.rect(
                x=f"{x:.1f}",
                y=f"{base:.1f}",
                width=f"{bar:.1f}",
                height=f"{height:.1f}",
                fill=colour(position),
            )
            rect.append(S.title(f"{label}: {name} {_format(value, decimals)}{unit}"))
            svg.append(rect)
        if index % step == 0:
            svg.append(_text(x + bar / 2, _HEIGHT - _BOTTOM + 14, label, anchor="middle"))
    return svg


def sparkline(values: Sequence[float | None], *, title: str) -> etree._Element:
    """A 90x20 line of one site's records over the runs (gaps where it was not crawled)."""
    width, height = 90, 20
    known = [v for v in values if v is not None]
    top = max(known, default=0) or 1
    svg = S.svg(
        S.title(title),
        viewBox=f"0 0 {width} {height}",
        width=str(width),
        height=str(height),
        role="img",
    )
    svg.set("aria-label", title)
    step = width / max(len(values) - 1, 1)
    points = [
        f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}"
        for i, v in enumerate(values)
        if v is not None
    ]
    if len(points) == 1:
        x, y = points[0].split(",")
        svg.append(S.circle(cx=x, cy=y, r="2", fill=PALETTE[0]))
    elif points:
        svg.append(S.polyline(points=" ".join(points), fill="none", stroke=PALETTE[0]))
        svg[-1].set("stroke-width", "1.5")
    return svg


def _text(x: float, y: float, text: str, *, anchor: str) -> etree._Element:
    element = S.text(text, x=f"{x:.1f}", y=f"{y:.1f}", fill="#555555")
    element.set("font-size", "10")
    element.set("text-anchor", anchor)
    return element


def _nice(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power


def _format(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"
