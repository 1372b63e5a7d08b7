"""Line-level cleaning of an extracted article body.

Trafilatura finds the right region of a page but keeps page furniture inside it: the
headline and standfirst repeated on top, bylines and date lines, captions and photo
credits, share/newsletter/promo widgets, "related" teasers and copyright lines. Each
block (paragraph, heading, list item, table row) is first judged on its own
(:mod:`pipelines.cleaning.lines`), then in context here: position, repetition, runs of
links and teasers, what follows a sign-up prompt or a "Related" heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from pipelines.cleaning.lines import KEEP, Action, Block, Decision, judge_line, similar
from pipelines.cleaning.vocabulary import (
    ABOUT_CUES_RE,
    ABOUT_RE,
    BLURB_RE,
    COMMENT_HEADING_RE,
    COMMENT_SIGNATURE_RE,
    CTA_RE,
    HEAD_LINK_SHARE,
    MAX_BLURB_WORDS,
    MAX_TEASER_WORDS,
    PLAYER_LABEL_RE,
    PLAYER_WORD_RE,
    QUOTES,
    SECTION_START_RE,
    SENTENCE_END,
    SLIDE_COUNTER_RE,
    TEASER_LABEL_RE,
)

__all__ = ["Action", "Block", "Decision", "classify", "judge_line"]

# How far down the body a repeated headline is looked for.
_TOP_BLOCKS = 4
# How close a repeated line must follow its first occurrence to count as furniture.
_REPEAT_WINDOW = 3
# Captions are short; long repeated paragraphs are left alone.
_REPEAT_MAX_WORDS = 25
# Below this share of words kept, the context rules are not trusted for the page.
_MIN_KEPT_SHARE = 0.4
# A link line inside the story is kept when the story names it (this long at least)...
_MIN_NAMED_CHARS = 8
# ...or when it is this short and not part of a run of links.
_MAX_LONE_LINK_WORDS = 6
# A rail's headlines and teasers.
_MAX_RAIL_TITLE_WORDS = 16
_MAX_RAIL_TEASER_WORDS = 35
# The title of a sign-up box: a few words, no sentence.
_MAX_PROMO_TITLE_WORDS = 8
# A video player's control labels are a few words each.
_MAX_PLAYER_WORDS = 10
# A gallery set into a story: at least this many slides in sequence, with the story's prose
# before it and after it (a page whose story is the gallery keeps it).
_MIN_SLIDES = 3
_MIN_PROSE_BEFORE_SLIDES = 60
_MIN_PROSE_AFTER_SLIDES = 20
# A slide's counter line holds at most its title.
_MAX_SLIDE_TITLE_WORDS = 40
# The gallery's title above the first slide ("Business news in pictures"), often twice.
_MAX_GALLERY_TITLE_WORDS = 8
_MAX_GALLERY_TITLE_LINES = 2
_GALLERY = "gallery"
# A comment thread: this many sign-off lines after its heading, the first of them within a
# comment or two of it. After this many words of the story, it runs to the end; before
# them, the story follows it.
_MIN_COMMENT_SIGNATURES = 2
_MAX_WORDS_BEFORE_SIGNATURE = 300
_MIN_STORY_BEFORE_COMMENTS = 50
_MAX_COMMENT_HEADING_WORDS = 6
_MAX_SIGNATURE_WORDS = 16
_COMMENTS = "comments"


def _is_teaser(block: Block) -> bool:
    """Link lists and cards: mostly link text, or a list item / table row that is not prose."""
    if block.link_share >= 0.6:
        return True
    return block.kind in {"item", "row"} and not block.sentence_like


def classify(blocks: Sequence[Block], *, headline: str | None = None) -> list[Decision]:
    """One decision per block, in order."""
    line_decisions = [b.line_decision for b in blocks]
    _drop_repeated_top(blocks, line_decisions, headline)
    # A gallery set into the story carries its own evidence (numbered slides, the story
    # around them), and can outweigh the story: it is out before the share below is taken.
    _drop_slideshows(blocks, line_decisions)
    decisions = list(line_decisions)
    _drop_repeats(blocks, decisions)
    _drop_promo_blurbs(blocks, decisions)
    _drop_promo_headings(blocks, decisions)
    _drop_link_lists(blocks, decisions)
    _drop_about_sections(blocks, decisions)
    _drop_teaser_rails(blocks, decisions)
    _drop_teaser_sections(blocks, decisions)
    _drop_player_controls(blocks, decisions)
    _drop_comment_threads(blocks, decisions)
    _trim_tail(blocks, decisions)
    _trim_head(blocks, decisions)
    # Context rules read a page as article-plus-furniture; when they would leave little of
    # it, the page is something else (a listing, a profile, a test page): be conservative.
    # A gallery or a comment thread carries its own evidence and can outweigh the story.
    pairs = list(zip(blocks, decisions, strict=True))
    total = sum(b.size for b, d in pairs if d.reason not in (_GALLERY, _COMMENTS))
    kept = sum(b.size for b, d in pairs if d is KEEP)
    if total and kept < _MIN_KEPT_SHARE * total:
        return line_decisions
    return decisions


def _drop_repeated_top(
    blocks: Sequence[Block], decisions: list[Decision], headline: str | None
) -> None:
    """The headline shown above the body is metadata, not body text.

    The description is not used: sites often fill it with the lead paragraph itself, and a
    standfirst shown twice is caught as a repeat.
    """
    if not headline:
        return
    for i, block in enumerate(blocks[:_TOP_BLOCKS]):
        if decisions[i].action is Action.KEEP and similar(block.text, headline):
            decisions[i] = Decision(Action.DROP, "headline")


def _drop_repeats(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """A line repeated right after itself: an image's alt text and caption, a standfirst
    shown above and in the body. Repeats far apart are usually deliberate (refrains)."""
    last_seen: dict[str, int] = {}
    for i, block in enumerate(blocks):
        if block.kind in {"code", "head"} or block.size > _REPEAT_MAX_WORDS:
            continue
        key = block.key
        if len(key) < 12:
            continue
        previous = last_seen.get(key)
        last_seen[key] = i
        if previous is None or i - previous > _REPEAT_WINDOW or not decisions[i].keeps:
            continue
        if (
            decisions[previous].keeps
            and _ends_sentence(block)
            and not _ends_sentence(blocks[previous])
        ):
            # A pull quote or a caption shown above the sentence it repeats: the sentence,
            # punctuated, is the story's own.
            decisions[previous] = Decision(Action.DROP, "repeat")
        else:
            decisions[i] = Decision(Action.DROP, "repeat")


def _ends_sentence(block: Block) -> bool:
    return SENTENCE_END.search(block.text) is not None


def _drop_promo_blurbs(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """The pitch under a newsletter/subscribe prompt, in the same widget.

    Same widget means the next line of the prompt's paragraph, or the block right under a
    prompt that is a label ("Sign up for our newsletter", no sentence); "Advertisement" is
    not a prompt. The pitch must still sound like one and not quote anybody.
    """
    for i in range(1, len(blocks)):
        block, previous = blocks[i], blocks[i - 1]
        if decisions[i - 1].reason != "promo" or decisions[i].action is not Action.KEEP:
            continue
        if not (block.joined or not previous.sentence_like) or block.size > MAX_BLURB_WORDS:
            continue
        if not CTA_RE.search(previous.line):
            continue
        if BLURB_RE.search(block.line) and not QUOTES.search(block.line):
            decisions[i] = Decision(Action.DROP, "promo")


def _drop_link_lists(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Short blocks that are nearly all link text: navigation, tag clouds, teaser links.

    Headings are spared (permalink anchors make them links), and so are long list items
    (reference lists cite with links). Inside the story (between its first and last
    sentence) a link line is the story's own when the story names what it links ("Fellow
    Stagg EKG" under "Best overall: Fellow Stagg EKG"), or when it is a short line alone
    among prose ("$165 at Example Shop", "Learn more about WebIDE"); a run of links, or a
    longer lone link (a related headline set into the story), is still furniture.
    """
    prose = [i for i, b in enumerate(blocks) if b.sentence_like]
    first, last = (prose[0], prose[-1]) if prose else (len(blocks), -1)
    keys: list[str] | None = None
    for i, block in enumerate(blocks):
        if decisions[i].action is not Action.KEEP or block.kind in {"code", "head"}:
            continue
        labelled = block.size <= MAX_TEASER_WORDS and bool(TEASER_LABEL_RE.match(block.line))
        if block.kind in {"item", "row"}:
            # Cast lists and infoboxes link most names; navigation links everything.
            link_list = block.link_share >= 0.9 and block.size <= 10
        elif labelled:
            # The label itself is not a link, and a long headline looks like a sentence.
            link_list = block.link_share >= 0.5
        else:
            link_list = block.link_share >= 0.8 and not block.sentence_like
        if not link_list or labelled or not first < i < last:
            if link_list:
                decisions[i] = Decision(Action.DROP, "links")
            continue
        if keys is None:
            keys = [b.key for b in blocks]
        named = len(block.key) >= _MIN_NAMED_CHARS and any(
            block.key in key for j, key in enumerate(keys) if j != i
        )
        alone = block.size <= _MAX_LONE_LINK_WORDS and not any(
            blocks[j].link_share >= 0.5 for j in (i - 1, i + 1)
        )
        if not (named or alone):
            decisions[i] = Decision(Action.DROP, "links")


