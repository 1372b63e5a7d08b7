from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from pipelines.cleaning.blocks import flatten
from pipelines.cleaning.body import (
    Body,
    extract_body,
    link_chars,
    link_texts,
    prepare_tree,
    run_trafilatura,
    without_furniture,
)
from pipelines.cleaning.rescue import is_page_dump

PARAGRAPHS = [
    "The city council approved a new budget on Tuesday after a debate that lasted late into "
    "the night, with members split over how much to spend on roads and schools.",
    "Supporters said the plan would repair dozens of bridges, while critics argued that it "
    "raised property taxes at a time when many families were already struggling to pay rent.",
    "The mayor, who had campaigned on the issue, said the vote showed that the city could "
    "still make hard choices, and promised to publish a detailed spending report every month.",
    "Residents will be able to comment on the first report at a public meeting in March, "
    "officials said, adding that the meeting would also be streamed online for those at work.",
]


def page(extra_top: str = "", extra_bottom: str = "") -> lxml.html.HtmlElement:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (
        "<html><head><title>Council approves budget</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Council approves budget</h1>{extra_top}{body}{extra_bottom}</article>"
        "<footer>Copyright © 2024 Example News. All rights reserved.</footer>"
        "</body></html>"
    )
    return lxml.html.document_fromstring(html)


def test_plain_article():
    body = extract_body(page(), "https://example.com/a", headline="Council approves budget")
    assert isinstance(body, Body)
    assert body.paragraphs == PARAGRAPHS
    assert all(body.paragraphs)


def test_byline_dateline_and_widgets_are_separated():
    top = "<p>By Jane Doe</p><p>Published November 23rd, 2015 - 03:45 GMT</p>"
    bottom = "<p>Share this article</p><p>Sign up for our newsletter</p>"
    body = extract_body(page(top, bottom), None, headline="Council approves budget")
    assert body.paragraphs == PARAGRAPHS
    assert body.bylines == ["By Jane Doe"]
    assert body.datelines == ["Published November 23rd, 2015 - 03:45 GMT"]


def test_paywall_prompt_sets_flag():
    body = extract_body(page(extra_bottom="<p>Subscribe to continue reading.</p>"), None)
    assert "paywall" in body.flags
    assert "Subscribe to continue reading." not in body.paragraphs


def test_hidden_elements_are_removed_before_extraction():
    hidden = (
        '<div style="display: none">Hidden promo text that should never appear anywhere.</div>'
        '<span itemprop="datePublished" hidden>2015-11-23T03:45:00Z</span>'
    )
    tree = page(extra_top=hidden)
    prepare_tree(tree)
    text = tree.text_content()
    assert "Hidden promo" not in text and "2015-11-23" not in text
    assert PARAGRAPHS[0] in text


def test_comment_tail_text_is_kept():
    html = "<html><body><div><!-- ad -->" + "".join(PARAGRAPHS) + "</div></body></html>"
    tree = lxml.html.document_fromstring(html)
    body = extract_body(tree, None)
    assert "approved a new budget" in " ".join(body.paragraphs)


def test_empty_page_gives_empty_body():
    body = extract_body(lxml.html.document_fromstring("<html><body></body></html>"), None)
    assert body.paragraphs == [] and body.bylines == [] and body.flags == set()


def test_captions_and_credits_are_not_body_text():
    caption = "Waves break over the sea wall at Gull Bay during a storm last winter."
    figure = (
        f'<figure class="wp-block-image"><img src="a.jpg" alt=""><figcaption>{caption}'
        f'</figcaption></figure><p class="hh-photo-credit">{caption} (Photo: Herald archive)</p>'
        f'<div class="c-media-item__caption">{caption}</div>'
    )
    body = extract_body(page(extra_top=figure), None, headline="Council approves budget")
    assert body.paragraphs == PARAGRAPHS


