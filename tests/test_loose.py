import lxml.html
import pytest

from pipelines.cleaning.loose import wrap_loose_paragraphs

LEAD = (
    "NORTH ADAMS — The owners of the old paper mill have agreed to sell the riverside site "
    "to the town for one dollar, ending a long dispute over the cleanup."
)
STORY = [
    "Under the agreement the parent company will pay for removing contaminated soil before "
    "the town takes ownership of the site next spring.",
    "The council is expected to approve the purchase at its meeting on March 4, the mayor "
    "told residents at a meeting in the old mill's canteen.",
]


def container(inner: str, *, wrap: bool = True) -> lxml.html.HtmlElement:
    tree = lxml.html.document_fromstring(f"<html><body><div id='story'>{inner}</div></body></html>")
    if wrap:
        wrap_loose_paragraphs(tree)
    return tree.get_element_by_id("story")


def paragraphs(story: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(p.text_content().split()) for p in story.iterchildren("p")]


def test_a_lead_hanging_off_a_date_box_gets_its_paragraph():
    story = container(
        f"<div class='pub_info'>Thursday, February 14</div> {LEAD}"
        + "".join(f"<p>{text}" for text in STORY)
    )
    assert paragraphs(story) == [LEAD, *STORY]
    assert story[0].text_content() == "Thursday, February 14"


def test_the_container_s_own_leading_text_and_its_inline_elements_are_wrapped():
    story = container(f"{LEAD} <em>More below.</em> <p>{STORY[0]}</p>")
    assert paragraphs(story)[0] == f"{LEAD} More below."
    assert story[0].find("em") is not None


def test_a_sentence_cut_by_an_ad_box_goes_back_into_its_paragraph():
    story = container(
        "<p>Town planners want room for light industry where the warehouse could be</p>"
        "<div class='ad'><div>Advertisement</div></div>"
        "reused by a business that needs a large floor without much traffic, said the planner."
        f"<p>{STORY[0]}</p>"
    )
    assert paragraphs(story)[0] == (
        "Town planners want room for light industry where the warehouse could be reused by "
        "a business that needs a large floor without much traffic, said the planner."
    )
    assert story[1].get("class") == "ad" and not (story[1].tail or "").strip()


def test_a_new_sentence_after_a_box_is_a_paragraph_of_its_own():
    story = container(
        f"<p>{STORY[0]}</p><div class='ad'>Advertisement</div>{LEAD}<p>{STORY[1]}</p>"
    )
    assert paragraphs(story) == [STORY[0], LEAD, STORY[1]]


@pytest.mark.parametrize(
    "inner",
    [
        # Lines set apart by <br> or empty <p> tags: trafilatura keeps those as they are.
        f"<p>{STORY[0]}</p>{LEAD}<br><br>{LEAD}<p>{STORY[1]}</p>",
        f"<p></p>{LEAD}<p></p>{LEAD}<p>{STORY[1]}</p>",
        # Furniture: a short line, a run of links, a run nothing follows.
        f"<div>Photo</div>Thursday, February 14 <p>{STORY[0]}</p>",
        "<div>More</div>See also: <a href='/a'>Council weighs riverside path grant for the "
        f"old mill</a> <a href='/b'>State fines mill owners</a><p>{STORY[0]}</p>",
        f"<p>{STORY[0]}</p><div>Box</div>{LEAD}",
    ],
)
def test_loose_text_that_is_not_a_lost_paragraph_stays_loose(inner):
    story = container(inner)
    assert paragraphs(story) == paragraphs(container(inner, wrap=False))
