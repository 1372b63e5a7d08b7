"""Lines a site repeats under its stories: its own boilerplate, proposed as ``drop_phrases``.

The generic cleaner judges one page at a time. A publisher's sign-off ("Thanks for
reading the Lakeshore Sentinel!", "A publication of Lakeshore Media Group.") or its address
reads like any other short paragraph on one page; across the site's articles it is the
same line every time, where a story's own lines never repeat. Onboarding test-cleans
several of the site's articles, so the lines most of them share are proposed for the
site's ``cleaning.drop_phrases``, which the person adding the site reviews in the block.

``drop_phrases`` also cuts a phrase out of a longer paragraph, so a short line ("News",
"Advertisement") would cut words out of sentences: only lines of a few words are proposed.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# A line is the site's when this many of the cleaned articles have it, and at least...
MIN_ARTICLES = 3
# ...this share of them (a line in 3 of 10 articles is a topic's, not the site's).
MIN_SHARE = 0.5
# Shorter lines would cut words out of the sentences that contain them.
MIN_WORDS = 3
MIN_CHARACTERS = 15
# A block the person reviews: beyond this, the site needs a remove_selectors rule.
MAX_PHRASES = 12
# Articles whose shared lines are most of their text are copies of one story (or a
# template's placeholder text), not stories with a sign-off: nothing is proposed.
MAX_SHARED_SHARE = 0.5


@dataclass(frozen=True)
class RepeatedLine:
    text: str
    articles: int  # cleaned articles that have the line


def repeated_lines(bodies: Sequence[str]) -> list[RepeatedLine]:
    """The lines that most of ``bodies`` (articles' cleaned text) have, most shared first."""
    if len(bodies) < MIN_ARTICLES:
        return []
    lines_of = [_lines(body) for body in bodies]
    counts: Counter[str] = Counter()
    for lines in lines_of:
        counts.update(dict.fromkeys(lines, 1))
    needed = max(MIN_ARTICLES, math.ceil(MIN_SHARE * len(bodies)))
    # Counter keeps first-seen order among equal counts: the page's order, stable.
    shared = [RepeatedLine(line, n) for line, n in counts.most_common() if n >= needed]
    texts = {line.text for line in shared}
    shares = [
        sum(len(line.split()) for line in lines if line in texts) / max(len(body.split()), 1)
        for body, lines in zip(bodies, lines_of, strict=True)
    ]
    if statistics.median_high(shares) > MAX_SHARED_SHARE:
        return []
    return shared[:MAX_PHRASES]


def _lines(body: str) -> list[str]:
    lines = (" ".join(line.split()) for line in body.splitlines())
    return [
        line for line in lines if len(line) >= MIN_CHARACTERS and len(line.split()) >= MIN_WORDS
    ]
