"""Per page, which extractor's body to keep, and what the declared body adds to it.

trafilatura and readability-lxml, each cleaned by the boilerplate layer, agree on most
pages. Where they differ, readability usually trimmed related rails and comment threads
that trafilatura kept after the story, or kept the continuation of a body that trafilatura
cut at an inline module; trafilatura usually kept lists, tables and subheadings that
readability dropped from inside the story, found the story where readability settled on
something else, or stopped where the story ends while readability went on into the author
bio and comment rules that follow it in the same container. Those cases are told apart by
what each keeps that the other does not: where it sits (inside the shared part or around
it) and whether the other corroborates it.

Measured on the development sets (python -m bench.extraction): an oracle choosing the better
of the two per page gains 0.01-0.03 F1 over either; these rules keep most of that.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from pipelines.cleaning.blocks import BlockMemo, Unit, flatten
from pipelines.cleaning.boilerplate import classify
from pipelines.cleaning.guide import Guide
from pipelines.cleaning.lines import KEEP, Action, Decision

logger = logging.getLogger(__name__)

# A block is corroborated by the other candidate when at least this share of its shingles is
# in the other's text.
_SHARED = 0.5
# Below this many words a candidate found nothing worth comparing.
_MIN_WORDS = 20
# readability is kept when this much of it is corroborated by trafilatura...
_CORROBORATED = 0.6
# ...trafilatura keeps (almost) nothing inside the shared part that readability dropped...
_MAX_INTERIOR_LOSS = 0.05
# (Lines mostly of link text, a site's navigation between the story's parts, are not what
# readability loses.)
_LINKED = 0.5
# ...and it is not a fragment of trafilatura's body.
_MIN_LENGTH_RATIO = 0.3
# Below this share of each one's words corroborated by the other, the two found different
# text; then readability wins with this much more of its words in sentences...
_DISJOINT = 0.2
_PROSE_GAP = 0.5
# ...or by length, when trafilatura's is not (almost) all prose.
_ALL_PROSE = 0.9
# trafilatura's own rule for its readability fallback: a body twice as long is the story,
# trafilatura's a fragment of it (an intro, a caption block, the first part of a split body).
_MUCH_LONGER = 2.0
# Skipping readability: trafilatura's body holds this share of the page's paragraph words,
# this share of it is prose, and the layer found little furniture in what trafilatura kept...
_BAND = (0.8, 1.1)
_MIN_PROSE = 0.9
_MAX_FURNITURE_SHARE = 0.1
# ...or it holds this much of the declared body, and is not much longer than it.
_GUIDE_AGREES = 0.9
_GUIDE_LENGTH = 1.2
# Lines the layer dropped from the other body are dropped from the chosen one too; shorter
# ones ("Home", "Photos") say too little about where they stand.
_MIN_SHARED_DROP_WORDS = 4
_DROPPED_BY_OTHER = Decision(Action.DROP, "dropped-in-other")
# trafilatura's body as a single line is its fallback's glued page text: its extraction
# found no structure. A readability body of paragraphs inside it, of a story's length (the
# words below which an article is flagged short), is then the story; shorter ones were
# teasers or captions (l3s-gn1: 4 of 8 such pages each way, split at 67 vs 134 words).
_CONTAINED = 0.9
_STORY_WORDS = 100
# trafilatura's body wholly inside readability's (this share of it corroborated), and
# readability going on after the last line they share for a paragraph or more, but for less
# than this share of trafilatura's length: that tail is what follows the story in its
# container (comment rules and sign-in text, related-story teasers, an author bio,
# trackbacks), taken in by readability's walk of the story's siblings and cut by
# trafilatura. Measured: such tails were 13-32% of trafilatura's body on the development
# sets (7 pages, each better as trafilatura's); the continuation of a split body, which
# readability rightly recovers, is as long as the part before it or longer (trafilatura's
# recall 0.35-0.45 on such pages). A 15-word floor also cut the story's own closing lines
# on 4 pages.
_INSIDE = 0.95
_TAIL_WORDS = 30
_TAIL_SHARE = 0.4
# With a declared body: a candidate holding this much more of it wins outright.
_GUIDE_MARGIN = 0.15
# A lede readability leaves out is a sentence of at least this many words, at most this
# share of them capitalised (with_lead_in).
_LEAD_WORDS = 20
_LEDE_CAPITALS = 0.5


@dataclass
class Candidate:
    """One extractor's body, flattened and judged by the boilerplate layer."""

    name: str
    units: list[Unit]
    decisions: list[Decision]
    kept: list[Unit] = field(init=False)
    words: int = field(init=False)
    prose: float = field(init=False)  # share of its words in sentence-like lines

    def __post_init__(self) -> None:
        self.kept = [u for u, d in zip(self.units, self.decisions, strict=True) if d.keeps]
        self.words = sum(u.block.size for u in self.kept)
        sentences = sum(u.block.size for u in self.kept if u.block.sentence_like)
        self.prose = sentences / self.words if self.words else 0.0

    @property
    def texts(self) -> list[str]:
        return [u.block.text for u in self.kept]


