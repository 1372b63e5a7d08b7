"""The second opinion: readability on our tree, the choice between bodies, the declared body."""

import lxml.html

from pipelines.cleaning.blocks import Unit, paragraph_words
from pipelines.cleaning.choose import (
    Candidate,
    choose,
    judge,
    needs_second_opinion,
    prefer_second,
    with_gaps_filled,
    with_lead_in,
    without_furniture_of,
)
from pipelines.cleaning.guide import Guide
from pipelines.cleaning.lines import Block
from pipelines.cleaning.readable import readability_body
from pipelines.cleaning.text import word_count
from pipelines.cleaning.tidy import drop_duplicates, follow_guide

STORY = [
    "The county opened its first public charging hub for electric buses on Monday, a depot "
    "that can recharge twelve buses at once overnight.",
    "Officials said the hub would let the transit agency retire its oldest diesel buses two "
    "years earlier than planned, cutting fuel costs by about a fifth.",
    "Drivers who tested the new buses during the winter said they were quieter and easier "
    "to handle on the steep streets of the old town.",
    "The agency plans to open a second hub in the northern suburbs next spring, once the "
    "power company has upgraded the substation that will feed it.",
]
CONTINUATION = [
    "Riders will notice the change first on the harbor routes, which switch to electric buses "
    "in March, the agency said in a statement on Tuesday.",
    "The remaining diesel fleet will be retired by 2029, when the agency expects every route "
    "in the county to run on electricity from the two hubs.",
]


def candidate(name: str, lines: list[str], kinds: list[str] | None = None) -> Candidate:
    html = "".join(f"<p>{line}</p>" for line in lines)
    return judge(
        name,
        lxml.html.fragment_fromstring(html, create_parent="div"),
        headline=None,
        links=frozenset(),
    )


def test_a_much_longer_second_body_is_the_story():
    first = candidate("trafilatura", STORY[:1])
    second = candidate("readability", STORY + CONTINUATION)
    assert prefer_second(first, second)
    assert choose(first, second, None).name == "readability"


TAIL = [
    "The comments below are from readers. In no way do they represent the views of the "
    "County Gazette.",
    "We will not post reader comments containing personal attacks, slander, profanity, "
    "e-mail addresses or phone numbers. Comments are limited to 150 words.",
]


def test_a_short_tail_after_the_shared_story_is_not_taken():
    # readability's walk of the story's siblings takes in what follows it in the container.
    first = candidate("trafilatura", STORY + STORY)
    second = candidate("readability", STORY + STORY + TAIL)
    assert not prefer_second(first, second)
    assert choose(first, second, None).name == "trafilatura"


def test_a_corroborated_continuation_wins():
    first = candidate("trafilatura", STORY)
    second = candidate("readability", STORY + CONTINUATION)
    assert choose(first, second, None).name == "readability"


QUOTED_REPLIES = [
    '"Thank you, this is exactly what happened to me on the Tuesday before last." (About a '
    "third of the letters said this.)",
    '"If you do not like the timetable, buy a boat of your own and run it." (Several people '
    "offered to sell me one.)",
]


def test_prose_readability_keeps_between_two_shared_paragraphs_goes_in_between():
    first = candidate("trafilatura", STORY)
    second = candidate("readability", [*STORY[:2], *QUOTED_REPLIES, *STORY[2:], *TAIL])
    chosen = choose(first, second, None)
    assert chosen.name == "trafilatura"  # readability's tail after the story is not taken
    assert chosen.texts == [*STORY[:2], *QUOTED_REPLIES, *STORY[2:]]
    # Paragraphs stay in the merged order (assemble sorts them by number).
    numbers = [u.paragraph for u in chosen.kept]
    assert numbers == sorted(set(numbers))


def test_a_gap_is_not_filled_with_links_or_where_trafilatura_has_its_own_lines():
    links = ["Ferry engine repairs finished ahead of schedule."]
    html = "".join(f"<p>{line}</p>" for line in [*STORY[:2], *links, *STORY[2:]])
    linked = judge(
        "readability",
        lxml.html.fragment_fromstring(html, create_parent="div"),
        headline=None,
        links=frozenset(links),
    )
    first = candidate("trafilatura", STORY)
    assert with_gaps_filled(first, linked).texts == STORY
    # trafilatura has a line of its own between the two: the other's gap is not this one.
    own = candidate("trafilatura", [*STORY[:2], CONTINUATION[0], *STORY[2:]])
    second = candidate("readability", [*STORY[:2], *QUOTED_REPLIES, *STORY[2:]])
    assert with_gaps_filled(own, second).texts == own.texts
    # Nothing before the first shared paragraph or after the last is taken.
    around = candidate("readability", [QUOTED_REPLIES[0], *STORY, QUOTED_REPLIES[1]])
    assert with_gaps_filled(first, around).texts == STORY


