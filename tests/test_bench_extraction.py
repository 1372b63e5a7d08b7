"""The extraction benchmark's regression list: pages worse than raw trafilatura only by
lines the cleaning layer removes by design are told apart (no dataset needed)."""

import gzip
import json
from dataclasses import replace

from bench.extraction import (
    _DROP_FLAGS,
    REGRESSION,
    TRAFILATURA_TITLE,
    WITH_CAPTIONS,
    WITH_FURNITURE,
    DocResult,
    _run_chunk,
    declined_by_crawl,
    opens_with,
    report,
    with_furniture,
)
from bench.extractors import BASELINE, OURS
from bench.metrics import score_document
from crawler.items import Article

STORY = (
    "The county opened its first public charging hub for electric buses on Monday, a depot "
    "that can recharge twelve buses at once overnight."
)
FURNITURE = [
    "By Jane Doe",
    "Updated 22.16 Sat Jan 05 2008",
    "© Valley Ledger 2008. All rights reserved.",
]


def test_furniture_lines_of_raw_text_are_added_back_and_nothing_else():
    raw = "\n".join([FURNITURE[0], STORY, "Most read", FURNITURE[1], FURNITURE[2]])
    assert with_furniture(STORY, raw).splitlines() == [FURNITURE[0], STORY, *FURNITURE[1:]]
    assert with_furniture(STORY, STORY) == STORY


def test_the_records_headline_comes_first_unless_the_body_holds_it():
    headline = "County opens its first charging hub for electric buses"
    raw = "\n".join([headline, FURNITURE[0], STORY])
    assert with_furniture(STORY, raw, headline).splitlines() == [headline, FURNITURE[0], STORY]
    assert with_furniture(f"{headline}\n{STORY}", raw, headline).count(headline) == 1
    assert with_furniture("", "", headline) == headline
    # Without a headline, raw trafilatura's headline line is not furniture: not added.
    assert with_furniture(STORY, raw).splitlines() == [FURNITURE[0], STORY]


def test_report_tells_pages_worse_only_by_furniture_or_dropped_by_a_crawl():
    truth = "\n".join([*FURNITURE, STORY])
    ours, raw = STORY, truth
    docs = []
    cases = [
        ("by-convention", with_furniture(ours, raw), ()),
        ("lost", ours, ()),
        ("hub", ours, ("not_article",)),
        ("as-good", raw, ()),
    ]
    for doc_id, furnished, declined in cases:
        mine = raw if doc_id == "as-good" else ours
        scores = {
            BASELINE: score_document(truth, raw),
            OURS: score_document(truth, mine),
            WITH_FURNITURE: score_document(truth, furnished),
            WITH_CAPTIONS: score_document(truth, mine),
        }
        seconds = {BASELINE: 0.01, OURS: 0.01}
        docs.append(DocResult(doc_id, scores, seconds, declined=declined))
    assert docs[0].scores[OURS].f1 < docs[0].scores[BASELINE].f1 - REGRESSION
    figure = report({"set": docs}, [BASELINE, OURS])["set"]
    worse = figure["worse_than_raw"]
    assert isinstance(worse, list)
    assert [(w["id"], w["furniture_only"], w["declined"]) for w in worse] == [
        ("by-convention", True, []),
        ("lost", False, []),
        ("hub", False, ["not_article"]),
    ]
    assert figure["worse_share"] == 3 / 4
    assert figure["worse_only_by_furniture"] == 1
    assert figure["worse_declined"] == 1
    # Of the three pages a crawl emits, one is worse by its body.
    assert figure["worse_emitted_share"] == 1 / 3


def test_pages_a_crawl_drops_are_told_by_the_default_drop_flags():
    assert {"not_article", "too_short"} <= _DROP_FLAGS
    assert "paywall" not in _DROP_FLAGS  # a paywalled record is emitted, flagged
    hub = Article("https://example.test/", "News", "Teasers.", flags=["not_article", "paywall"])
    assert declined_by_crawl(hub) == ("not_article",)
    assert declined_by_crawl(replace(hub, flags=["short"])) == ()
    assert declined_by_crawl(None) == ("no text",)


def test_a_true_body_opens_with_a_headline_in_its_first_characters():
    headline = "County opens its first charging hub"
    assert opens_with(f"Transport\n{headline.upper()}!\n{STORY}", headline)
    assert not opens_with(f"{STORY * 4}\n{headline}", headline)  # not an opening
    assert not opens_with(f"{headline}\n{STORY}", "Top Classifieds")
    assert not opens_with(f"Hub\n{STORY}", "Hu")  # whole words only
    assert not opens_with(STORY, None) and not opens_with(STORY, "")


def test_report_counts_the_headlines_of_pages_whose_true_body_opens_with_one():
    score = score_document(STORY, STORY)
    scores = {BASELINE: score, OURS: score, WITH_FURNITURE: score, WITH_CAPTIONS: score}
    seconds = {BASELINE: 0.01, OURS: 0.01}
    opens = [(True, True), (True, False), (False, True), (False, False)]
    docs = [
        DocResult(str(i), scores, seconds, {OURS: ours, TRAFILATURA_TITLE: title})
        for i, (ours, title) in enumerate(opens)
    ]
    heads = report({"set": docs}, [BASELINE, OURS])["set"]["headline"]
    assert heads == {"pages": 3, OURS: 2, TRAFILATURA_TITLE: 2}


CAPTION = "Buses charge overnight at the new depot on Harbor Road, which opened on Monday."
CAPTIONED_PAGE = f"""<html><head><title>County opens its first charging hub</title></head>
<body><article><h1>County opens its first charging hub</h1>
<p>{STORY}</p>
<figure><img src="/depot.jpg" alt=""><figcaption>{CAPTION}</figcaption></figure>
<p>{STORY.replace("Monday", "Tuesday")}</p>
</article></body></html>"""


def test_the_records_captions_are_scored_after_the_body(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(CAPTIONED_PAGE.encode()))
    truth = "\n".join([STORY, CAPTION, STORY.replace("Monday", "Tuesday")])
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": truth}}))
    [doc] = _run_chunk(str(tmp_path), [("p1", "https://example.test/p1", truth)], [BASELINE, OURS])
    # The caption is not in the body but in the record's images: put back after the body,
    # all but the shingles across its edges count.
    assert doc.scores[OURS].recall < 0.8 < 0.9 < doc.scores[WITH_CAPTIONS].recall
    figure = report({"set": [doc]}, [BASELINE, OURS])["set"]
    assert figure["f1_with_captions"] == doc.scores[WITH_CAPTIONS].f1
