import lxml.html
import pytest

from pipelines.cleaning.metadata import extract_page_metadata, shown_headline

JSON_LD_PAGE = """<html lang="en-GB"><head>
<title>Port vote set | Harbor Herald</title>
<link rel="canonical" href="https://harbor.example/2026/11/18/port-vote/">
<meta property="og:title" content="OG title loses to JSON-LD">
<meta property="og:site_name" content="Harbor Herald">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebPage","inLanguage":"en-GB"},
 {"@type":"NewsArticle","headline":"Port vote set for Tuesday",
  "datePublished":"2026-11-18T09:30:00+00:00",
  "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}],
  "image":{"@type":"ImageObject","url":"https://harbor.example/p.jpg"},
  "isAccessibleForFree":"False",
  "publisher":{"@type":"Organization","name":"Harbor Herald"}}]}</script>
</head><body><h1>Port vote set for Tuesday</h1></body></html>"""

META_ONLY_PAGE = """<html><head><title>Council delays budget - Valley Ledger</title>
<meta property="og:title" content="Council delays budget">
<meta property="article:published_time" content="2026-11-15T08:00:00-06:00">
<meta name="author" content="Sam Park">
<meta name="description" content="The vote moves to December.">
<meta property="og:type" content="article">
</head><body><article><h1>Council delays budget</h1></article></body></html>"""

MARKUP_PAGE = """<html><head><title>Old page</title></head><body>
<article><h1>Tide tables</h1><span class="byline__name">Ana Ruiz</span>
<time datetime="2026-11-12T10:00:00Z">Nov 12</time></article></body></html>"""

BROKEN_JSON_LD = """<html><head><script type="application/ld+json">{not json</script>
<script type="application/ld+json">{"@type":"CollectionPage","name":"World"}</script>
</head><body></body></html>"""


def meta(html):
    return extract_page_metadata(lxml.html.document_fromstring(html))


def test_json_ld_wins_and_is_complete():
    m = meta(JSON_LD_PAGE)
    assert m.headline == "Port vote set for Tuesday"
    assert m.authors == ["Jane Doe", "John Roe"]
    assert m.date_published == "2026-11-18T09:30:00+00:00"
    assert m.main_image == "https://harbor.example/p.jpg"
    assert m.language == "en-GB"
    assert m.canonical_url == "https://harbor.example/2026/11/18/port-vote/"
    assert m.accessible_for_free is False
    assert m.page_type == "newsarticle"
    assert m.publisher == "Harbor Herald"


def test_meta_tags_fallback():
    m = meta(META_ONLY_PAGE)
    assert m.headline == "Council delays budget"
    assert m.authors == ["Sam Park"]
    assert m.date_published == "2026-11-15T08:00:00-06:00"
    assert m.description == "The vote moves to December."
    assert m.og_type == "article"


def test_markup_fallback():
    m = meta(MARKUP_PAGE)
    assert m.authors == ["Ana Ruiz"]
    assert m.date_published == "2026-11-12T10:00:00Z"
    assert m.h1 == "Tide tables"


def test_broken_json_ld_is_skipped_and_listing_type_kept():
    m = meta(BROKEN_JSON_LD)
    assert m.page_type == "collectionpage"
    assert m.headline is None


ESCAPED_TWICE_PAGE = """<html><head><title>CBS&#8217; &#8216;Magnum&#8217; reboot | TV Desk</title>
<meta property="og:description" content="&amp;quot;A new case,&amp;quot; says the R&amp;D lead">
<meta name="keywords" content="Magnum&amp;#39;s return, TV">
<script type="application/ld+json">{"@type":"NewsArticle",
 "headline":"Jay Hernandez on CBS&#8217; &#8216;Magnum P.I.&#8217; reboot",
 "author":{"@type":"Person","name":"Ana O&#039;Neil"}}</script>
</head><body><h1>Fish &amp;amp; chips</h1>
<a href="/search?q=1&copy=2">more</a></body></html>"""


def test_metadata_escaped_twice_by_the_cms_reads_as_the_page_shows_it():
    meta = extract_page_metadata(lxml.html.document_fromstring(ESCAPED_TWICE_PAGE))
    assert meta.headline == "Jay Hernandez on CBS\u2019 \u2018Magnum P.I.\u2019 reboot"
    assert meta.description == '"A new case," says the R&D lead'
    assert meta.keywords == ["Magnum's return", "TV"]
    assert meta.authors == ["Ana O'Neil"]
    # What the page itself shows is not unescaped again: a reader sees "&amp;" there.
    assert meta.h1 == "Fish &amp; chips"


def test_only_complete_character_references_are_unescaped():
    page = (
        '<html><head><meta property="og:title" content="R&amp;D &amp;copy=2 &amp;notaref; x">'
        "</head><body></body></html>"
    )
    meta = extract_page_metadata(lxml.html.document_fromstring(page))
    assert meta.headline == "R&D &copy=2 &notaref; x"


def _h1(title: str | None, *h1s: str, site: str = "") -> str | None:
    head = f"<title>{title}</title>" if title is not None else ""
    head += f'<meta property="og:site_name" content="{site}">' if site else ""
    body = "".join(f"<div><h1>{h1}</h1></div>" for h1 in h1s)
    return extract_page_metadata(lxml.html.fromstring(f"<html><head>{head}</head><body>{body}")).h1


