"""One parse per page, into HtmlElement objects made by lxml's C class lookup."""

import re

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.cleaning.clean import parse_html

PAGE = (
    "<html><head><title>Ferry times</title></head><body><article><h1>Ferry times</h1>"
    "<p>The <b>first</b> boat leaves at six.</p><!-- an editor's note -->"
    "<form action='/search'><label>Search <input name='q' value='x'></label>"
    "<select name='s'><option>All</option></select><textarea>t</textarea></form>"
    "</article></body></html>"
)


@pytest.mark.parametrize(
    "html",
    [
        PAGE,
        # lxml refuses a str that declares its encoding; the UTF-8 the parser reads it takes.
        "<?xml version='1.0' encoding='iso-8859-1'?>" + PAGE,
    ],
)
def test_every_element_is_a_plain_html_element(html):
    tree = parse_html(html)
    assert tree is not None
    # Form controls too: lxml.html's Python lookup would make them FormElement,
    # InputElement..., at the cost of a Python call for every element object created.
    assert {type(element) for element in tree.iter()} == {lxml.html.HtmlElement}
    assert tree.find(".//p").text_content() == "The first boat leaves at six."
    tree.find(".//form").drop_tree()
    assert "Search" not in tree.text_content()


def test_comments_and_processing_instructions_are_not_parsed():
    tree = parse_html("<html><body><p>a<!-- b -->c</p><?php echo 1; ?></body></html>")
    assert tree is not None
    assert tree.find(".//p").text_content() == "ac"


def test_a_str_is_read_as_the_characters_it_holds_whatever_the_page_declares():
    # The parser reads the text's own UTF-8: a charset the page declares is not applied
    # again (that would read "café" as "cafÃ©").
    for declaration in (
        '<meta charset="iso-8859-1">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    ):
        tree = parse_html(f"<html><head>{declaration}</head><body><p>café “q” 😀</p></body>")
        assert tree is not None
        assert tree.find(".//p").text_content() == "café “q” 😀"


def test_control_characters_are_removed_and_nothing_else():
    tree = parse_html("<p>a\x00b\x85c\x9fd\xa0e\x7ff\x0cg\x1fh\u2028i\tj</p>")
    assert tree is not None
    assert tree.find(".//p").text_content() == "abcd\xa0efgh\u2028i\tj"


@pytest.mark.parametrize("html", ["", " \n\t", "\x00\x1c \xa0\x85\u2028"])
def test_a_page_of_white_space_and_controls_has_nothing_to_parse(html):
    assert parse_html(html) is None


def test_a_lone_surrogate_in_a_callers_str_does_not_stop_the_parse():
    tree = parse_html("<p>before \ud800 after</p>")
    assert tree is not None
    assert tree.find(".//p").text_content() == "before ? after"


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="<>&")))
def test_the_text_parsed_is_the_str_without_its_controls(text):
    # lxml's own reading of the same str, its controls removed the obvious way (a regex):
    # the parse of UTF-8 bytes must find the same paragraph text.
    html = f"<html><body><p>{text}</p></body></html>"
    expected = lxml.html.document_fromstring(_CONTROLS.sub("", html)).find(".//p")
    tree = parse_html(html)
    assert tree is not None
    assert tree.find(".//p").text_content() == expected.text_content()
