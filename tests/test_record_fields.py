"""The record's fields beyond the body: images and their captions, the main image,
section, keywords and breadcrumbs, authors' raw bylines, language and its confidence, and
fields a page does not give (absent or null, never a wrong value)."""

from pathlib import Path

import pytest

from crawler.items import Breadcrumb, Image
from pipelines.cleaning.clean import clean_html
from pipelines.cleaning.lines import Action, judge_line

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
SITES = ROOT / "sites"


def site_page(url: str, **kwargs):
    host, _, path = url.split("//")[1].partition("/")
    file = SITES / host / (path + "index.html" if path.endswith("/") or not path else path)
    article = clean_html(file.read_bytes(), url, **kwargs)
    assert article is not None
    return article


def page(html: str | bytes, url: str = "https://example.test/2026/11/20/story", **kwargs):
    article = clean_html(html, url, **kwargs)
    assert article is not None
    return article


STORY = "".join(
    f"<p>Paragraph {i} of a story about the harbor, long enough to be read as prose by every"
    f" rule of the cleaning layer, with a few more words to be safe.</p>"
    for i in range(8)
)


# --- images (item A.2) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "caption", "credit"),
    [
        (
            "http://harborherald.test/2026/11/18/port-expansion-vote/",
            "Cranes stand idle at the Calder Point container terminal on Tuesday evening.",
            "Photo: Nina Castro/Harbor Herald",
        ),
        (
            "http://meridiantimes.test/world/2026/11/20/aid-convoys-ceasefire-talks/",
            "Trucks carrying flour and medical supplies wait at a checkpoint outside Kerin.",
            "Photo: Lena Varga for The Meridian Times",
        ),
        (
            "http://valleyledger.test/news/county-water-rights-agreement.html",
            "The Millbrook irrigation canal runs past fields north of Ridley.",
            "Photo by Ray Albright / The Valley Ledger",
        ),
    ],
)
def test_body_images_have_their_caption_and_credit_and_never_in_the_text(url, caption, credit):
    article = site_page(url)
    assert [(i.caption, i.credit) for i in article.images] == [(caption, credit)]
    image = article.images[0]
    assert image.url.startswith("http") and image.width and image.height
    assert caption not in article.articleBody and credit not in article.articleBody


def test_a_gallery_glued_into_one_line_by_trafilatura_is_taken_apart():
    """The class of the lantern-parade defect: trafilatura's fallback returned the whole
    <article> as one line (header, byline, dates, captions, share bar). The layer now reads
    it block by block: the furniture goes, the captions are the images' captions."""
    html = (ROOT / "pages" / "gallery_glued.html").read_bytes()
    article = clean_html(html, "http://harborherald.test/2026/11/19/photos-lantern-parade/")
    assert article is not None
    assert article.articleBody == (
        "Hundreds of children carried handmade lanterns along Front Street on Thursday evening."
    )
    # 13 words of text: the captions are not body, so the page is too short to be emitted.
    assert article.flags == ["too_short"]
    assert [i.caption for i in article.images] == [
        "Children from Harborview Elementary carry paper lanterns shaped like fish along Front"
        " Street.",
        "A giant lantern lobster, built by volunteers at the Seamen’s Hall, leads the parade"
        " past the fish market.",
        "Families gather near the Calder Point lighthouse to watch the lanterns at the end of"
        " the route.",
    ]
    assert [a.name for a in article.authors] == ["Nina Castro"]


def test_the_gallery_post_of_the_fixture_site_is_a_short_article():
    article = site_page("http://harborherald.test/2026/11/19/photos-lantern-parade-waterfront/")
    assert article.flags == ["short"]
    assert article.articleBody.startswith("Hundreds of children carried handmade lanterns")
    assert "\n\n" in article.articleBody  # two paragraphs, not one glued line
    for furniture in ("Photos: Lantern", "By Nina Castro", "November 19, 2026", "Facebook"):
        assert furniture not in article.articleBody
    assert len(article.images) == 3 and all(i.caption for i in article.images)


def test_icons_avatars_and_teaser_thumbnails_are_not_the_storys_images():
    html = f"""<html><body><article><h1>Harbor story</h1>
    <div class="entry-content">{STORY}
    <figure><img src="/photo.jpg" width="800" height="600"><figcaption>The harbor at dawn.
    (Photo: Jo Bell/Herald)</figcaption></figure>
    <img src="/pixel.gif" width="1" height="1">
    <div class="author-box"><img src="/avatar.jpg" width="300" height="300"></div>
    <div class="share"><img src="/share/facebook.png"></div>
    <a href="/other-story"><img src="/thumb.jpg" width="400" height="300"></a>
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    </div></article></body></html>"""
    images = page(html).images
    assert images == [
        Image(
            "https://example.test/photo.jpg",
            "The harbor at dawn.",
            "Photo: Jo Bell/Herald",
            800,
            600,
        )
    ]


