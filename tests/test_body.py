import lxml.html

from pipelines.body import Body, extract_body, prepare_tree

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