def judge(
    name: str,
    body: etree._Element | None,
    *,
    headline: str | None,
    links: frozenset[str],
    memo: BlockMemo | None = None,
) -> Candidate:
    """``body`` as a candidate: its blocks and the boilerplate layer's decisions.

    ``memo``: one per page, shared by its candidates (see :data:`BlockMemo`).
    """
    units = flatten(body, links, memo) if body is not None else []
    decisions = classify([u.block for u in units], headline=headline)
    return Candidate(name, units, decisions)


@dataclass(frozen=True)
class _Comparison:
    """What each candidate keeps that the other corroborates, in words, and where."""

    shared_first: int  # words of the first candidate corroborated by the second
    shared_second: int  # words of the second candidate corroborated by the first
    interior_first: int  # words only the first keeps, between corroborated blocks
    tail_second: int  # words the second keeps after its last corroborated block


def _corroborated(candidate: Candidate, other: Candidate) -> list[bool]:
    known: frozenset[tuple[str, ...]] = frozenset().union(
        *(u.block.shingle_set for u in other.kept)
    )
    flags = []
    for unit in candidate.kept:
        own = unit.block.shingle_set
        flags.append(bool(own) and len(own & known) >= _SHARED * len(own))
    return flags


def _shared_span(flags: list[bool]) -> tuple[int, int]:
    """From the first to past the last corroborated block; (0, 0) when none is."""
    if not any(flags):
        return 0, 0
    return flags.index(True), len(flags) - flags[::-1].index(True)


def _compare(first: Candidate, second: Candidate) -> _Comparison:
    flags_first = _corroborated(first, second)
    flags_second = _corroborated(second, first)
    shared_first = sum(u.block.size for u, f in zip(first.kept, flags_first, strict=True) if f)
    shared_second = sum(u.block.size for u, f in zip(second.kept, flags_second, strict=True) if f)
    start, end = _shared_span(flags_first)
    interior_first = sum(
        u.block.size
        for u, f in zip(first.kept[start:end], flags_first[start:end], strict=True)
        if not f and u.block.link_share < _LINKED
    )
    _, end_second = _shared_span(flags_second)
    tail_second = sum(u.block.size for u in second.kept[end_second:]) if end_second else 0
    return _Comparison(shared_first, shared_second, interior_first, tail_second)


def prefer_second(first: Candidate, second: Candidate) -> bool:
    """Whether readability's body (second) is the better choice than trafilatura's (first)."""
    if second.words < _MIN_WORDS:
        return False
    if first.words < _MIN_WORDS:
        return True
    comparison = _compare(first, second)
    if (
        len(first.kept) == 1
        and len(second.kept) > 1
        and second.words >= _STORY_WORDS
        and comparison.shared_second >= _CONTAINED * second.words
    ):
        return True
    disjoint = (
        comparison.shared_second < _DISJOINT * second.words
        and comparison.shared_first < _DISJOINT * first.words
    )
    if disjoint:
        # They found different text: the one that reads as prose is the story, and a much
        # longer one is, unless trafilatura's is all prose (readability then often took a
        # comment thread or a second story).
        return second.prose - first.prose >= _PROSE_GAP or (
            second.words >= _MUCH_LONGER * first.words and first.prose < _ALL_PROSE
        )
    if second.prose - first.prose >= _PROSE_GAP and second.words >= first.words:
        # trafilatura took a list (related stories under a story in loose text), readability
        # the story, and the two share a few of the list's lines: as long, and prose.
        return True
    if (
        comparison.shared_first >= _INSIDE * first.words
        and _TAIL_WORDS <= comparison.tail_second <= _TAIL_SHARE * first.words
    ):
        return False
    if second.words >= _MUCH_LONGER * first.words:
        return True
    return (
        comparison.shared_second >= _CORROBORATED * second.words
        and comparison.interior_first <= _MAX_INTERIOR_LOSS * first.words
        and second.words >= _MIN_LENGTH_RATIO * first.words
    )