LEDE = (
    "Commuters in the county will ride quieter buses from next week, as the first electric "
    "depot opens on the edge of the old town after two years of delays."
)


def test_the_lede_trafilatura_keeps_before_readabilitys_start_goes_first():
    readability = candidate("readability", STORY)
    trafilatura = candidate("trafilatura", [LEDE, *STORY, *CONTINUATION])
    led = with_lead_in(readability, trafilatura)
    assert led.texts == [LEDE, *STORY]
    numbers = [u.paragraph for u in led.kept]
    assert numbers == sorted(set(numbers))


def test_a_short_line_or_a_run_of_prose_before_the_story_is_not_a_lede():
    readability = candidate("readability", STORY)
    # A caption or a kicker: under a sentence's length.
    short = candidate("trafilatura", ["Buses wait at the new depot on Monday.", *STORY])
    assert with_lead_in(readability, short).texts == STORY
    # A bar of links the page's link list missed: Title Case, not a sentence.
    bar = (
        "[ Contact Us ][ Feedback ][ Privacy ][ Advertise ][ Add to Favorites ][ Valley Times "
        "Mobile ][ Valley Times Jobs ][ Valley Times Homes ][ Valley Times Motors ]"
    )
    assert with_lead_in(readability, candidate("trafilatura", [bar, *STORY])).texts == STORY
    # Two sentences of prose before the story: teasers, or another story.
    run = candidate("trafilatura", [CONTINUATION[1], LEDE, *STORY])
    assert with_lead_in(readability, run).texts == STORY
    # readability's own body starts elsewhere: nothing marks where the story begins.
    elsewhere = candidate("readability", [CONTINUATION[0], *STORY])
    led = with_lead_in(elsewhere, candidate("trafilatura", [LEDE, *STORY]))
    assert led.texts == [CONTINUATION[0], *STORY]


def test_a_fragment_of_the_story_does_not_win():
    first = candidate("trafilatura", STORY + CONTINUATION)
    second = candidate("readability", ["Officials said the hub would let the agency retire buses."])
    assert not prefer_second(first, second)


def test_linked_lines_inside_the_shared_story_are_not_what_readability_lost():
    # trafilatura keeps an old template's story navigation between two parts of the story,
    # which readability leaves out: links, not lines of the story lost.
    links = ["GO TO EARLIER STORY", "GO TO THE NEWS INDEX", "GO TO NEXT STORY"]
    navigation = " | ".join(links)
    html = "".join(f"<p>{line}</p>" for line in [*STORY[:2], navigation, *STORY[2:]])
    first = judge(
        "trafilatura",
        lxml.html.fragment_fromstring(html, create_parent="div"),
        headline=None,
        links=frozenset(links),
    )
    assert navigation in first.texts
    second = candidate("readability", STORY)
    assert choose(first, second, None).name == "readability"


# What trafilatura's fallback returns from an old table layout: the whole page's text on
# one line, the story somewhere inside it between menus, calendars and police logs.
PAGE_FURNITURE = [
    "News Sports Business Opinion Classifieds Weather Obituaries Contact us",
    "Wednesday: The garden club meets at 7 p.m. in the library annex to plan the spring plant "
    "sale; new members are welcome and coffee is provided.",
    "Thursday: The senior center hosts a free tax help clinic from 9 a.m. to noon. Bring last "
    "year's return and any forms you have received so far.",
    "Friday: The high school jazz band plays its winter concert at 7:30 p.m. in the auditorium. "
    "Tickets are five dollars at the door, students free.",
    "Monday 9:40 a.m.: a resident of Bay Road reported that a kayak was taken from his dock "
    "overnight; officers are checking the marina cameras.",
    "Monday 2:15 p.m.: two cars were broken into at the ferry terminal lot; a laptop bag and "
    "a set of house keys were taken from the second car.",
    "The bridge detour adds twenty minutes to every trip my wife makes to the clinic; the "
    "county should have finished the work before winter, not started it.",
    "Thank you to the volunteers who cleared the shoreline last month. My grandchildren can "
    "play on the beach again without stepping on broken glass.",
    "The school board keeps delaying the budget vote. Parents deserve to know which programs "
    "will be cut before the spring registration deadline.",
    "Fifty years ago this week, the first car ferry to Pell Island made its maiden crossing "
    "carrying eleven cars, a mail truck and the mayor.",
    "Copyright 2008 Valley Courier. All rights reserved. Privacy | Terms of use",
]


