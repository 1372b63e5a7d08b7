"""Property tests (hypothesis) for the registry parser, the cleaning path and the
boilerplate layer: arbitrary input never raises anything but the documented error, and
cleaning never adds text. The URL canonicalizer has its own in tests/test_urls.py.

Every test runs with a fixed seed and a bounded number of examples, so CI is repeatable.

"Never adds text" is checked on words: every word (``\\w+``, NFKC, case-folded) of the
output must occur in the input's word characters, and no more often. The input is read
both with and without its markup, entity references decoded and not, since the parser
may treat a stray ``<`` or an unterminated entity either way; only word characters are
kept from it, so dropping punctuation, control or zero-width characters between two
letters (which joins them, as a browser does) does not count as adding a word.
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.discovery.registry import RegistryError, parse_registry
from pipelines.cleaning.body import clean_extracted
from pipelines.cleaning.boilerplate import Action, Block, classify
from pipelines.cleaning.clean import clean_html

PROPERTY_SETTINGS = settings(
    derandomize=True,
    max_examples=200,
    deadline=None,
    # No example database: every run, here and in CI, tests the same examples.
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_TAG = re.compile(r"<[A-Za-z/!?][^>]*>")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _word_stream(text: str) -> str:
    return "".join(_WORD_CHAR.findall(_fold(text)))


def _readings(markup: str) -> list[str]:
    """The input's word characters, read with and without tags and entity decoding."""
    stripped = _TAG.sub("", markup)
    variants = (markup, html.unescape(markup), stripped, html.unescape(stripped))
    return [_word_stream(v) for v in variants]


def _added_words(output: str, readings: list[str]) -> list[str]:
    """Words of ``output`` not found (or found fewer times) in any reading of the input."""
    words = _WORD.findall(_fold(output))
    added = []
    for word in sorted(set(words)):
        available = max(reading.count(word) for reading in readings)
        if available < words.count(word):
            added.append(f"{word!r} x{words.count(word)} (input has {available})")
    return added


# --- (a) the registry parser --------------------------------------------------------------

_SITE_KEYS = [
    "domains", "feeds", "sitemaps", "start_urls", "article_allow", "article_deny",
    "follow_depth", "max_age_days", "language", "revisit_hours", "min_delay", "cleaning",
]  # fmt: skip
# Values that real mistakes and hostile files produce, by kind, mixed into random ones.
_DOMAINS = ["a.test", "A.TEST", "sub.a.test", "bücher.test", "xn--bcher-kva.test", "-a.test",
            "a..test", "a.test.", "", " ", "x" * 300, "🦀"]  # fmt: skip
_URLS = ["http://a.test/feed.xml", "https://sub.a.test/", "http://b.test/x", "ftp://a.test/",
         "//a.test/x", "http://[::1", "http://[", "http://a.test:99999/", "http://", "",
         "http://a.test/\x00", "http://🦀.test/"]  # fmt: skip
_PATTERNS = [r"/\d{4}/", "(", "[a-", "a{99999999999999999999}", "(" * 1200 + ")" * 1200,
             "(?P<x>", "(?<=a+)b", r"\p{L}", "", "*"]  # fmt: skip
_SELECTORS = [".related", "#newsletter", "a:hover", "p::before", "div >", "#", "[x",
              ":nth-child(x)", ":not(", "a:contains('x')", "::selection", ""]  # fmt: skip
_LANGUAGES = ["en", "pt-BR", "EN", "e", "english", "", "zh-Hant-TW"]
_SITE_KEYS = [
    "domains", "feeds", "sitemaps", "start_urls", "article_allow", "article_deny",
    "follow_depth", "max_age_days", "language", "revisit_hours", "min_delay", "cleaning",
]  # fmt: skip
_toml_scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(_DOMAINS + _URLS + _PATTERNS + _SELECTORS),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
)
_toml_values = st.recursive(
    _toml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(_SITE_KEYS) | st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)


def _lists_of(samples: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(samples) | st.text(max_size=12), min_size=1, max_size=3)