def needs_second_opinion(
    first: Candidate, paragraph_words: Callable[[], int], guide: Guide | None
) -> bool:
    """Whether readability is worth its cost (about trafilatura's own) on this page.

    ``paragraph_words`` counts the words of the page's paragraphs
    (:func:`~pipelines.cleaning.blocks.paragraph_words`), asked only when needed.

    Not when trafilatura's body agrees with the page's declared body, nor when it is prose
    that accounts for the page's paragraphs, no more and no less: then readability mostly
    finds the same body. Measured on the development sets: readability is skipped on 40%
    of the pages, for 0.005 F1 on l3s-gn1 (rails and comments written as paragraphs, which
    readability leaves out) and under 0.002 on the others.
    """
    if first.words < _MIN_WORDS:
        return True
    if guide is not None:
        return not (
            guide.coverage(first.texts) >= _GUIDE_AGREES
            and first.words <= _GUIDE_LENGTH * guide.words
        )
    found = sum(u.block.size for u in first.units)
    if first.prose < _MIN_PROSE or first.words < (1 - _MAX_FURNITURE_SHARE) * found:
        return True
    page_words = paragraph_words()
    return not _BAND[0] * page_words <= first.words <= _BAND[1] * page_words


def choose(first: Candidate, second: Candidate | None, guide: Guide | None) -> Candidate:
    """The candidate to keep: by the declared body where there is one, else by agreement."""
    if second is None:
        return first
    if guide is not None:
        covered_first = guide.coverage(first.texts)
        covered_second = guide.coverage(second.texts)
        if abs(covered_first - covered_second) >= _GUIDE_MARGIN:
            return first if covered_first > covered_second else second
    chosen, other = (second, first) if prefer_second(first, second) else (first, second)
    logger.debug("chose %s (%d vs %d words)", chosen.name, first.words, second.words)
    cleaned = without_furniture_of(chosen, other)
    return with_gaps_filled(cleaned, second) if chosen is first else with_lead_in(cleaned, first)


def without_furniture_of(chosen: Candidate, other: Candidate) -> Candidate:
    """The chosen body without the lines the layer dropped from the other's body.

    Each extractor shows the layer a different context: readability drops a rail's linked
    headlines itself and leaves their teasers as a run of plain sentences, which the layer
    only recognises as a rail in trafilatura's body, headlines included.
    """
    dropped = {
        u.block.key
        for u, d in zip(other.units, other.decisions, strict=True)
        if not d.keeps and u.block.size >= _MIN_SHARED_DROP_WORDS
    }
    # Words the other body dropped once and kept once (a pull quote and its sentence) are
    # not furniture there.
    dropped -= {u.block.key for u in other.kept}
    if not dropped:
        return chosen
    decisions = [
        _DROPPED_BY_OTHER if d.keeps and u.block.key in dropped else d
        for u, d in zip(chosen.units, chosen.decisions, strict=True)
    ]
    return Candidate(chosen.name, chosen.units, decisions)