def _drop_promo_headings(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """The title of a sign-up box ("Get the Morning Brief") right above its pitch."""
    for i in range(1, len(blocks)):
        title, pitch = blocks[i - 1], blocks[i]
        if decisions[i].reason != "promo" or not decisions[i - 1].keeps:
            continue
        if title.sentence_like or title.size > _MAX_PROMO_TITLE_WORDS or title.link_share:
            continue
        if (pitch.sentence_like and CTA_RE.search(pitch.line)) or BLURB_RE.search(title.line):
            decisions[i - 1] = Decision(Action.DROP, "promo")


def _drop_teaser_rails(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """A rail of other stories after this one: headline, one-line teaser, headline, teaser.

    Told from a list-shaped story (a product round-up: name, then a description) by where
    it sits (after the story's words, with little prose after it), by its teasers (a
    sentence or two, often cut short with an ellipsis) and by its headlines (links).
    """
    total = sum(b.size for b in blocks)
    before = 0
    i = 0
    while i < len(blocks) - 3:
        end, pairs, linked, cut = i, 0, 0, 0
        while (
            end + 1 < len(blocks)
            and _is_rail_title(blocks[end])
            and _is_teaser_line(blocks[end + 1])
        ):
            pairs += 1
            linked += blocks[end].link_share >= 0.5
            cut += blocks[end + 1].line.endswith(("...", "…"))
            end += 2
        rail = pairs >= 2 and (linked >= 2 or cut >= 2 or (pairs >= 3 and linked >= 1))
        # The prose after it is summed only for a rail: for every block, it made the walk
        # quadratic (a tenth of the layer's time on a long page).
        if (
            rail
            and before >= total / 3
            and sum(b.size for b in blocks[end:] if b.sentence_like)
            < sum(b.size for b in blocks[i:end])
        ):
            start = i - 1 if i and not blocks[i - 1].sentence_like else i
            for j in range(start, end):
                if decisions[j].keeps:
                    decisions[j] = Decision(Action.DROP, "rail")
            i = end
            continue
        before += blocks[i].size
        i += 1


def _is_rail_title(block: Block) -> bool:
    return not block.sentence_like and block.size <= _MAX_RAIL_TITLE_WORDS


def _is_teaser_line(block: Block) -> bool:
    return block.sentence_like and block.size <= _MAX_RAIL_TEASER_WORDS and block.kind != "head"


def _drop_about_sections(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """An "About <Company>" section closing a press release, or "About the author".

    Only in the second half of the body, and only when what follows describes an
    organisation or a person (founded, headquartered, visit ..., is a leading ...): from the
    heading to the end, it is boilerplate repeated under every release.
    """
    total = sum(b.size for b in blocks)
    before = 0
    for i, block in enumerate(blocks):
        if (
            decisions[i].keeps
            and before >= total / 2
            and ABOUT_RE.match(block.line)
            and not block.sentence_like
            and any(ABOUT_CUES_RE.search(b.line) for b in blocks[i + 1 : i + 3])
        ):
            for j in range(i, len(blocks)):
                if decisions[j].keeps:
                    decisions[j] = Decision(Action.DROP, "about")
            return
        before += block.size


def _drop_comment_threads(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Readers' comments the page did not mark up: from their heading to the last line
    that signs a comment off, or to the end when the thread follows the story.

    A heading alone is as often a link to the comments ("Have your say" under the byline):
    the thread is there when lines that sign comments off follow it soon, with no other
    such heading between ("Report this comment", "Posted by Ann on May 3, 2008 9:14 AM").
    """
    headings = [
        i
        for i, b in enumerate(blocks)
        if b.size <= _MAX_COMMENT_HEADING_WORDS and COMMENT_HEADING_RE.match(b.line)
    ]
    signatures = [
        i
        for i, b in enumerate(blocks)
        if b.size <= _MAX_SIGNATURE_WORDS and COMMENT_SIGNATURE_RE.match(b.line)
    ]
    for heading, next_heading in pairwise([*headings, len(blocks)]):
        after = [i for i in signatures if i > heading]
        if len(after) < _MIN_COMMENT_SIGNATURES:
            return
        first = after[0]
        if first > next_heading:
            continue
        if sum(b.size for b in blocks[heading + 1 : first]) > _MAX_WORDS_BEFORE_SIGNATURE:
            continue
        story = sum(b.size for b, d in zip(blocks[:heading], decisions, strict=False) if d.keeps)
        if story >= _MIN_STORY_BEFORE_COMMENTS:
            end = len(blocks)
        elif sum(b.size for b in blocks[after[-1] + 1 :]) >= _MIN_STORY_BEFORE_COMMENTS:
            end = after[-1] + 1  # the story follows the thread
        else:
            return  # the story is between: the heading was a link to the thread
        # Every line of it, the commenters' "Posted by" lines too: they are not the story's
        # bylines.
        decisions[heading:end] = [Decision(Action.DROP, _COMMENTS)] * (end - heading)
        return


def _drop_teaser_sections(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """After a 'Related'/'More from' heading, drop teasers until prose resumes."""
    in_section = False
    for i, block in enumerate(blocks):
        line = block.line
        if block.size <= 8 and SECTION_START_RE.match(line) and not block.sentence_like:
            in_section = True
            if decisions[i].action is Action.KEEP:
                decisions[i] = Decision(Action.DROP, "related")
            continue
        if not in_section:
            continue
        if _is_teaser(block) or not block.sentence_like:
            if decisions[i].action is Action.KEEP:
                decisions[i] = Decision(Action.DROP, "related")
        else:
            in_section = False


def _drop_player_controls(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """A video player's controls left in the body as lines ("Loaded: 0%", "Font Family").

    A run of player lines goes when one of them is a label only a player shows; a word
    such as "Background" or "Live" alone is a heading or a word of the story. A title
    line between two of the player's lines is the video's.
    """
    i = 0
    while i < len(blocks):
        end = i
        labelled = False
        while end < len(blocks):
            block = blocks[end]
            if PLAYER_LABEL_RE.match(block.line):  # labels of any length
                labelled = True
            elif not (_is_player_word(block) or _is_video_title(blocks, i, end)):
                break
            end += 1
        if labelled:
            for j in range(i, end):
                if decisions[j].keeps:
                    decisions[j] = Decision(Action.DROP, "player")
        i = max(end, i + 1)


def _is_player_word(block: Block) -> bool:
    return block.size <= _MAX_PLAYER_WORDS and bool(PLAYER_WORD_RE.match(block.line))


def _is_player_line(block: Block) -> bool:
    return bool(PLAYER_LABEL_RE.match(block.line)) or _is_player_word(block)


def _is_video_title(blocks: Sequence[Block], start: int, at: int) -> bool:
    """A short non-sentence inside a run of player lines, before another: the video's title."""
    block = blocks[at]
    return (
        at > start
        and block.size <= _MAX_PLAYER_WORDS
        and not block.sentence_like
        and at + 1 < len(blocks)
        and _is_player_line(blocks[at + 1])
    )


def _drop_slideshows(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """A photo gallery set into the story: "1/50 Headline", its caption and credit, "2/50"...

    CMSs put a section's latest gallery inside the article container, and trafilatura keeps
    it whole between two parts of the story. Each run of slide counters with the same total,
    numbered one after another, is a gallery; the last slide is as long as the shortest
    other one, so the story that resumes after it is not taken for a caption.
    """
    counters = []
    for i, block in enumerate(blocks):
        found = SLIDE_COUNTER_RE.match(block.line) if block.size <= _MAX_SLIDE_TITLE_WORDS else None
        if found:
            counters.append((i, int(found[1]), int(found[2])))
    runs: list[list[tuple[int, int, int]]] = []
    for counter in counters:
        _, number, total = counter
        if runs and runs[-1][-1][2] == total and runs[-1][-1][1] + 1 == number:
            runs[-1].append(counter)
        else:
            runs.append([counter])
    for run in runs:
        if len(run) < _MIN_SLIDES:
            continue
        slide = min(b[0] - a[0] for a, b in pairwise(run))
        start, end = run[0][0], run[-1][0] + slide
        titles = 0
        while (
            start
            and titles < _MAX_GALLERY_TITLE_LINES
            and not blocks[start - 1].sentence_like
            and blocks[start - 1].size <= _MAX_GALLERY_TITLE_WORDS
        ):
            start -= 1
            titles += 1
        before = sum(b.size for b in blocks[:start] if b.sentence_like)
        after = sum(b.size for b in blocks[end:] if b.sentence_like)
        if before < _MIN_PROSE_BEFORE_SLIDES or after < _MIN_PROSE_AFTER_SLIDES:
            continue
        for j in range(start, end):
            if decisions[j].keeps:
                decisions[j] = Decision(Action.DROP, _GALLERY)


def _trim_tail(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Short non-prose lines after the last sentence are widget leftovers."""
    if not any(b.sentence_like for b in blocks):
        return
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        if decisions[i].action is not Action.KEEP:
            continue
        if block.sentence_like or block.kind == "code":
            return
        # Data tables end with short rows too; only link rows count as widgets there.
        if block.kind == "row" and block.link_share < 0.5:
            return
        if block.size <= 8 or _is_teaser(block):
            decisions[i] = Decision(Action.DROP, "tail")
        else:
            return


def _trim_head(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Link lines before the first sentence: breadcrumbs, section and navigation links."""
    if not any(b.sentence_like for b in blocks):
        return
    for i, block in enumerate(blocks):
        if decisions[i].action is not Action.KEEP:
            continue
        if block.sentence_like:
            return
        if block.link_share >= HEAD_LINK_SHARE:
            decisions[i] = Decision(Action.DROP, "links")