def glued(*parts: list[str]) -> list[str]:
    return [" | ".join(line for part in parts for line in part)]


def test_a_story_in_paragraphs_beats_trafilaturas_glued_page_text():
    first = candidate(
        "trafilatura", glued(PAGE_FURNITURE[:1], STORY + CONTINUATION, PAGE_FURNITURE[1:] * 2)
    )
    second = candidate("readability", STORY + CONTINUATION)
    assert len(first.kept) == 1 and first.words > 3 * second.words
    assert choose(first, second, None).name == "readability"


def test_a_teaser_in_paragraphs_does_not_beat_the_glued_page_text():
    first = candidate("trafilatura", glued(PAGE_FURNITURE[:1], STORY, PAGE_FURNITURE[1:] * 2))
    second = candidate("readability", STORY[:2])
    assert choose(first, second, None).name == "trafilatura"


def test_the_declared_body_decides_between_different_bodies():
    first = candidate("trafilatura", STORY)
    second = candidate("readability", CONTINUATION + ["Comments are closed for this story."] * 1)
    guide = Guide.from_text("\n".join(STORY))
    assert guide is not None
    assert choose(first, second, guide).name == "trafilatura"


def test_lines_the_layer_dropped_in_one_body_go_from_the_other():
    rail = "Ferry engine repairs finished ahead of schedule"
    first = candidate("trafilatura", [*STORY, rail])
    first.decisions[-1] = first.decisions[-1].__class__(first.decisions[-1].action.DROP, "rail")
    second = candidate("readability", [*STORY, rail])
    kept = without_furniture_of(second, first)
    assert rail not in [u.block.text for u in kept.kept]
    assert len(kept.kept) == len(STORY)


def test_readability_is_skipped_when_trafilatura_holds_the_page_paragraphs():
    first = candidate("trafilatura", STORY)
    assert not needs_second_opinion(first, lambda: first.words, None)
    assert needs_second_opinion(first, lambda: 3 * first.words, None)
    assert needs_second_opinion(candidate("trafilatura", ["Too short."]), lambda: 3, None)


def test_readability_runs_on_our_tree_without_changing_it():
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><div class='story'>"
        + "".join(f"<p>{p}</p>" for p in STORY + CONTINUATION)
        + "<figure><figcaption>Buses at the depot.</figcaption></figure></div>"
        "<script>var x = 1;</script></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    before = lxml.html.tostring(tree)
    article = readability_body(tree)
    assert lxml.html.tostring(tree) == before
    assert article is not None
    text = article.text_content()
    assert "second hub in the northern suburbs" in text
    assert "Buses at the depot" not in text and "var x" not in text


def test_a_container_repeating_earlier_lines_is_dropped_but_a_repeated_paragraph_stays():
    units = [Unit(Block(text), i) for i, text in enumerate([*STORY[:2], " ".join(STORY[:2])])]
    assert [u.block.text for u in drop_duplicates(units)] == STORY[:2]
    twice = [Unit(Block(STORY[0]), 0), Unit(Block(STORY[1]), 1), Unit(Block(STORY[0]), 2)]
    assert len(drop_duplicates(twice)) == 3


def test_templated_paragraphs_are_not_a_container_of_one_another():
    template = (
        "On {} night the northbound road between the two junctions will be closed from 8pm"
        " to 6am for resurfacing, with a signed diversion through the town centre."
    )
    lines = [template.format(day) for day in ("Monday", "Tuesday", "Wednesday", "Thursday")]
    units = [Unit(Block(text), i) for i, text in enumerate(lines)]
    assert [u.block.text for u in drop_duplicates(units)] == lines
    # A container of two different lines is still dropped, however short the second is.
    caption = "Buses at the depot in the northern suburbs."
    contained = [lines[0], caption, f"{lines[0]} {caption}"]
    units = [Unit(Block(text), i) for i, text in enumerate(contained)]
    assert [u.block.text for u in drop_duplicates(units)] == contained[:2]


def test_guide_ignores_short_declarations_and_measures_agreement():
    assert Guide.from_text("A teaser of a few words.") is None
    guide = Guide.from_text("\n".join(STORY))
    assert guide is not None
    assert guide.coverage(STORY) == 1.0
    assert guide.coverage(STORY[:2]) < 0.6
    assert guide.support(STORY[3]) == 1.0
    assert guide.support(CONTINUATION[0]) == 0.0