def test_main_image_with_size_from_json_ld_reference_or_open_graph():
    harbor = site_page("http://harborherald.test/2026/11/18/port-expansion-vote/")
    # Yoast's graph refers to its ImageObject by @id; the object has the size.
    assert (harbor.mainImage.width, harbor.mainImage.height) == (1024, 683)
    html = (
        """<html><head><meta property="og:image" content="/lead.jpg">
    <meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">
    </head><body><article>"""
        + STORY
        + "</article></body></html>"
    )
    assert page(html).mainImage == Image("https://example.test/lead.jpg", width=1200, height=630)


# --- section, keywords, breadcrumbs (item A.3) --------------------------------------


def test_section_keywords_and_breadcrumbs_from_json_ld():
    article = site_page("http://harborherald.test/2026/11/18/port-expansion-vote/")
    assert article.articleSection == "Local"
    assert article.keywords == ["port", "city-council"]
    assert article.breadcrumbs[0] == Breadcrumb("Home", "http://harborherald.test/")


def test_keywords_from_article_tag_meta_and_section_from_meta():
    html = (
        """<html><head><meta property="article:section" content="Sport">
    <meta property="article:tag" content="Rowing"><meta property="article:tag" content="Regatta">
    <meta name="keywords" content="ignored, because article:tag is there">
    </head><body><article>"""
        + STORY
        + "</article></body></html>"
    )
    article = page(html)
    assert (article.articleSection, article.keywords) == ("Sport", ["Rowing", "Regatta"])


def test_markup_fallbacks_breadcrumb_trail_category_and_tag_links():
    html = f"""<html><body>
    <nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>
    <li><a href="/world/">World</a></li><li>Harbor story</li></ol></nav>
    <article><h1>Harbor story</h1><a rel="category tag" href="/c/world/">World news</a>
    {STORY}<p class="tags"><a rel="tag" href="/t/ports/">Ports</a>
    <a rel="tag" href="/t/shipping/">Shipping</a></p></article>
    <aside><a rel="tag" href="/t/cloud/">Sidebar cloud</a></aside></body></html>"""
    article = page(html)
    assert article.breadcrumbs == [
        Breadcrumb("Home", "https://example.test/"),
        Breadcrumb("World", "https://example.test/world/"),
        Breadcrumb("Harbor story", None),
    ]
    assert article.articleSection == "World"  # the trail's last step before the page
    assert article.keywords == ["Ports", "Shipping"]