@pytest.mark.parametrize(
    ("title", "h1s", "story"),
    [
        # The site's name and a section label before the story's own <h1>; the <title>
        # repeats the label too, but says more of the story's.
        (
            "Ferry strike ends after nine days - World - Lakeside Chronicle",
            ["Lakeside Chronicle", "World", "Ferry strike ends after nine days"],
            "Ferry strike ends after nine days",
        ),
        # A box label first, the site's name before the headline in the <title>.
        (
            "BayviewTribune.com - Two hikers rescued from Mount Orr",
            ["Top Classifieds", "Two hikers rescued from Mount Orr", "Comments"],
            "Two hikers rescued from Mount Orr",
        ),
        # Two suffixes after the headline: it is not half of the <title>, still named.
        (
            "2026: A year in gadgets, March - Gizmo Desk - gadget news and reviews",
            ["Audio", "2026: A year in gadgets, March"],
            "2026: A year in gadgets, March",
        ),
        # A date before the headline in the <h1>: the <title>'s headline is in it.
        (
            "Presenter loses his car keys - Digital Life",
            ["Blogs", "Wednesday, 14 January 2026 Presenter loses his car keys"],
            "Wednesday, 14 January 2026 Presenter loses his car keys",
        ),
        # Labels only, none of them named: no <h1> is the story's.
        (
            "Bayview Tribune - Harbor pilots agree to a new contract",
            ["Top Classifieds", "Comments", "Sports"],
            None,
        ),
        # A one-word label the <title> repeats is not a headline.
        ("Seals end home losing run - Seals - Bay News", ["Top Classifieds", "Seals"], None),
        # An only <h1>, and several without a <title>: nothing tells label from headline.
        ("Harbor pilots agree to a new contract", ["Top Stories"], "Top Stories"),
        # ...unless it is a share prompt, which is no one's headline.
        ("Harbor pilots agree to a new contract", ["Save & Share this Article"], None),
        (
            "Pilots agree - Bay News",
            ["Print & Share", "Harbor pilots agree"],
            "Harbor pilots agree",
        ),
        (None, ["Business Story", "Bank fees case goes to court"], "Business Story"),
    ],
)
def test_the_story_s_h1_is_the_one_its_title_names(title, h1s, story):
    assert _h1(title, *h1s) == story


def _heading(title: str, h1: str, *h2s: str) -> str | None:
    body = f"<div id='banner'><h1>{h1}</h1></div>" + "".join(f"<h2>{h}</h2>" for h in h2s)
    page = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return extract_page_metadata(lxml.html.fromstring(page)).h1


@pytest.mark.parametrize(
    ("title", "h1", "h2s", "story"),
    [
        # The only <h1> is the section's name; an <h2> says the <title>'s headline.
        (
            "Council closes Elm Street library | The Courier",
            "Local News",
            ["Most read", "Council closes Elm Street library"],
            "Council closes Elm Street library",
        ),
        (
            "Raiders' late trey snuffs Flames",
            "SpringfieldNewsSun.com",
            ["Raiders' late trey snuffs Flames"],
            "Raiders' late trey snuffs Flames",
        ),
        # The <h1> shares a word with the <title>: a headline, the <h2> a variant.
        (
            "Library branch to close | The Courier",
            "Elm Street library branch closes in June",
            ["Library branch to close"],
            "Elm Street library branch closes in June",
        ),
        # No heading says the <title>'s headline: the <title> may be an SEO variant.
        ("Council closes Elm Street library", "Local News", ["Most read"], "Local News"),
        # The <title> is only the site's name, or too short to be a headline.
        ("The Northern Courier", "Ferry fares rise", ["The Northern Courier"], "Ferry fares rise"),
        ("Lorem test", "Lorem", ["Lorem test"], "Lorem"),
    ],
)
def test_a_label_h1_gives_way_to_the_heading_its_title_says(title, h1, h2s, story):
    assert _heading(title, h1, *h2s) == story


def test_the_story_s_date_line_is_read_under_its_own_h1():
    page = """<html><head><title>Ferry fares rise in May | Harbor Herald</title></head><body>
    <header><h1>Harbor Herald</h1><span class="date">Updated daily</span></header>
    <article><h1>Ferry fares rise in May</h1><time>March 3, 2026</time></article></body></html>"""
    meta = extract_page_metadata(lxml.html.fromstring(page))
    assert meta.h1 == "Ferry fares rise in May"
    assert meta.shown_dates == ["March 3, 2026"]


def _shown(title: str, declared: str, h1: str, site: str = "Harbor Herald") -> str | None:
    page = f"""<html><head><title>{title}</title>
    <meta property="og:title" content="{declared}">
    <meta property="og:site_name" content="{site}"></head>
    <body><article><h1>{h1}</h1></article></body></html>"""
    return shown_headline(extract_page_metadata(lxml.html.fromstring(page)))


def test_the_headline_the_page_shows_and_titles_wins_over_a_declared_variant():
    # A shorter social variant declared; the page shows and titles another headline.
    shown = "Ferry operator adds a third boat to the island route"
    assert _shown(f"{shown} - Harbor Herald", "Third ferry for island route", shown) == shown
    # The <title> says the declared one: it stays.
    assert (
        _shown(
            "Third ferry for island route | Harbor Herald",
            "Third ferry for island route",
            "Ferry operator adds a third boat to the island route",
        )
        == "Third ferry for island route"
    )
    # An <h1> that is the site's name, or a label, is no headline.
    assert _shown("Ferry fares | Harbor Herald", "Ferry fares", "Harbor Herald") == "Ferry fares"
    assert (
        _shown("Council votes on ferries - Ferries - Ledger", "Council vote", "Ferries")
        == "Council vote"
    )