def test_a_complete_declared_body_trims_edge_lines_it_does_not_hold():
    lines = ["Listen to this story 4:12", *STORY, "This coverage is supported by a foundation."]
    units = [Unit(Block(text), i) for i, text in enumerate(lines)]
    guide = Guide.from_text("\n".join(STORY))
    assert guide is not None
    words = sum(u.block.size for u in units)
    assert [u.block.text for u in follow_guide(units, words, guide)] == STORY


def test_a_body_both_extractors_missed_comes_from_the_declared_body():
    units = [Unit(Block("Loading story…"), 0)]
    guide = Guide.from_text("\n".join(STORY + CONTINUATION))
    assert guide is not None
    assert [u.block.text for u in follow_guide(units, 2, guide)] == STORY + CONTINUATION


def test_blocks_count_words_with_the_one_word_counter():
    for text in ["U.S. officials — in 2026 — said so.", "北陸新幹線の延伸", "well-known café"]:
        assert Block(text).size == word_count(Block(text).line)


def test_readability_link_density_is_readabilitys_own_figure():
    # Our override measures each link once while paragraphs are scored; the figure must be
    # readability's exactly, whatever whitespace the texts hold.
    from readability import Document
    from readability.readability import text_length

    from pipelines.cleaning.readable import _text_length, _TreeDocument

    link_texts = ["Home", " Local\n  news ", "Sport\tand  games", "x" + " " * 300 + "y", ""]
    html = (
        "<html><body><div id='page'><div class='rail'>"
        + "".join(f"<a href='/{i}'>{t}</a> | " for i, t in enumerate(link_texts))
        + "</div><div class='story'>"
        + "".join(f"<p>{p} <a href='/more'>Read\n more</a></p>" for p in STORY)
        + "<p>A line\t\twith  runs \n\n of   blanks.</p></div></div></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    ours, theirs = _TreeDocument(tree), Document(html)
    elements = list(tree.iter())
    assert all(_text_length(e) == text_length(e) for e in elements)
    expected = [Document.get_link_density(theirs, e) for e in elements]
    assert [ours.get_link_density(e) for e in elements] == expected
    ours._link_lengths = {}  # as while score_paragraphs runs
    assert [ours.get_link_density(e) for e in elements] == expected
    assert ours._link_lengths  # the links were measured once and remembered


def test_a_pages_candidates_share_their_blocks_and_decisions():
    # One memo per page: the lines both bodies hold are one Block, judged once, and each
    # candidate's decisions are what it would get alone.
    rail = ["Most read", "Subscribe to our newsletter"]
    first_body = lxml.html.fragment_fromstring(
        "".join(f"<p>{line}</p>" for line in [*STORY, *rail]), create_parent="div"
    )
    second_body = lxml.html.fragment_fromstring(
        "".join(f"<p>{line}</p>" for line in [*rail, *STORY, *CONTINUATION]), create_parent="div"
    )
    links = frozenset({"Most read"})
    alone = [
        judge(name, body, headline=None, links=links)
        for name, body in (("trafilatura", first_body), ("readability", second_body))
    ]
    memo: dict[tuple[str, str, bool], Block] = {}
    shared = [
        judge(name, body, headline=None, links=links, memo=memo)
        for name, body in (("trafilatura", first_body), ("readability", second_body))
    ]
    for one, other in zip(alone, shared, strict=True):
        assert [u.block.text for u in one.units] == [u.block.text for u in other.units]
        assert one.decisions == other.decisions
    first_blocks = {u.block.text: u.block for u in shared[0].units}
    assert all(u.block is first_blocks[u.block.text] for u in shared[1].units[:6])
    assert len(memo) == len(STORY) + len(rail) + len(CONTINUATION)


def test_readability_keeps_a_sentence_with_inline_markup_in_one_paragraph():
    # Old blog engines write the story as loose text and <br>s beside a first <p>;
    # readability alone starts a new paragraph at every inline element.
    loose = (
        "The injuries are piling up for a team two points out of a playoff spot. Winger "
        "<b>Marcus Lindqvist</b> has a broken finger, and <a href='/p'>Pierre Desrosiers</a> "
        "will miss the trip.<br><br>Goaltender Sam Whitcombe practised on Sunday, the "
        "coach said, and will travel with the team to Kelso for the game on Tuesday."
    )
    html = f"<html><body><div class='post'><p>{STORY[0]} {STORY[1]}</p>{loose}</div></body></html>"
    article = readability_body(lxml.html.document_fromstring(html))
    assert article is not None
    paragraphs = [" ".join(p.text_content().split()) for p in article.iter("p")]
    assert paragraphs[1:] == [
        "The injuries are piling up for a team two points out of a playoff spot. Winger "
        "Marcus Lindqvist has a broken finger, and Pierre Desrosiers will miss the trip.",
        "Goaltender Sam Whitcombe practised on Sunday, the coach said, and will travel with "
        "the team to Kelso for the game on Tuesday.",
    ]


def test_loose_prose_beside_a_paragraph_counts_as_paragraph_words():
    # Text after a container's first <p>, split by <br>s, is story a body extractor could
    # have found; a caption-length run, a link list and a container without a <p> are not.
    first = f"<p>{STORY[0]}</p>"
    rest = f"{STORY[1]}<br><br>{STORY[2]} <b>{STORY[3]}</b>"
    links = "<a href='/1'>One long headline of a related story here</a> | " * 4
    page = lxml.html.document_fromstring(
        f"<html><body><div>{first}{rest}<br>Photo: Staff<br>{links}</div>"
        f"<div>{STORY[0]}</div></body></html>"
    )
    assert paragraph_words(page) == sum(word_count(line) for line in STORY)


def test_words_the_other_body_also_kept_are_not_its_furniture():
    # trafilatura's body holds a pull quote and the sentence it repeats, and drops the
    # quote as a repeat: that sentence must stay in readability's body.
    sentence = "The crew had been told to keep the engine running until the end of the week."
    first = candidate("trafilatura", [STORY[0], sentence.rstrip("."), sentence, STORY[2]])
    assert [d.reason for d in first.decisions] == ["", "repeat", "", ""]
    second = candidate("readability", [STORY[0], sentence, STORY[2]])
    assert len(without_furniture_of(second, first).kept) == 3


def test_readability_reads_a_newline_in_html_text_as_a_space_except_in_pre():
    # Wire copy often arrives hard-wrapped in the page source; a browser shows one line.
    wrapped = (
        "LOS ANGELES (Reuters) - The county opened its first public charging hub for\n"
        "electric buses on Monday, a depot that can recharge twelve buses at once\n"
        "overnight, officials said."
    )
    code = "for bus in depot:\n    bus.charge()"
    html = (
        f"<html><body><div class='story'><p>{wrapped}</p>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + f"<pre>{code}</pre></div></body></html>"
    )
    article = readability_body(lxml.html.document_fromstring(html))
    assert article is not None
    texts = [p.text_content() for p in article.iter("p", "pre")]
    assert " ".join(wrapped.split()) in texts
    assert code in texts


def test_the_divs_readability_keeps_are_found_without_serialising_them():
    # readability keeps a <div> a <div> when its children's markup matches divToPElementsRe;
    # our override finds the same <div>s (and inline elements holding blocks) in one walk.
    from pathlib import Path

    from readability.readability import REGEXES

    from pipelines.cleaning.readable import _holding_blocks

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    pages = sorted(fixtures.glob("pages/*.html")) + sorted(fixtures.glob("sites/*/**/*.html"))
    assert len(pages) > 100
    odd = "<div><span><picture></picture></span><a><img></a><i><b>x</b></i><pre>y</pre></div>"
    trees = [lxml.html.document_fromstring(p.read_bytes()) for p in pages]
    trees.append(lxml.html.document_fromstring(f"<html><body>{odd}</body></html>"))
    for tree in trees:
        holding = _holding_blocks(tree)
        for element in tree.iter("div", "a", "b", "i", "span"):
            markup = "".join(lxml.html.tostring(c, encoding="unicode") for c in element)
            expected = REGEXES["divToPElementsRe"].search(markup) is not None
            assert (element in holding) == expected, lxml.html.tostring(element)[:200]


# A "related stories" list: each a headline with its date, then a few words of teaser.
RELATED_ROWS = [
    "Console store updated - 02 Mar, 2008",
    "Four rally classics return.",
    "Drift Kings demo pulled from the store - 11 Feb, 2008",
    "A save bug was to blame.",
    "Harbour Circuit delayed to the spring - 17 Dec, 2007",
    "More time for the track editor.",
]


def test_prose_as_long_beats_a_list_of_teasers_sharing_rows_with_it():
    # trafilatura took the related list under a story written as loose text; readability
    # took the story and a promo box, with the list's first row between them: sharing that
    # row, they are not disjoint, and readability's body is neither corroborated by
    # trafilatura's nor twice as long.
    promo = "Catch up on all of our coverage from the motor show floor this week."
    first = candidate("trafilatura", RELATED_ROWS)
    second = candidate("readability", [*STORY[:2], *RELATED_ROWS[:2], promo])
    assert first.words <= second.words < 2 * first.words
    assert second.prose - first.prose >= 0.5
    assert choose(first, second, None).name == "readability"