def with_gaps_filled(chosen: Candidate, other: Candidate) -> Candidate:
    """The chosen body with the prose the other keeps between two blocks they share.

    trafilatura leaves out some runs inside a story that readability keeps: a list of
    quoted replies in a layout table's cell, a quotation set apart. Where readability's
    blocks between two blocks both bodies hold, and next to each other in trafilatura's,
    are all sentences and not links (a rail or a promo would not be), they belong to the
    story, and go in between. Measured on the development sets: 3 of 987 pages change,
    each for the better (+0.016 to +0.064 F1).
    """
    if not chosen.kept or not other.kept:
        return chosen
    position: dict[tuple[str, ...], int] = {}
    for index, unit in enumerate(chosen.kept):
        for shingle in unit.block.shingle_set:
            position.setdefault(shingle, index)
    flags = _corroborated(other, chosen)
    anchors: list[tuple[int, int]] = []  # (index in other.kept, index in chosen.kept)
    for index, (unit, shared) in enumerate(zip(other.kept, flags, strict=True)):
        if shared:
            at = Counter(position[s] for s in unit.block.shingle_set if s in position)
            place = at.most_common(1)[0][0]
            if not anchors or place > anchors[-1][1]:
                anchors.append((index, place))
    inserts: dict[int, list[Unit]] = {}
    for (start, before), (end, after) in itertools.pairwise(anchors):
        gap = other.kept[start + 1 : end]
        # A shared block out of order inside it is a move, not a gap.
        if (
            gap
            and after == before + 1
            and not any(flags[start + 1 : end])
            and all(_story_prose(u) for u in gap)
        ):
            inserts[after] = gap
    return _with_inserted(chosen, inserts, other.name) if inserts else chosen


def with_lead_in(chosen: Candidate, other: Candidate) -> Candidate:
    """The chosen body with the one sentence the other holds just before their shared text.

    readability starts at the story's first paragraph and leaves out a standfirst or a lede
    set apart from it ("(CNN) Rocker Tom Petty died Monday ...", a deck under the headline),
    which trafilatura keeps. That lede is a single prose block of a sentence's length, in
    sentence case (not a Title Case bar of links), right before trafilatura's first block
    that readability corroborates, where readability's own body starts. Shorter lines there
    are kickers, captions and notices; several prose blocks are teasers or another story; a
    line readability held and the layer dropped (a reader's comment the page shows first)
    stays dropped. Measured on the development sets: 8 of 987 pages change, each for the
    better (+0.012 to +0.092 F1); at 15 words, 3 more better and 2 worse (a "section no
    longer in use" notice, an archive notice).
    """
    if not chosen.kept or not other.kept:
        return chosen
    flags = _corroborated(other, chosen)
    if not any(flags) or not _corroborated(chosen, other)[0]:
        return chosen
    first_shared = flags.index(True)
    before = other.kept[:first_shared]
    if not before or not _is_lede(lead := before[-1]):
        return chosen
    if len(before) > 1 and _is_lede(before[-2]):
        return chosen
    # The chosen body held the line and dropped it (a reader's comment the page shows first).
    if any(u.block.key == lead.block.key for u in chosen.units):
        return chosen
    return _with_inserted(chosen, {0: [lead]}, other.name)


def _with_inserted(chosen: Candidate, inserts: dict[int, list[Unit]], source: str) -> Candidate:
    """The chosen body's kept units with the other body's ``inserts`` before the kept unit
    at each index, paragraphs renumbered in the merged order (assemble sorts by number)."""
    units: list[Unit] = []
    numbers: dict[tuple[bool, int], int] = {}
    for index, unit in enumerate(chosen.kept):
        for inserted in inserts.get(index, ()):
            number = numbers.setdefault((False, inserted.paragraph), len(numbers))
            units.append(Unit(inserted.block, number))
        number = numbers.setdefault((True, unit.paragraph), len(numbers))
        units.append(Unit(unit.block, number))
    logger.debug("%d blocks of %s added to %s", len(units) - len(chosen.kept), source, chosen.name)
    return Candidate(chosen.name, units, [KEEP] * len(units))


def _is_lede(unit: Unit) -> bool:
    block = unit.block
    if not _story_prose(unit) or block.size < _LEAD_WORDS:
        return False
    # A sentence is mostly lower-case words; a bar of links is Title Case.
    capitalised = sum(1 for token in block.tokens if token[:1].isupper())
    return capitalised <= _LEDE_CAPITALS * len(block.tokens)


def _story_prose(unit: Unit) -> bool:
    return unit.block.sentence_like and unit.block.link_share < _LINKED
