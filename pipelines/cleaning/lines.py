"""Single-line verdicts on an extracted body's blocks, and the block features they read.

Each block (paragraph line, heading, list item, table row) is judged on its own: its length,
whether it reads like a sentence, and whole-line patterns from
:mod:`pipelines.cleaning.vocabulary` (share bars, sign-up prompts, credits, bylines, date
lines). :mod:`pipelines.cleaning.boilerplate` adds the verdicts that need context.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from pipelines.cleaning.guide import shingles
from pipelines.cleaning.text import word_count
from pipelines.cleaning.vocabulary import (
    BYLINE_JOINERS,
    BYLINE_RE,
    COPYRIGHT_MARKS,
    COPYRIGHT_RE,
    COPYRIGHT_WORDS,
    CREDIT_ALONE_RE,
    CREDIT_BRACKET_RE,
    CREDIT_END_RE,
    CREDIT_SLASH_RE,
    CREDIT_START_RE,
    CREDIT_WORDS,
    CTA_RE,
    CTA_WORDS,
    DATE_RE,
    DATE_WORDS,
    DIGIT,
    FILE_OR_URL_RE,
    IMPERATIVE_RE,
    LABELLED_CREDIT_RE,
    MAX_ALONE_CREDIT_WORDS,
    MAX_NOTICE_WORDS,
    MAX_SLASH_CREDIT_WORDS,
    PAYWALL_RE,
    PROMO_RE,
    QUOTES,
    READER_RE,
    RELATED_RE,
    ROLE_BYLINE_RE,
    ROLE_ONLY_RE,
    SELF_RE,
    SENTENCE_END,
    SHARE_BAR_RE,
    SHARE_RE,
    WEB_ADDRESS_RE,
    WIRE_LEAD_RE,
    WIRE_RE,
    WIRE_SOURCE_RE,
    WIRE_WORDS,
    WRITE_TO_RE,
)

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
# Leading list/table decoration and trailing separators that carry no words.
_DECORATION = " \t|-–—•·*<>»‹›:,;"


class Action(enum.Enum):
    KEEP = "keep"
    DROP = "drop"
    BYLINE = "byline"
    DATELINE = "dateline"
    PAYWALL = "paywall"


@dataclass
class Block:
    """One unit of the extracted body, as trafilatura structured it."""

    text: str
    kind: str = "p"  # p, head, item, row, quote, code
    link_chars: int = 0  # characters of text inside links
    joined: bool = False  # a further line of the previous block's paragraph (after a <br>)
    # Features, computed once (every block needs them, several rules read them).
    line: str = field(init=False)  # the text without decoration
    tokens: list[str] = field(init=False)  # its \w runs
    size: int = field(init=False)  # its length in words
    sentence_like: bool = field(init=False)
    # Its distinct words, lower-case, for the rules' pre-checks; empty for lines longer than
    # any single-line rule looks at.
    words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.line = bare(self.text)
        self.tokens = _WORD.findall(self.line)
        self.size = word_count(self.line)
        # The raw text: bare() strips the final colon that ends an introducing sentence.
        self.sentence_like = _is_sentence(self.text.strip(), self.size)
        short = self.size <= _MAX_FURNITURE_WORDS
        self.words = frozenset(" ".join(self.tokens).lower().split()) if short else frozenset()

    @property
    def link_share(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @cached_property
    def shingle_set(self) -> frozenset[tuple[str, ...]]:
        """Its 4-word shingles, to compare it with other text (see guide.shingles)."""
        return frozenset(shingles(self.text))

    @cached_property
    def line_decision(self) -> Decision:
        """The line rules' decision (:func:`judge_block`), before any context rule."""
        return judge_block(self)

    @cached_property
    def key(self) -> str:
        """Lower-case word sequence, for comparing lines regardless of punctuation."""
        return " ".join(self.tokens).lower()


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""

    @property
    def keeps(self) -> bool:
        return self.action is Action.KEEP


KEEP = Decision(Action.KEEP)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def normalize(text: str) -> str:
    """Lower-case word sequence, for comparing lines regardless of punctuation."""
    return " ".join(words(text.lower()))


def bare(text: str) -> str:
    if "\n" in text or "\t" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(_DECORATION + "\n")


# --- features -----------------------------------------------------------------------------


def is_sentence_like(text: str) -> bool:
    return _is_sentence(text, word_count(text))


def _is_sentence(text: str, n: int) -> bool:
    return n >= 15 or (n >= 5 and bool(SENTENCE_END.search(text)))


def similar(a: str, b: str) -> bool:
    """Same words in the same order, allowing one to be a slightly trimmed other."""
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    shorter, longer = sorted((na, nb), key=len)
    return len(shorter) >= 0.8 * len(longer) and shorter in longer


# --- single-line rules -------------------------------------------------------------------
# Each returns a reason when the line is furniture of that kind, else None.