_numbers = st.one_of(
    st.sampled_from([0, 1, 3, -1, 2.5, float("nan"), float("inf"), float("-inf"), True]),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
)
_PLAUSIBLE: dict[str, st.SearchStrategy[object]] = {
    "domains": _lists_of(_DOMAINS),
    "feeds": _lists_of(_URLS),
    "sitemaps": _lists_of(_URLS),
    "start_urls": _lists_of(_URLS),
    "article_allow": _lists_of(_PATTERNS),
    "article_deny": _lists_of(_PATTERNS),
    "follow_depth": _numbers,
    "max_age_days": _numbers,
    "revisit_hours": _numbers,
    "min_delay": _numbers,
    "language": st.sampled_from(_LANGUAGES),
    "cleaning": st.fixed_dictionaries(
        {},
        optional={
            "remove_selectors": _lists_of(_SELECTORS),
            "drop_phrases": _lists_of(["Support us", ""]),
            "bogus": _toml_values,
        },
    ),
}


@st.composite
def _site_tables(draw: st.DrawFn) -> dict[str, object]:
    """A valid site with one or two keys replaced, mostly by plausible values: so that the
    checks behind the first ones are reached too."""
    table: dict[str, object] = {"domains": ["a.test"], "feeds": ["http://a.test/feed.xml"]}
    for key in draw(st.lists(st.sampled_from(_SITE_KEYS), unique=True, min_size=1, max_size=2)):
        plausible = draw(st.sampled_from([True] * 4 + [False]))
        table[key] = draw(_PLAUSIBLE[key] if plausible else _toml_values)
    if draw(st.sampled_from([False] * 9 + [True])):
        table[draw(st.text(max_size=8))] = draw(_toml_values)
    return table


_site_names = st.one_of(
    st.sampled_from(["news", "a-b_c", "wire2"]),
    st.sampled_from(["Bad Name", "", "x" * 70, "-x"]) | st.text(max_size=8),
)
_registries = st.one_of(
    st.fixed_dictionaries(
        {"sites": st.dictionaries(_site_names, _site_tables(), min_size=1, max_size=2)}
    ),
    st.dictionaries(st.just("sites") | st.text(max_size=8), _toml_values, max_size=3),
)


@PROPERTY_SETTINGS
@given(_registries)
def test_registry_parser_raises_only_registry_error(data):
    with contextlib.suppress(RegistryError):
        parse_registry(data, source="prop.toml")


_NUMBER_KEYS = ["follow_depth", "max_age_days", "revisit_hours", "min_delay"]


@st.composite
def _sites_with_numbers(draw: st.DrawFn) -> dict[str, object]:
    table: dict[str, object] = {"domains": ["a.test"], "feeds": ["http://a.test/feed.xml"]}
    for key in draw(st.lists(st.sampled_from(_NUMBER_KEYS), unique=True, min_size=1)):
        table[key] = draw(_numbers)
    return {"sites": {"news": table}}


@PROPERTY_SETTINGS
@given(_sites_with_numbers())
def test_accepted_registry_numbers_are_usable(data):
    """What the parser accepts the spider can use: no NaN or infinite durations."""
    try:
        sites = parse_registry(data, source="prop.toml")
    except RegistryError:
        return
    for site in sites.values():
        for value in (site.max_age_days, site.revisit_hours, site.min_delay):
            assert value is None or (math.isfinite(value) and value >= 0), (site.name, value)


# --- (b) the cleaning path ----------------------------------------------------------------

_VOCABULARY = [
    "the", "harbour", "council", "voted", "on", "Tuesday", "to", "build", "bike", "lanes",
    "café", "naïve", "Straße", "ﬁnal", "e\u0301t\u00e9", "北陸新幹線", "の", "延伸", "😀",
    "don't", "3.8", "million", "dollars", "By", "Jane", "Doe", "Share", "this", "article",
    "Advertisement", "©", "2026", "Subscribe", "Read", "more:", "Related", "stories",
]  # fmt: skip
_sentences = st.lists(st.sampled_from(_VOCABULARY), min_size=3, max_size=30).map(
    lambda words: " ".join(words) + "."
)
_ENTITIES = ["&amp;", "&lt;", "&gt;", "&nbsp;", "&#x41;", "&#65;", "&#0;", "&#xD800;", "&copy",
             "&eacute;", "&bogus;", "&#1114112;", "&", "&#x200b;"]  # fmt: skip