@pytest.mark.parametrize(
    "opening",
    [
        '<ul class="site-breadcrumb-list">',
        '<ul id="page-breadcrumbs">',
        '<ul aria-label="Breadcrumb navigation">',
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_markup_trail_is_found_by_class_id_or_label_in_any_encoding(opening, encoding):
    # The trail is looked for only on pages whose source names one: after decoding.
    html = f"""<html><head><meta charset="{encoding}"></head><body>{opening}
    <li><a href="/">Home</a></li><li><a href="/port/">Port</a></li></ul>
    <article><h1>Harbor story</h1>{STORY}</article></body></html>"""
    article = clean_html(html.encode(encoding), "https://example.test/2026/11/20/story")
    assert article is not None
    assert [b.name for b in article.breadcrumbs] == ["Home", "Port"]


def test_a_page_that_names_no_trail_has_none():
    html = f"""<html><body><ul class="site-menu"><li><a href="/">Home</a></li>
    <li><a href="/port/">Port</a></li></ul><article><h1>Harbor story</h1>{STORY}</article>
    </body></html>"""
    assert page(html).breadcrumbs == []


@pytest.mark.parametrize("encoding", [None, "utf-16"])
def test_microdata_breadcrumbs(encoding):
    html = f"""<html><body><ol itemscope itemtype="https://schema.org/BreadcrumbList">
    <li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">
    <a itemprop="item" href="/"><span itemprop="name">Start</span></a></li>
    <li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">
    <a itemprop="item" href="/science/"><span itemprop="name">Science</span></a></li></ol>
    <article><h1>A story</h1>{STORY}</article></body></html>"""
    article = page(html.encode(encoding) if encoding else html)
    assert [b.name for b in article.breadcrumbs] == ["Start", "Science"]
    assert article.articleSection == "Science"


# --- authors, language, unknown fields (items A.1, A.5, A.7) ------------------------


def test_name_raw_is_the_byline_shown_with_the_headline():
    article = site_page("http://harborherald.test/2026/11/18/port-expansion-vote/")
    assert [(a.name, a.nameRaw) for a in article.authors] == [("Jane Doe", "By Jane Doe")]


def test_detected_language_has_a_confidence_declared_has_none():
    html = "<html><body><article>" + STORY + "</article></body></html>"
    detected = page(html)
    assert detected.inLanguage == "en"
    assert detected.languageConfidence is not None and 0.5 < detected.languageConfidence <= 1
    declared = page(html.replace("<html>", '<html lang="en-GB">'))
    assert (declared.inLanguage, declared.languageConfidence) == ("en", None)
    registry = page(html, language="en")
    assert (registry.inLanguage, registry.languageConfidence) == ("en", None)


def test_fields_a_page_does_not_give_are_empty_never_guessed():
    article = page(
        "<html><body><div>" + STORY + "</div></body></html>", url="https://example.test/x"
    )
    assert article.datePublished is None and article.dateModified is None
    assert article.authors == [] and article.mainImage is None and article.images == []
    assert article.articleSection is None and article.keywords == [] and article.breadcrumbs == []
    assert article.description is None


@pytest.mark.parametrize(
    "line",
    [
        "Veröffentlicht am 18. November 2026, 14:30 Uhr",
        "Aktualisiert vor 3 Stunden",
        "Publié le 18 novembre 2026 à 14h30",
        "Mis à jour il y a 3 heures",
        "Publicado el 18 de noviembre de 2026",
        "Atualizado há 2 horas",
        "Pubblicato il 18 novembre 2026 alle 14:30",
    ],
)
def test_date_lines_in_other_languages_are_date_lines(line):
    assert judge_line(line).action is Action.DATELINE


@pytest.mark.parametrize("line", ["Von Anna Schmidt und Jonas Weber", "Par Claire Dubois"])
def test_bylines_in_other_languages_are_bylines(line):
    assert judge_line(line).action is Action.BYLINE


def test_a_relative_date_line_counts_from_the_fetch_time():
    html = f"""<html lang="de"><body><article><h1>Übung am Rhein</h1>
    <p class="news-date">Aktualisiert vor 2 Stunden</p>{STORY}</article></body></html>"""
    fetched = page(html, url="https://example.test/x", fetched_at="2026-11-20T12:00:00Z")
    assert fetched.datePublished == "2026-11-20T10:00:00+00:00"
    assert page(html, url="https://example.test/x").datePublished is None


def test_a_page_dated_nowhere_else_takes_its_date_from_its_byline_not_from_comments():
    html = f"""<html><body><article><h1>Harbor pilots sign new contract</h1>
    <p>By Jane Doe | 14 March 2008 | Business</p>{STORY}
    <p>By Tom Reader | 14 March 2008, 6:24 PM</p><p>Good news for the harbor, at last.</p>
    </article></body></html>"""
    article = page(html, url="https://example.test/x")
    assert article.datePublished == "2008-03-14"
    # A date line elsewhere on the page comes first, and a commenter's time never refines
    # the story's.
    dated = html.replace("<h1>", '<p class="date">14 March 2008</p><h1>')
    assert page(dated, url="https://example.test/x").datePublished == "2008-03-14"


NOVEMBER_5 = "2026-11-05T14:30:00"
MAY_11 = "2026-05-11T14:30:00"


@pytest.mark.parametrize(
    ("lang", "site_language", "url", "published"),
    [
        ('lang="fr"', None, "https://example.test/x", NOVEMBER_5),
        ('lang="en-GB"', None, "https://example.test/x", NOVEMBER_5),
        # the registry's language, when the page has none or only "en"
        ("", "fr", "https://example.test/x", NOVEMBER_5),
        ('lang="en"', "en-GB", "https://example.test/x", NOVEMBER_5),
        ('lang="en-US"', None, "https://example.test/x", MAY_11),
        ("", None, "https://example.test/x", MAY_11),
        # no region declared: the site's country domain
        ("", None, "https://www.examiner.ie/news/port-reopens-1.html", NOVEMBER_5),
        ('lang="en"', None, "https://news.example.co.uk/port", NOVEMBER_5),
        ('lang="en"', None, "https://www.example.com.au/port", NOVEMBER_5),
        ('lang="en-US"', None, "https://news.example.co.uk/port", MAY_11),
        ('lang="en"', None, "https://example.com/port", MAY_11),
        ('lang="en"', None, "https://example.io/port", MAY_11),
    ],
)
def test_a_numeric_date_is_read_in_the_page_s_order(lang, site_language, url, published):
    html = f"""<html {lang}><body><article><h1>Le port rouvre</h1>
    <p class="news-date">05/11/2026 14:30</p>{STORY}</article></body></html>"""
    assert page(html, url=url, language=site_language).datePublished == published