def phrase_rule(line: str, n: int) -> str | None:
    # A bar of buttons is as long as its buttons: the bars between them are not words.
    if n - line.count(" | ") > 14:
        return None
    for reason, pattern in (
        ("share", SHARE_RE),
        ("promo", PROMO_RE),
        ("related", RELATED_RE),
    ):
        if pattern.match(line):
            return reason
    return "share" if SHARE_BAR_RE.match(line) else None


def call_to_action_rule(line: str, n: int) -> str | None:
    """A sentence that asks the reader to sign up, follow, download or write in.

    One cue alone is not enough ("users can sign up from Monday" is news): it takes two
    cues, or one cue addressed to the reader ("you", or told to act: "Search ...") from the
    publication ("our", "us").
    """
    if n > 50 or not CTA_RE.search(line):
        return None
    if QUOTES.search(line):
        return None
    cues = {m.group(0).lower() for m in CTA_RE.finditer(line)}
    addressed = READER_RE.search(line) or IMPERATIVE_RE.match(line)
    if len(cues) >= 2 or (cues and SELF_RE.search(line) and addressed):
        return "promo"
    return None


def paywall_rule(line: str, n: int) -> str | None:
    if n <= 40 and PAYWALL_RE.match(line):
        return "paywall"
    return None


def copyright_rule(line: str, n: int) -> str | None:
    if n <= 60 and COPYRIGHT_RE.search(line):
        return "copyright"
    # A heading-like line opening a notice: "Copyright and Trade Mark Notice".
    if n <= MAX_NOTICE_WORDS and line[:9].lower() == "copyright":
        return "copyright"
    return None


def credit_rule(line: str, n: int) -> str | None:
    if n > 45:
        return None
    if n <= MAX_ALONE_CREDIT_WORDS and (
        CREDIT_ALONE_RE.match(line) or CREDIT_BRACKET_RE.match(line)
    ):
        return "credit"
    if CREDIT_END_RE.search(line) or CREDIT_START_RE.match(line):
        return "credit"
    if n <= MAX_SLASH_CREDIT_WORDS and CREDIT_SLASH_RE.search(line):
        return "credit"
    return None


def file_or_url_rule(line: str, n: int) -> str | None:
    return "file-or-url" if n <= 12 and FILE_OR_URL_RE.match(line) else None


def byline_rule(line: str, n: int) -> str | None:
    """'By Jane Doe', 'By Jane Doe and John Roe, Reuters', 'By Jane Doe | 14 March 2008'.

    A CMS's meta line goes on after the byline with the date, the section or a comment
    count, each after a bar; the byline is what comes before the first.
    """
    match = BYLINE_RE.match(line.partition("|")[0].strip()) if n <= 14 else None
    if match is None:
        return None
    return "byline" if _names_people(DATE_RE.sub(" ", match.group("name"))) else None


def _names_people(text: str) -> bool:
    """Whether ``text`` reads as a list of names, not a sentence."""
    tokens = [t for t in re.split(r"[\s,;/|]+", text) if t and t.lower() not in BYLINE_JOINERS]
    # Names are capitalised; a lower-case run means a sentence ("by the way we ...").
    capitalised = sum(1 for t in tokens if t[:1].isupper() or not t[:1].isalpha())
    return 0 < len(tokens) <= 8 and capitalised >= 0.75 * len(tokens)


def role_byline_rule(line: str, n: int) -> str | None:
    """'Jane Doe, Staff Writer', 'Jane Doe | Reuters', 'Special Correspondent'."""
    if n > 10:
        return None
    return "byline" if ROLE_BYLINE_RE.match(line) or ROLE_ONLY_RE.match(line) else None


def labelled_credit_rule(line: str, n: int) -> str | None:
    """'Author : DPA', 'Reporter: Jane Doe' (bylines); 'Editor: Lin Li' (a credit)."""
    match = LABELLED_CREDIT_RE.match(line) if n <= 10 else None
    if match is None or not _names_people(match.group("name")):
        return None
    return "byline" if match.group("author") else "credit"


def wire_rule(line: str, n: int) -> str | None:
    """Press-release furniture ('SOURCE Acme', 'Media contact:') and 'write to the author'."""
    if n > 30:
        return None
    if WIRE_SOURCE_RE.match(line) or WIRE_RE.match(line):
        return "wire"
    if "@" in line and WRITE_TO_RE.match(line):
        return "contact"
    return None


def menu_rule(line: str, n: int) -> str | None:
    """A site menu flattened to one line: 'News: ePaper | Front Page | National | Sport'.

    Many short items and hardly a number among them: a fact box ('Born: 1980 | Height:
    1.85m | ...') or a results line is data of the story.
    """
    items = [item.strip() for item in _MENU_SEPARATORS.split(line)]
    items = [item for item in items if item]
    if len(items) < _MIN_MENU_ITEMS or SENTENCE_END.search(line):
        return None
    if any(word_count(item) > _MAX_MENU_ITEM_WORDS for item in items):
        return None
    return "menu" if sum(1 for item in items if DIGIT.search(item)) <= 1 else None