_TAGS = [
    "<p>", "</p>", "<div>", "</div>", "<h1>", "</h1>", "<h2>", "<br>", "<article>",
    "</article>", "<main>", "<script>", "</script>", "<style>", "</style>", "<title>",
    "</title>", "<a href='/x'>", "</a>", "<ul><li>", "</li></ul>", "<table><tr><td>",
    "</td><td>", "</td></tr></table>", "<!--", "-->", "<![CDATA[", "]]>", "<figcaption>",
    "</figcaption>", "<pre>", "</pre>", "<blockquote>", "</blockquote>", "<b>", "</b>",
    "<html lang='ja'>", "<body>", "<noscript>", "<p hidden>", "<img alt='alt words here'>",
    "<meta property='og:title' content='Big news today'>", "<meta charset='utf-8'>",
    "<?xml version='1.0'?>", "<!DOCTYPE html>", "<", ">", "</", "<p class='comment'>",
    "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"x\"}",
]  # fmt: skip
_pieces = st.one_of(
    _sentences,
    st.text(max_size=20),
    st.sampled_from(_ENTITIES),
    st.sampled_from(_TAGS),
)


@st.composite
def _html_documents(draw: st.DrawFn) -> str:
    """Random markup, often around an article-like run of paragraphs (so that extraction
    has something to find and the cleaning layer runs)."""
    before = "".join(draw(st.lists(_pieces, max_size=15)))
    after = "".join(draw(st.lists(_pieces, max_size=15)))
    if not draw(st.booleans()):
        return before + after
    paragraphs = draw(st.lists(st.tuples(_sentences, st.lists(_pieces, max_size=2)), max_size=8))
    body = "".join(f"<p>{text}{''.join(junk)}</p>\n" for text, junk in paragraphs)
    return f"{before}<article><h1>A headline</h1>{body}</article>{after}"


@PROPERTY_SETTINGS
@given(_html_documents())
def test_clean_html_never_raises_and_never_adds_text(markup):
    article = clean_html(markup, "http://example.test/news/story")
    if article is None:
        return
    added = _added_words(article.articleBody, _readings(markup))
    assert not added, f"words not in the input: {added}"


@PROPERTY_SETTINGS
@given(
    st.binary(max_size=3000),
    st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=bogus"]),
)
def test_clean_html_never_raises_on_any_bytes(body, content_type):
    clean_html(body, "http://example.test/news/story", content_type=content_type)


# --- (c) the boilerplate layer ------------------------------------------------------------

_KINDS = ["p", "head", "item", "row", "quote", "code"]
_blocks = st.builds(
    Block,
    text=st.one_of(_sentences, st.text(max_size=40), st.sampled_from(_VOCABULARY)),
    kind=st.sampled_from(_KINDS),
    link_chars=st.integers(0, 200),
    joined=st.booleans(),
)


@PROPERTY_SETTINGS
@given(st.lists(_blocks, max_size=30), st.none() | _sentences | st.text(max_size=30))
def test_classify_judges_every_block(blocks, headline):
    decisions = classify(blocks, headline=headline)
    assert len(decisions) == len(blocks)
    assert all(isinstance(d.action, Action) for d in decisions)


# trafilatura's output vocabulary (and HTML tags it sometimes leaves), as clean_extracted
# receives it.
_BODY_TAGS = ["p", "head", "list", "item", "quote", "table", "row", "cell", "hi", "ref", "lb",
              "code", "graphic", "div", "li", "td", "span"]  # fmt: skip
_EMPTY_TAGS = {"lb", "graphic"}
_texts = st.none() | _sentences | st.text(max_size=25) | st.sampled_from(_VOCABULARY)


@st.composite
def _body_trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    element = etree.Element(draw(st.sampled_from(_BODY_TAGS)) if depth else "body")
    if element.tag in _EMPTY_TAGS:
        return element  # trafilatura's line breaks and images hold no text
    element.text = _xml_safe(draw(_texts))
    if depth < 4:
        for child in draw(st.lists(_body_trees(depth=depth + 1), max_size=4 if depth else 8)):
            child.tail = _xml_safe(draw(_texts))
            element.append(child)
    return element


def _xml_safe(text: str | None) -> str | None:
    """lxml refuses control characters and surrogates in element text."""
    if text is None:
        return None
    return "".join(c for c in text if c in "\t\n\r" or (c >= " " and not 0xD800 <= ord(c) < 0xE000))


@PROPERTY_SETTINGS
@given(_body_trees(), st.none() | _sentences)
def test_boilerplate_layer_never_adds_text(body, headline):
    source = "".join(body.itertext())
    result = clean_extracted(body, headline=headline)
    output = "\n".join([*result.paragraphs, *result.bylines, *result.datelines])
    added = _added_words(output, [_word_stream(source)])
    shown = etree.tostring(body, encoding="unicode")[:2000]
    assert not added, f"words not in the input: {added}; output {output!r}; input {shown}"
    assert all(p.strip() for p in result.paragraphs), "an empty paragraph"