@pytest.mark.parametrize(
    "thread",
    [
        # Drupal: a field section holding <article class="comment"> elements.
        '<section class="field field--name-comment comment-wrapper"><h2>Comments</h2>'
        '<article id="comment-2385" class="comment js-comment"><h3>We grew the purple</h3>'
        "<p>We grew the purple pole beans this summer. Thank you for sharing them!</p>"
        "</article></section>",
        # WordPress.
        '<ol class="comment-list"><li id="comment-7" class="comment even">'
        "<p>We grew the purple pole beans this summer. Thank you for sharing them!</p></li></ol>",
        '<div id="disqus_thread"><p>We grew the purple pole beans this summer.</p></div>',
        # Named by an id whose first part is not "comment" (trafilatura takes only those).
        '<div id="story-comments" class="content-panel"><h4>Have Your Say</h4><blockquote>'
        "<p>We grew the purple pole beans this summer. Thank you for sharing them!</p>"
        "<cite>Posted by: <strong>Karen of Manly</strong> 7:12am March 03, 2008</cite>"
        "</blockquote></div>",
    ],
)
def test_comment_threads_are_removed(thread):
    body = extract_body(page(extra_bottom=thread), None, headline="Council approves budget")
    assert body.paragraphs == PARAGRAPHS


def test_comment_section_holding_the_article_is_kept():
    html = (
        "<html><body><div class='comment'><h1>Council approves budget</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    assert without_furniture(tree) is tree  # nothing to drop: no copy
    assert PARAGRAPHS[0] in tree.text_content()


def test_an_id_naming_commentary_is_not_a_comment_thread():
    column = "<div id='commentary-2'><p>The columnist's closing paragraph stays in.</p></div>"
    tree = page(extra_bottom=column)
    prepare_tree(tree)
    assert "closing paragraph stays in" in tree.text_content()


def test_comment_threads_are_removed_from_a_copy():
    thread = "<div class='comments'><p>We grew the purple pole beans this summer.</p></div>"
    tree = page(extra_bottom=thread)
    before = lxml.html.tostring(tree)
    pruned = without_furniture(tree)
    assert pruned is not tree and lxml.html.tostring(tree) == before
    assert "purple pole beans" not in pruned.text_content()
    assert PARAGRAPHS[0] in pruned.text_content()


def test_newsletter_pitch_after_a_break_is_dropped():
    html = "<html><body><article><h1>Council approves budget</h1>"
    html += "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html += "<p><b>Sign up for our newsletter</b><br>Get the Daily Digest free every weekday.</p>"
    html += "</article></body></html>"
    tree = lxml.html.document_fromstring(html)
    body = extract_body(tree, None, headline="Council approves budget")
    assert body.paragraphs == PARAGRAPHS


def test_article_body_split_into_parts_is_joined():
    first, second = PARAGRAPHS[:2], PARAGRAPHS[2:]
    html = (
        "<html><body><div itemscope itemtype='https://schema.org/NewsArticle'>"
        "<h1>Council approves budget</h1>"
        "<div class='box'><div itemprop='articleBody'>"
        + "".join(f"<p>{p}</p>" for p in first)
        + "</div></div><div class='promo'><a href='/v'>Watch: the mayor on the budget</a></div>"
        "<div class='box'><div itemprop='articleBody'>"
        + "".join(f"<p>{p}</p>" for p in second)
        + "</div></div></div></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html), None)
    assert body.paragraphs == PARAGRAPHS


def test_article_bodies_of_different_articles_stay_apart():
    html = (
        "<html><body>"
        + "".join(
            f"<article itemscope itemtype='https://schema.org/Article'><h2>Story {i}</h2>"
            f"<div itemprop='articleBody'><p>{p}</p></div></article>"
            for i, p in enumerate(PARAGRAPHS)
        )
        + "</body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    prepare_tree(tree)
    assert [len(a.findall(".//p")) for a in tree.iter("article")] == [1, 1, 1, 1]


def test_link_share_comes_from_the_page_links():
    html = (
        "<html><body><a href='/'>Home</a> | <a href='/w'><b>World</b> news</a>"
        "<a href='/s'>Early cold snap to bring first snow</a></body></html>"
    )
    links = link_texts(lxml.html.document_fromstring(html))
    assert {"Home", "World", "news", "Early cold snap to bring first snow"} <= links
    assert link_chars("Home | World", links) == len("Home | World")
    teaser = "Read more: Early cold snap to bring first snow"
    assert link_chars(teaser, links) / len(teaser) > 0.7
    assert link_chars("He went home after the world news ended.", links) == 0
    assert link_chars("Home", frozenset()) == 0


def test_a_tables_empty_cells_at_the_end_of_a_row_are_not_written():
    # trafilatura's XML of a stats table whose section header spans the columns.
    body = lxml.etree.fromstring(
        "<body><table>"
        "<row><cell>Career stats</cell><cell/><cell/><cell/></row>"
        "<row><cell/><cell/><cell/></row>"
        "<row><cell>Season</cell><cell>Team</cell><cell/><cell>Sacks</cell></row>"
        "<row><cell/><cell/><cell>G</cell><cell>Total</cell></row>"
        "<row><cell>2017</cell><cell>Minnesota</cell><cell>15</cell><cell/></row>"
        "</table></body>"
    )
    rows = [unit.block.text for unit in flatten(body, frozenset())]
    # Empty cells before text stay: they tell the column.
    assert rows == [
        "Career stats",
        "Season | Team | | Sacks",
        "| | G | Total",
        "2017 | Minnesota | 15",
    ]


def test_a_story_its_template_hides_by_class_is_kept_its_labels_are_not():
    # A script reveals the body once the page has loaded; screen-reader labels stay hidden.
    story = "".join(
        f"<p>{paragraph} <span class='sr-only'>(opens in a new window)</span></p>"
        for paragraph in PARAGRAPHS
    )
    html = f"<html><body><div class='story-body hidden'>{story}</div></body></html>"
    tree = lxml.html.document_fromstring(html)
    prepare_tree(tree)
    text = tree.text_content()
    assert all(paragraph in text for paragraph in PARAGRAPHS)
    assert "opens in a new window" not in text


def test_joining_article_body_parts_keeps_the_text_around_them():
    html = (
        "<html><body><div itemscope><div><div itemprop='articleBody'><p>One.</p></div></div>"
        "<div><div itemprop='articleBody'><p>Two.</p></div>Loose text after part two.</div>"
        "</div></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    prepare_tree(tree)
    first = tree.find(".//*[@itemprop='articleBody']")
    assert first is not None and first.text_content() == "One.Two."
    assert "Loose text after part two." in tree.text_content()


FIXTURE_PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def test_trafilaturas_page_dump_is_recognised_and_its_full_run_asked_instead():
    tree = lxml.html.document_fromstring(
        (FIXTURE_PAGES / "table_layout_dump.html").read_bytes().decode("latin-1")
    )
    prepare_tree(tree)
    # What makes the fixture a case of its class: the fast run dumps the whole page ...
    dumped = run_trafilatura(tree, None)
    assert dumped is not None and is_page_dump(dumped)
    assert "SECTIONS" in "".join(dumped.itertext())
    # ... and the full run does not.
    full = run_trafilatura(tree, None, fast=False)
    assert full is not None and not is_page_dump(full)
    assert "SECTIONS" not in "".join(full.itertext())


@pytest.mark.parametrize(
    "body",
    [
        "<body><p>One paragraph of a story, however long it runs.</p></body>",
        "<body><p>One line\nand another</p></body>",  # a poem's stanza, a dateline
        "<body><p>a\nb\nc\nd\ne\nf</p><p>a second paragraph</p></body>",
        "<body><p>a<lb/>b<lb/>c<lb/>d<lb/>e<lb/>f</p></body>",
    ],
)
def test_a_body_that_is_no_page_dump(body):
    assert not is_page_dump(lxml.etree.fromstring(body))
    assert not is_page_dump(None)


def test_a_popup_class_is_a_hover_card_only_inside_a_link():
    html = (
        "<html><body><p>The mayor <a href='/reyes'>Alan Reyes<span class='hovercard'>Alan"
        " Reyes signs budget</span></a> spoke. <span class='tooltip-note'>Figures from"
        " the council.</span></p><div class='HiddenPanel'>Panel text</div></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    prepare_tree(tree)
    text = tree.text_content()
    assert "signs budget" not in text
    assert "Figures from the council." in text  # a popup's class outside a link is no card
    assert "Panel text" in text  # "Hid" makes it a candidate; only whole hiding names hide
