"""The benchmark's news site: N generated pages of about 100 KB in five page templates.

Mega menus, ad slots, share bars, newsletter boxes, comment threads, related rails,
JSON-LD and framework state blobs; prose from :class:`bench.dedup.NewsWriter`, a
deterministic seed; one site with a Google News sitemap index and a registry for it.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from bench.dedup import NewsWriter

HOST = "bench-news.test"
SITE = "bench-news"
SEED = 20261122
SITEMAP_CHUNK = 1000
_SITE_MARKER = "site.json"  # URLs per child sitemap, as news sitemaps are usually split
# A fixed publication time, so the pages (and the text) are the same on every run.
BASE_DATE = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
TARGET_BYTES = 100_000

# --- page generation ---------------------------------------------------------------------

_SECTIONS = [
    "World",
    "Politics",
    "Business",
    "Markets",
    "Technology",
    "Science",
    "Health",
    "Climate",
    "Sport",
    "Football",
    "Culture",
    "Books",
    "Film",
    "Music",
    "Travel",
    "Food",
    "Opinion",
    "Obituaries",
    "Weather",
    "Education",
    "Media",
    "Property",
    "Motoring",
    "Careers",
    "Puzzles",
    "Podcasts",
    "Video",
    "Photography",
    "Investigations",
]
_FOOTER_LINKS = [
    "About us",
    "Contact",
    "Careers",
    "Advertise",
    "Privacy policy",
    "Cookie settings",
    "Terms of use",
    "Accessibility",
    "Corrections",
    "Newsletters",
    "Subscriptions",
    "Help center",
    "Archive",
    "Sitemap",
    "RSS feeds",
    "Syndication",
    "Ethics policy",
    "Our journalists",
    "Apps",
    "Gift subscriptions",
]
_SHARE = ("Facebook", "X", "WhatsApp", "LinkedIn", "Email", "Copy link")
_ICON = (
    '<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">'
    '<path d="M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z"/></svg>'
)


@dataclass
class _Story:
    """One generated article and the page furniture around it."""

    number: int
    url: str
    headline: str
    dek: str
    author: str
    section: str
    published: datetime
    paragraphs: list[str]
    comments: list[tuple[str, str]]
    related: list[tuple[str, str]]
    words: list[str] = field(default_factory=list)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _headline(writer: NewsWriter, rng: random.Random, cast: Any) -> str:
    sentence = writer.sentence(rng, cast).rstrip(".")
    words = sentence.split()
    return " ".join(words[: rng.randint(7, 12)]).strip(",;:\"'")


def _story(writer: NewsWriter, rng: random.Random, number: int) -> _Story:
    cast = writer.cast(rng)
    section = rng.choice(_SECTIONS)
    slug = "-".join(_headline(writer, rng, cast).lower().split()[:6])
    slug = "".join(c for c in slug if c.isalnum() or c == "-")
    published = BASE_DATE - timedelta(minutes=7 * number)
    day = published.strftime("%Y/%m/%d")
    paragraphs = [" ".join(p) for p in writer.article(rng, cast)]
    first, last = rng.choice(cast.people)
    comments = [
        (f"{writer.word(rng)}_{rng.randint(1, 999)}", writer.sentence(rng, writer.cast(rng)))
        for _ in range(rng.randint(0, 25))
    ]
    related = [
        (_headline(writer, rng, writer.cast(rng)), f"/{section.lower()}/{rng.randint(1, 10**6)}")
        for _ in range(rng.randint(6, 14))
    ]
    return _Story(
        number=number,
        url=f"http://{HOST}/{section.lower()}/{day}/{slug}-{number}",
        headline=_headline(writer, rng, cast),
        dek=writer.sentence(rng, cast),
        author=f"{first} {last}",
        section=section,
        published=published,
        paragraphs=paragraphs,
        comments=comments,
        related=related,
    )


def _json_ld(story: _Story) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "headline": story.headline,
        "description": story.dek,
        "image": [f"http://{HOST}/img/{story.number}/1200x675.jpg"],
        "datePublished": story.published.isoformat(),
        "dateModified": (story.published + timedelta(minutes=42)).isoformat(),
        "author": [{"@type": "Person", "name": story.author}],
        "articleSection": story.section,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": "The Bench Chronicle",
            "logo": {"@type": "ImageObject", "url": f"http://{HOST}/logo.png"},
        },
        "isAccessibleForFree": True,
    }
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _head(story: _Story, rng: random.Random) -> str:
    css_rules = "".join(
        f".c{i}-{rng.randint(0, 9999)}{{margin:{rng.randint(0, 24)}px;"
        f"padding:{rng.randint(0, 24)}px;color:#{rng.randint(0, 0xFFFFFF):06x}}}"
        for i in range(rng.randint(60, 140))
    )
    tracking = json.dumps(
        {f"dim{i}": f"{rng.getrandbits(64):x}" for i in range(rng.randint(20, 60))}
    )
    return (
        f'<head><meta charset="utf-8"><title>{_e(story.headline)} | The Bench Chronicle</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="canonical" href="{story.url}">'
        f'<meta name="description" content="{_e(story.dek)}">'
        f'<meta property="og:title" content="{_e(story.headline)}">'
        f'<meta property="og:type" content="article"><meta property="og:url" content="{story.url}">'
        '<meta property="og:site_name" content="The Bench Chronicle">'
        f'<meta name="author" content="{_e(story.author)}">'
        f'<meta property="article:published_time" content="{story.published.isoformat()}">'
        f"{_json_ld(story)}<style>{css_rules}</style>"
        f"<script>window.dataLayer=window.dataLayer||[];dataLayer.push({tracking});</script>"
        '<link rel="preload" as="font" href="/fonts/serif.woff2" crossorigin>'
        "</head>"
    )


def _nav(rng: random.Random, style: str) -> str:
    items = []
    for section in _SECTIONS:
        subs = "".join(
            f'<li class="{style}__sub {style}__sub--{rng.randint(1, 9)}">'
            f'<a class="{style}__sublink" href="/{section.lower()}/{rng.randint(1, 999)}" '
            f'data-track="nav-{rng.getrandbits(20)}">'
            f"{section} {rng.choice(_SECTIONS)}</a></li>"
            for _ in range(rng.randint(4, 10))
        )
        items.append(
            f'<li class="{style}__item"><a class="{style}__link" href="/{section.lower()}/">'
            f'{section}</a><ul class="{style}__menu">{subs}</ul></li>'
        )
    return f'<nav class="{style}" aria-label="Main"><ul>{"".join(items)}</ul></nav>'


def _share_bar(style: str) -> str:
    buttons = "".join(
        f'<li><a class="{style}-share__btn" href="#share-{n.lower()}" title="Share on {n}">'
        f"{_ICON}<span>{n}</span></a></li>"
        for n in _SHARE
    )
    return f'<div class="{style}-share"><span>Share this article</span><ul>{buttons}</ul></div>'


def _ad(rng: random.Random, slot: int) -> str:
    return (
        f'<div class="ad-slot ad-slot--inline" id="ad-{slot}" data-ad-unit="/2150/news/'
        f'{rng.getrandbits(32):x}" data-sizes="[[300,250],[728,90]]"><span class="ad-label">'
        'Advertisement</span><div class="ad-inner"></div></div>'
    )


def _body_blocks(story: _Story, rng: random.Random, style: str) -> str:
    parts = []
    for i, paragraph in enumerate(story.paragraphs):
        parts.append(f"<p>{_e(paragraph)}</p>")
        if i and i % rng.randint(3, 5) == 0:
            parts.append(_ad(rng, i))
        if i == 2:
            title, href = story.related[0]
            parts.append(
                f'<aside class="{style}-inline-related"><strong>Read more:</strong> '
                f'<a href="{href}">{_e(title)}</a></aside>'
            )
        if i == 4 and rng.random() < 0.7:
            parts.append(
                f'<div class="{style}-newsletter"><h3>Get the morning briefing</h3><p>Sign up '
                'for our free newsletter and never miss a story.</p><form><input type="email" '
                'placeholder="Your email"><button>Sign up</button></form></div>'
            )
    return "".join(parts)


def _figure(story: _Story, rng: random.Random) -> str:
    return (
        f'<figure class="lead-image"><img src="http://{HOST}/img/{story.number}/800.jpg" '
        f'alt="{_e(story.headline)}" width="800" height="450" loading="eager">'
        f'<figcaption>{_e(story.dek)} <span class="credit">Photo: '
        f"{rng.choice(['Reuters', 'AP', 'AFP', 'Staff'])}</span></figcaption></figure>"
    )


def _comments(story: _Story, rng: random.Random) -> str:
    if not story.comments:
        return ""
    items = "".join(
        f'<li class="comment" id="comment-{rng.randint(1, 10**7)}"><div class="comment-meta">'
        f'<span class="comment-author">{_e(user)}</span> <time>{rng.randint(1, 59)} minutes '
        f'ago</time></div><div class="comment-body"><p>{_e(text)}</p></div>'
        '<div class="comment-actions"><a href="#reply">Reply</a> <a href="#like">Like</a>'
        "</div></li>"
        for user, text in story.comments
    )
    return (
        f'<section id="comments" class="comments"><h2>{len(story.comments)} comments</h2>'
        f'<ol class="comment-list">{items}</ol></section>'
    )


def _rail(story: _Story, style: str) -> str:
    cards = "".join(
        f'<li class="{style}-card"><a class="{style}-card__link" href="{href}">'
        f'<picture><source type="image/webp" srcset="/thumb{href}-320.webp 320w, '
        f'/thumb{href}-640.webp 640w"><img src="/thumb{href}.jpg" alt="" loading="lazy" '
        f'width="320" height="180"></picture><span class="{style}-card__kicker">'
        f'{story.section}</span><span class="{style}-card__title">{_e(title)}</span></a>'
        f'<time class="{style}-card__time">{len(title) % 23 + 1} hours ago</time></li>'
        for title, href in story.related
    )
    popular = "".join(
        f'<li><a href="{href}">{_e(title)}</a></li>' for title, href in story.related[:5]
    )
    return (
        f'<aside class="{style}-rail"><h2>Related stories</h2><ul>{cards}</ul>'
        f'<div class="most-read"><h2>Most read</h2><ol>{popular}</ol></div></aside>'
    )


def _footer(rng: random.Random) -> str:
    columns = "".join(
        "<ul>"
        + "".join(
            f'<li><a href="/{link.lower().replace(" ", "-")}/">{link}</a></li>'
            for link in rng.sample(_FOOTER_LINKS, 10)
        )
        + "</ul>"
        for _ in range(4)
    )
    return (
        f'<footer class="site-footer"><div class="footer-columns">{columns}</div>'
        "<p>© 2026 The Bench Chronicle. All rights reserved.</p></footer>"
    )


def _state_blob(story: _Story, rng: random.Random, size: int) -> str:
    """A framework state script (``__NEXT_DATA__``-like): bytes every modern site ships."""
    if size <= 0:
        return ""
    items = []
    total = 0
    while total < size:
        entry = json.dumps(
            {
                "id": rng.getrandbits(48),
                "type": rng.choice(["teaser", "promo", "video", "gallery"]),
                "title": story.related[rng.randrange(len(story.related))][0],
                "tracking": f"{rng.getrandbits(128):032x}",
            }
        )
        items.append(entry)
        total += len(entry)
    return f'<script id="__STATE__" type="application/json">[{",".join(items)}]</script>'


def _byline(story: _Story) -> str:
    return (
        f'<div class="byline">By <a rel="author" href="/people/{story.author.lower()}">'
        f'{_e(story.author)}</a> <time datetime="{story.published.isoformat()}">'
        f"{story.published.strftime('%B %d, %Y %H:%M')} UTC</time></div>"
    )


def _template_wordpress(story: _Story, rng: random.Random) -> list[str]:
    return [
        '<body class="single-post"><div id="page" class="site"><header id="masthead">',
        '<div class="site-branding"><a href="/">The Bench Chronicle</a></div>',
        _nav(rng, "main-navigation"),
        '</header><div id="content" class="site-content"><div id="primary"><main id="main">',
        f'<article class="post type-post"><header class="entry-header"><h1 class="entry-title">'
        f"{_e(story.headline)}</h1>{_byline(story)}</header>",
        _figure(story, rng),
        _share_bar("wp"),
        f'<div class="entry-content">{_body_blocks(story, rng, "wp")}</div>',
        '<footer class="entry-footer"><span class="tags-links">Tags: '
        + ", ".join(f'<a href="/tag/{t}/">{t}</a>' for t in rng.sample(_SECTIONS, 5))
        + "</span></footer></article>",
        _comments(story, rng),
        "</main></div>",
        f'<div id="secondary" class="widget-area">{_rail(story, "widget")}</div></div>',
        _footer(rng),
        "</div>",
    ]


def _template_arc(story: _Story, rng: random.Random) -> list[str]:
    return [
        '<body><div id="fusion-app"><div class="b-header-nav-chain">',
        _nav(rng, "b-links-bar"),
        '</div><main id="main" class="b-layout"><div class="b-article-layout">',
        f'<div class="b-headline"><h1>{_e(story.headline)}</h1></div>'
        f'<p class="b-subheadline">{_e(story.dek)}</p>',
        _byline(story),
        _share_bar("b"),
        _figure(story, rng),
        f'<article class="b-article-body">{_body_blocks(story, rng, "b")}</article>',
        _rail(story, "b-results"),
        _comments(story, rng),
        "</div></main>",
        _footer(rng),
        _state_blob(story, rng, rng.randint(8000, 20000)),
        "</div>",
    ]


def _template_next(story: _Story, rng: random.Random) -> list[str]:
    wrap = "".join(f'<div class="css-{rng.getrandbits(24):x}">' for _ in range(6))
    unwrap = "</div>" * 6
    return [
        f'<body><div id="__next">{wrap}<header>{_nav(rng, "css-nav")}</header>',
        f'<main><article data-testid="article"><h1 data-testid="headline">'
        f'{_e(story.headline)}</h1><p data-testid="standfirst">{_e(story.dek)}</p>',
        _byline(story),
        _figure(story, rng),
        f'<section data-component="text-block">{_body_blocks(story, rng, "css")}</section>',
        _share_bar("css"),
        f"</article>{_rail(story, 'css-rail')}</main>",
        _footer(rng),
        f"{unwrap}</div>",
        _state_blob(story, rng, rng.randint(15000, 35000)),
    ]


def _template_portal(story: _Story, rng: random.Random) -> list[str]:
    return [
        '<body><table class="layout" width="100%"><tr><td colspan="2" class="top">',
        _nav(rng, "topnav"),
        '</td></tr><tr><td class="main" valign="top">',
        f'<div class="story"><h1 class="story-title">{_e(story.headline)}</h1>',
        _byline(story),
        f'<div class="story-text">{_body_blocks(story, rng, "portal")}</div></div>',
        _comments(story, rng),
        f'</td><td class="side" valign="top">{_rail(story, "portal")}</td></tr></table>',
        _footer(rng),
    ]


def _template_magazine(story: _Story, rng: random.Random) -> list[str]:
    quote = rng.choice(story.paragraphs).split(". ")[0]
    return [
        '<body class="magazine"><div class="page-wrap"><header class="mag-header">',
        _nav(rng, "mag-nav"),
        '</header><div class="mag-hero">',
        _figure(story, rng),
        f'<h1 class="mag-title">{_e(story.headline)}</h1><p class="mag-dek">{_e(story.dek)}</p>'
        f"{_byline(story)}</div>",
        _share_bar("mag"),
        f'<div class="mag-body"><blockquote class="pullquote">{_e(quote)}</blockquote>'
        f"{_body_blocks(story, rng, 'mag')}</div>",
        '<div class="author-bio"><p>'
        + _e(f"{story.author} covers {story.section.lower()} for The Bench Chronicle.")
        + "</p></div>",
        _rail(story, "mag-more"),
        _comments(story, rng),
        _footer(rng),
        _state_blob(story, rng, rng.randint(5000, 15000)),
        "</div>",
    ]


_TEMPLATES: tuple[Callable[[_Story, random.Random], list[str]], ...] = (
    _template_wordpress,
    _template_arc,
    _template_next,
    _template_portal,
    _template_magazine,
)


def render_page(story: _Story, rng: random.Random) -> str:
    template = _TEMPLATES[story.number % len(_TEMPLATES)]
    page = f'<!DOCTYPE html><html lang="en">{_head(story, rng)}{"".join(template(story, rng))}'
    # Pad with inline scripts (analytics, consent, ad configuration) to the size real news
    # pages have: most of a page's bytes are not text, and the parser still walks them.
    padding = TARGET_BYTES - len(page) - 20
    if padding > 0:
        chunk = f"var cfg_{rng.getrandbits(32):x}={rng.getrandbits(256)};"
        page += "<script>" + chunk * (padding // len(chunk) + 1) + "</script>"
    return page + "</body></html>\n"


# --- the benchmark site ------------------------------------------------------------------


@dataclass(frozen=True)
class BenchSite:
    root: Path  # sites directory for FixtureServer
    registry: Path
    pages: list[tuple[str, Path]]  # (url, file), in sitemap order
    bytes_total: int


def _sitemap(stories: Sequence[_Story]) -> str:
    entries = "".join(
        f"<url><loc>{xml_escape(s.url)}</loc><news:news><news:publication>"
        "<news:name>The Bench Chronicle</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{s.published.isoformat()}"
        f"</news:publication_date><news:title>{xml_escape(s.headline)}</news:title>"
        "</news:news></url>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>\n"
    )


def _url_file(root: Path, url: str) -> Path:
    return root / HOST / url.split(f"http://{HOST}/", 1)[1]


def hostile_pages() -> dict[str, str]:
    """Pages built to hang or blow up an extractor; the crawl must drop them and go on."""
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit " * 200_000
    block = "<div>" * 200 + f"<p>{words[:180]}</p>" + "</div>" * 200
    return {
        # 10 MB in one paragraph: refused before any parsing (NEWS_EXTRACT_MAX_BYTES).
        "explode-paragraph": f"<html><body><article><p>{words[:10_000_000]}</p></article>",
        # 100,000 nested elements: deeper than any parser should follow.
        "deep-nesting": "<html><body>" + "<div><span>" * 100_000 + words[:5000],
        # 1.5 MB of deeply nested blocks: tens of seconds of tree walking (NEWS_EXTRACT_TIMEOUT).
        "slow-blocks": "<html><body>" + block * 700 + "</body></html>",
    }


def build_site(directory: Path, count: int, seed: int = SEED, hostile: bool = False) -> BenchSite:
    """Writes ``count`` pages, their sitemaps and a registry under ``directory``.

    With ``hostile``, the pages of :func:`hostile_pages` are listed too (first), in a
    sitemap of their own; they are not part of the bare loop.
    """
    root = directory / "sites"
    writer = NewsWriter(seed)
    pages: list[tuple[str, Path]] = []
    sitemaps: list[str] = []
    total = 0
    chunk: list[_Story] = []
    for number in range(count):
        rng = random.Random(seed * 1_000_003 + number)
        story = _story(writer, rng, number)
        story = replace(story, url=f"{story.url}.html")
        file = _url_file(root, story.url)
        file.parent.mkdir(parents=True, exist_ok=True)
        data = render_page(story, rng).encode("utf-8")
        file.write_bytes(data)
        total += len(data)
        pages.append((story.url, file))
        chunk.append(story)
        if len(chunk) == SITEMAP_CHUNK or number == count - 1:
            name = f"sitemaps/news-{len(sitemaps):03d}.xml"
            path = root / HOST / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_sitemap(chunk), encoding="utf-8")
            sitemaps.append(f"http://{HOST}/{name}")
            chunk = []
        if (number + 1) % 2000 == 0:
            print(f"  generated {number + 1}/{count} pages", flush=True)
    if hostile:
        urls = []
        for name, page in hostile_pages().items():
            url = f"http://{HOST}/hostile/{name}.html"
            _url_file(root, url).parent.mkdir(parents=True, exist_ok=True)
            _url_file(root, url).write_text(page, encoding="utf-8")
            urls.append(f"<url><loc>{url}</loc></url>")
        (root / HOST / "sitemaps/hostile.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>\n',
            encoding="utf-8",
        )
        sitemaps.insert(0, f"http://{HOST}/sitemaps/hostile.xml")
    index = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in sitemaps)
    marker = {
        "pages": count,
        "seed": seed,
        "hostile": hostile,
        "bytes": total,
        "urls": [url for url, _ in pages],
    }
    (root / HOST / "sitemap-index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>\n',
        encoding="utf-8",
    )
    registry = directory / "registry.toml"
    registry.write_text(
        f"[sites.{SITE}]\n"
        f'domains = ["{HOST}"]\n'
        f'sitemaps = ["http://{HOST}/sitemap-index.xml"]\n'
        "article_allow = ['\\.html$']\n"
        'language = "en"\n',
        encoding="utf-8",
    )
    # Written last: its presence means the site is complete and can be reused (--keep).
    (directory / _SITE_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return BenchSite(root, registry, pages, total)


def reuse_site(directory: Path, count: int, seed: int, hostile: bool) -> BenchSite | None:
    """The site an earlier run generated in ``directory`` with the same parameters."""
    try:
        marker = json.loads((directory / _SITE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (marker.get("pages"), marker.get("seed"), marker.get("hostile")) != (count, seed, hostile):
        return None
    root = directory / "sites"
    pages = [(url, _url_file(root, url)) for url in marker["urls"]]
    return BenchSite(root, directory / "registry.toml", pages, int(marker["bytes"]))