_MENU_SEPARATORS = re.compile(r"\s[|•·]\s|\s[|•·]$|^[|•·]\s")
_MIN_MENU_ITEMS = 5
# Link text's share of a menu row ("Home | About Us | Site Map": the " | " between cells is
# not link text).
_MENU_ROW_LINK_SHARE = 0.6
_MAX_MENU_ITEM_WORDS = 4


def dateline_rule(line: str, n: int) -> str | None:
    """A short line that is a date/time and little else ('Updated 5 April 2013 10:08 GMT')."""
    if n > 16:
        return None
    if not DIGIT.search(line) or not DATE_RE.search(line):
        # Bare labels that stand for a date widget whose date trafilatura dropped.
        label = len(line) <= _MAX_DATE_LABEL and normalize(line) in _DATE_LABELS
        return "dateline" if label else None
    if _only_a_date(line):
        return "dateline"
    # The date, then who posted it: "Posted: February 8, 2009, 5:10 PM by Rita Halvorsen".
    dated, by, names = line.rpartition(" by ")
    if not by or not DATE_RE.search(dated):
        return None
    return "dateline" if _only_a_date(dated) and _names_people(names) else None


def _only_a_date(text: str) -> bool:
    """At most one word is left of ``text`` once its dates and date words are gone (a web
    address is one word: "www.chinaview.cn 2008-01-05 12:00:00")."""
    left = DATE_WORDS.sub(" ", DATE_RE.sub(" ", text))
    return len(words(WEB_ADDRESS_RE.sub(" site ", left))) <= 1


_DATE_LABELS = {"posted", "published", "updated", "last updated", "date", "modified"}
_MAX_DATE_LABEL = 16  # characters, with some punctuation around the longest label

_LINE_RULES = (
    paywall_rule,
    phrase_rule,
    call_to_action_rule,
    copyright_rule,
    credit_rule,
    file_or_url_rule,
    byline_rule,
    role_byline_rule,
    labelled_credit_rule,
    wire_rule,
    menu_rule,
    dateline_rule,
)
# Longer lines are prose: no single-line rule looks at them.
_MAX_FURNITURE_WORDS = 60
_ROW_RULES = (paywall_rule, phrase_rule, copyright_rule, file_or_url_rule)
_ACTIONS = {"paywall": Action.PAYWALL, "byline": Action.BYLINE, "dateline": Action.DATELINE}
_PRECHECKS: dict[Callable[[str, int], str | None], Callable[[Block], bool]] = {
    call_to_action_rule: lambda b: not CTA_WORDS.isdisjoint(b.words),
    copyright_rule: lambda b: (
        not COPYRIGHT_WORDS.isdisjoint(b.words) or any(m in b.line for m in COPYRIGHT_MARKS)
    ),
    role_byline_rule: lambda b: b.line[:1].isupper(),
    labelled_credit_rule: lambda b: ":" in b.line,
    menu_rule: lambda b: "|" in b.line or "•" in b.line or "·" in b.line,
    wire_rule: lambda b: (
        "@" in b.line or b.line[:6] == "SOURCE" or not WIRE_WORDS.isdisjoint(b.words)
    ),
    credit_rule: lambda b: (
        b.size <= MAX_ALONE_CREDIT_WORDS
        or not CREDIT_WORDS.isdisjoint(b.words)
        or b.line.startswith(("(", "["))
        or b.line.endswith((")", ")."))
    ),
}


def is_share_prompt(text: str) -> bool:
    """A share button or bar as a line of its own ("Save & Share this Article")."""
    return judge_line(text).reason == "share"


def judge_line(text: str, kind: str = "p") -> Decision:
    """Verdict of the single-line rules, without any context."""
    return judge_block(Block(text, kind))


def judge_block(block: Block) -> Decision:
    line, n, text = block.line, block.size, block.text
    if not line or n > _MAX_FURNITURE_WORDS or WIRE_LEAD_RE.search(text):
        return KEEP
    # A table row with several cells is data ("Born | 21 April 1980"), not a by/date line,
    # unless its cells are links: a site menu laid out as a table.
    rules: tuple[Callable[[str, int], str | None], ...] = _LINE_RULES
    if block.kind == "row" and " | " in text:
        if block.link_share >= _MENU_ROW_LINK_SHARE and menu_rule(line, n):
            return Decision(Action.DROP, "menu")
        rules = _ROW_RULES
    for rule in rules:
        if rule in _PRECHECKS and not _PRECHECKS[rule](block):
            continue
        reason = rule(line, n)
        if reason is not None:
            return Decision(_ACTIONS.get(reason, Action.DROP), reason)
    return KEEP
