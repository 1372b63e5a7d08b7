"""articleBodyMarkdown: the same paragraphs as articleBody, with their Markdown.

Every check renders the Markdown with a CommonMark parser (markdown-it-py): with its
markup gone and its escapes resolved, each block must be the matching paragraph of
articleBody, on every fixture page, with links on and off.
"""

from pathlib import Path

import pytest

from pipelines.cleaning.clean import clean_html
from pipelines.cleaning.markdown import escape
from tests.expected import body_paragraphs, markdown_paragraphs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(
    [
        *FIXTURES.glob("pages/*.html"),
        *FIXTURES.glob("sites/*/**/index.html"),
        *FIXTURES.glob("sites/*/news/*.html"),
        *FIXTURES.glob("sites/*/stories/*.html"),
        *FIXTURES.glob("sites/*/nachrichten/*.html"),
    ]
)


def url_of(path: Path) -> str:
    relative = path.relative_to(FIXTURES)
    if relative.parts[0] == "sites":
        return "http://" + "/".join(relative.parts[1:]).removesuffix("index.html")
    return f"https://example.test/{path.stem}"


@pytest.mark.parametrize("links", [False, True], ids=["no-links", "links"])
@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_markdown_holds_the_same_paragraphs_as_the_body(path, links):
    article = clean_html(path.read_bytes(), url_of(path), markdown_links=links)
    if article is None:
        pytest.skip("no text")
    assert article.articleBodyMarkdown is not None
    assert markdown_paragraphs(article.articleBodyMarkdown) == body_paragraphs(article.articleBody)
    if not links:
        assert "](" not in article.articleBodyMarkdown


STORY = (
    "<p>The council met on Tuesday to discuss the new ferry timetable for the islands, and a"
    " long debate followed about the cost of the extra crossings in winter.</p>"
)


def markdown(body: str, **kwargs):
    html = (
        f"<html><body><article><h1>Ferry plan</h1>{STORY * 3}{body}{STORY}</article></body></html>"
    )
    article = clean_html(html, "https://example.test/2026/11/20/ferry", **kwargs)
    assert article is not None and article.articleBodyMarkdown is not None
    assert markdown_paragraphs(article.articleBodyMarkdown) == body_paragraphs(article.articleBody)
    return article.articleBodyMarkdown


def test_headings_lists_quotes_and_emphasis():
    md = markdown(
        "<h2>What changes</h2><h3>In winter</h3>"
        "<p>The <em>Northern Star</em> will run <strong>twice a day</strong>, and the"
        " new timetable is online for anyone who wants to read it.</p>"
        "<ol><li>The first boat leaves at seven in the morning from the main pier.</li>"
        "<li>The last boat leaves at nine in the evening from the island jetty.</li></ol>"
        "<ul><li>Season tickets stay at the same price as last year for residents.</li></ul>"
        "<blockquote><p>We listened to the islanders and changed the plan twice.</p></blockquote>"
    )
    assert "\n## What changes\n" in md and "\n### In winter\n" in md
    assert "The *Northern Star* will run **twice a day**, and the new timetable" in md
    assert "\n1. The first boat leaves" in md and "\n2. The last boat leaves" in md
    assert "\n- Season tickets stay" in md
    assert "\n> We listened to the islanders" in md


def test_links_only_with_the_setting():
    body = (
        '<p>The plan was published by the <a href="/transport/ferries">transport office</a>'
        " last week after months of consultation with the island communities.</p>"
    )
    assert "transport office" in markdown(body) and "](" not in markdown(body)
    linked = markdown(body, markdown_links=True)
    assert "[transport office](https://example.test/transport/ferries)" in linked


def test_text_that_looks_like_markdown_is_escaped():
    assert escape("2026. A year of *stars* and [links] <b> # 5_000 - 1") == (
        "2026\\. A year of \\*stars\\* and \\[links\\] \\<b\\> # 5\\_000 - 1"
    )
    assert escape("# not a heading\n- not a list\n> not a quote") == (
        "\\# not a heading\n\\- not a list\n\\> not a quote"
    )
    # Ordered-list starts, after blanks too; an entity-looking "&"; only a line's first marker.
    assert escape("  12) twelve\n3. three & &amp; &#8212;\n=== - - ===") == (
        "  12\\) twelve\n3\\. three & &amp;amp; &amp;#8212;\n\\=== - - ==="
    )


def test_emphasis_that_commonmark_would_not_read_is_left_out():
    # "*" next to a letter and a quotation mark is not emphasis in CommonMark: the text stays.
    md = markdown(
        '<p>Residents called it a<em>"fair deal"</em>for everyone who lives on the islands'
        " and works on the mainland during the week.</p>"
    )
    assert '*"fair deal"*' not in md and '"fair deal"' in md
