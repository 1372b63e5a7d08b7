"""One parse per page, into HtmlElement objects made by lxml's C class lookup."""

import lxml.html
import pytest

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
        # lxml refuses a str that declares its encoding: the bytes parser takes it.
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
