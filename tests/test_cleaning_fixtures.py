"""Realistic synthetic pages, one per class of cleaning failure (fixtures/pages/).

Each page is written in the style of a real CMS (WordPress, Arc, a newspaper CMS, a press
release wire) around a story written for it. ``clean_html`` must keep every sentence of
the story and none of the furniture named for its class.
"""

from pathlib import Path

import pytest

from pipelines.cleaning.clean import clean_html

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def clean(name: str):
    article = clean_html((PAGES / f"{name}.html").read_bytes(), f"https://example.test/{name}")
    assert article is not None
    return article


CASES = {
    # Precision: a related rail (headline + teaser pairs) after the body, and a newsletter
    # sign-up box inside it with its error and thank-you strings.
    "related_rail": (
        [
            "approved a six-month trial of late-night ferry crossings to Pell Island",
            "That is not a transport policy. That is a failure of one.",
            "weekend sailings could be added in May if the crew roster allows it.",
            "The pilot still needs a permit from the state maritime office",
        ],
        [
            "Get the Coastline Morning Brief",
            "in your inbox every weekday",
            "There was an error processing your subscription",
            "Thank you for subscribing",
            "More on the waterfront",
            "Terminal parking fees to rise by a dollar in June",
            "The authority says the money will pay for new lighting",
            "Two new nurses mean the clinic can stay open",
            "Ferry engine repairs finished ahead of schedule",
            "All rights reserved",
        ],
    ),
    # Precision: "write to the author", reprint offers, copyright, a staff byline.
    "reprint_author": (
        [
            "Wheat and corn futures fell for a third straight session on Tuesday",
            "Now the question is where we are going to store it all.",
            "farmers were holding back grain in the hope of a rebound after harvest.",
        ],
        [
            "Write to Caroline Beck",
            "cbeck@prairieledger.example",
            "Order reprints",
            "Reprints & permissions",
            "may not be published, broadcast",
            "Staff Writer",
            "Farm co-op votes to expand grain terminal",
            "Members approved a $12 million plan",
        ],
    ),
    # Precision: a wire service's staff credits under labels closing the story, and agency
    # credits written "short name:long name" under its photos.
    "staff_credits": (
        [
            "NINGBO, March 14 (EWS) -- A regional ferry operator has been fined",
            "two of its six lifeboats could not be lowered because their winches had rusted.",
            "Passengers were moved to two fishing boats and a coast guard cutter",
            "He declined to say when the ferry would return to service.",
        ],
        ["AP:Associated Press", "Getty Images:AFP", "Author : Eastern", "Editor: Meng"],
    ),
    # Recall: a list of quoted replies inside a layout table's cell, which trafilatura
    # leaves out of the story and readability keeps (with the post's footer after it).
    "list_in_layout_table": (
        [
            "they fell roughly into the following groups:",
            '"Thank you, this is exactly what happened to me on the Tuesday before last."',
            '"The old timetable was worse, you just never noticed',
            "What struck me was how few of the letters were about the ferries at all.",
            "I will be there, on the early boat, with the letters in a folder.",
        ],
        ["This entry was posted", "I have lived on the island", "older notes", "harbor notes"],
    ),
    # Recall: a standfirst set apart under the headline, which readability leaves out (it
    # starts at the story's paragraphs) and trafilatura keeps, with a rail after the story.
    "standfirst": (
        [
            "Workers at the Harlow paper mill have voted by a wide margin to accept a four-day",
            "The ballot, run by the union over two weeks, closed on Thursday",
            '"This is a template, not a one-off," he said.',
        ],
        ["BUSINESS", "By Daniel Okafor", "More from Business", "Family firm adds", "views"],
    ),
    # Precision: the company boilerplate and wire furniture closing a press release.
    "press_release": (
        [
            "Northwind Robotics, Inc. today opened its second assembly plant",
            "Dayton gives us the space and the skilled workforce to bring that down to weeks.",
            "Production of the first robots began in September.",
        ],
        [
            "NEWS PROVIDED BY",
            "About Northwind Robotics",
            "Founded in 2017 and headquartered in Pittsburgh",
            "Media Contact",
            "press@northwindrobotics.example",
            "SOURCE Northwind Robotics",
            "View original content",
        ],
    ),
    # Precision: a photo gallery of other stories ("1/6 Harbour cranes sold to Rotterdam",
    # caption, credit) set into the story between two of its parts.
    "inline_gallery": (
        [
            "most of the time that promise is kept.",
            "1. Check the blankets, not just the sheets",
            "should therefore sell for about $250 a night on average.",
            "4. Minibars rarely pay their way",
            "should ask for fresh ones rather than assume.",
        ],
        [
            "Business news in pictures",
            "1/6",
            "Harbour cranes sold to Rotterdam",
            "container cranes to a Dutch operator",
            "6/6",
            "valuing the firm at about $4bn",
            "Bloomberg",
        ],
    ),
    # Precision: a video player's controls and caption settings, as its markup reads
    # without scripts (video.js), and the video's title between them.
    "video_player": (
        [
            "close to collapse when a local heritage trust bought it for a nominal sum in 2024.",
            "Volunteers replaced the slate roof using stone from a quarry",
            "restore the neighbouring oil store next year.",
        ],
        [
            "Video playing bottom right",
            "re-roof the keeper's cottage",
            "Play Video",
            "Loaded",
            "Fullscreen",
            "\nMute\n",
            "\nLIVE\n",
            "Text Edge Style",
            "Font Family",
        ],
    ),
    # An old layout writes the story as loose text in a styled <div> and a related list
    # under it as headline-and-teaser rows; trafilatura returns the list, readability the
    # story.
    "loose_story_rail": (
        [
            "Owners in Europe and Australia can now download a playable demo of Harbour Circuit",
            "split-screen racing for up to four players.",
        ],
        [
            "Drift Kings demo pulled from the store",
            "Four rally classics return.",
            "Harbour Circuit delayed to the spring",
            "More time for the track editor.",
        ],
    ),
    # Precision: readers' comments in a section named by its id ("story-comments"), beside
    # the story's container; trafilatura keeps them and they account for the page's <p>s.
    "comments_by_id": (
        [
            "EXTRA late-night ferries will run between the city wharf",
            "festival wristbands will not be accepted as tickets.",
        ],
        [
            "About time. I waited an hour and a half",
            "Two extra ferries will not move 200,000 people.",
            "Posted by:",
            "We welcome your comments on this story.",
        ],
    ),
    # Precision: readers' comments in plain boxes (no "comment" in any class or id), each
    # signed off with "Posted by ... on <date>" and "Report this comment", and the links to
    # them above the story ("Have your say Read comments").
    "untagged_comments": (
        [
            "The borough council is to sell the East Beach car park to a housing association",
            "with building work to start in 2011 if permission is granted.",
        ],
        [
            "Readers' comments",
            "Where are the day trippers supposed to park?",
            "Good. That car park has been half empty every winter",
            "Posted by",
            "Report this comment",
            "Post a comment",
            "Pier reopens after storm repairs",
            "Have your say",
        ],
    ),
    # Precision: an old table layout's story tail: the paper's own offers told to the
    # reader ("Search ... Click here"), its share buttons on one line, a desk byline, and
    # the site's menus flattened to lines of links ("News: ePaper | ...").
    "flat_menus": (
        [
            "CHENNAI: The 24-km rail link between the new container terminal at Ennore",
            "rising to six once a second loading line is built inside the terminal next year.",
        ],
        [
            "Printer friendly page",
            "Send this article to Friends by E-Mail",
            "Search for more stories on this topic",
            "del.icio.us",
            "Back to Index",
            "WIN a weekend for two in Ooty",
            "Special Correspondent",
            "Front Page",
            "About Us",
            "Republication or redissemination",
        ],
    ),
    # Recall: an old newspaper template's story as "lead<p>paragraph<p>...": the lead hangs
    # off the date box and the end of a sentence off an ad box; trafilatura loses both.
    "loose_paragraphs": (
        [
            "NORTH ADAMS — The owners of the old Hoosac paper mill have agreed to sell",
            "where the mill's newer warehouse still stands and could be reused by a business",
            "The council will hold a public hearing on the plan at City Hall",
        ],
        [
            "Advertisement",
            "Thursday, February 14",
            "Council weighs riverside path grant",
            "All rights reserved",
            "E-mail",
        ],
    ),
    # Recall: paragraphs written from one template (a closure a night, a result a match)
    # hold one another's words; none of them is a container repeating the others.
    "templated_paragraphs": (
        [
            "On the night of Monday 14 October, the A38 southbound",
            "On the night of Tuesday 15 October, the A38 southbound",
            "On the night of Wednesday 16 October, the A38 southbound",
            "On the night of Thursday 17 October, the A38 northbound",
            "passengers should allow an extra ten minutes for their journeys.",
        ],
        [
            "Share this:",
            "Park and ride fares frozen for another year",
            "Harbour wall repairs to begin in November",
            "All rights reserved",
        ],
    ),
    # Precision: hover cards inside links, glued into the sentence that holds the link.
    "tooltip": (
        [
            "Council member Nadia Cruz, who sponsored the plan, said she would meet",
            "led by Ben Okafor of the Riverside Bike Coalition, filled the public gallery",
            "Mayor Alan Reyes said he supported the network",
            # A link that shows a card on hover is the card's trigger, not the card.
            "into loading zones and bike corrals.",
        ],
        [
            "Nadia CruzNadia Cruz",
            "Cruz pushes for later closing hours",
            "Okafor leads ride to mark road safety week",
            "Reyes signs budget",
        ],
    ),
    # Precision: text the page's stylesheet hides by class name (Bootstrap's "hidden" and
    # "sr-only", WordPress's "screen-reader-text", Drupal's "element-invisible"): screen
    # reader labels glued into sentences, an ad's "Continue reading" heading, an hCard's
    # squashed publication name. Responsive classes ("hidden-xs") hide on phones only.
    "hidden_classes": (
        [
            "will put a third boat on the route from June",
            "had bought the Saltire Bay, a 40-metre boat built for a Norwegian fjord service",
            "The Saltire Bay will be renamed in a ceremony at Port Calder in May",
            "publish its timetable for the third boat before the committee meets in April.",
            "under a contract that runs to 2031.",
        ],
        [
            "TheHarbourGazette",
            "opens in a new window",
            "Continue reading the main story",
            "link is external",
            "Share on Facebook",
            "Skip to content",
            "Toggle navigation",
        ],
    ),
    # Recall: a body split by an inline newsletter box and an ad, where trafilatura in fast
    # mode keeps only the first part; the continuation is recovered.
    "split_body": (
        [
            "Passenger trains will return to the Ashford valley line on June 1",
            "The service we are bringing back is faster and more reliable",
            "Journey times between Ashford and the city will fall from 52 to 41 minutes",
            "The rebuild cost $318 million, about 12 percent more than first budgeted.",
            "When it closed, they just disappeared.",
        ],
        [
            "Sign up for our weekly newsletter",
            "Advertisement",
            "Share this article",
            "Council delays vote on downtown parking",
        ],
    ),
    # Precision: what follows the story in its container (an author bio, the comment
    # rules), which readability's walk of the story's siblings takes in and trafilatura cuts.
    "story_tail": (
        [
            "Voters in Marlow Township approved a five-year levy for the public library",
            "Now we have to show them it was worth it.",
            "Turnout was higher than in any township election since 2004",
            "Sunday hours could return as early as March",
        ],
        [
            "About the author",
            "covers township government, schools and the county courts",
            "Tell us what you think",
            "The comments below are from readers",
            "We will not post reader comments",
            "Another levy. Watch how fast",
            "County runs low on road salt",
            "Powered by Movable Type",
        ],
    ),
    # Regression class: a product round-up's short product lines and link-heavy buy lines
    # are the story, not navigation.
    "listicle": (
        [
            "We boiled more than 300 liters of water over six weeks",
            "Best overall: Fellow Stagg EKG",
            "Buy it: Fellow Stagg EKG, $165 at Example Shop",
            "Best budget pick: Cosori Original Gooseneck",
            "\nOXO Brew Adjustable Temperature Kettle\n",
            "Price: $99 at Example Shop",
            "How we tested",
            "drifted over an hour of keep-warm.",
        ],
        [
            "We may earn a commission",
            "The best toasters",
            "More from Kitchen Desk",
        ],
    ),
    # JSON-LD articleBody that is only a teaser (cut with an ellipsis): a guide, not the body.
    "jsonld_teaser": (
        [
            "A carved canoe prow taken from Motu Rere more than 150 years ago",
            "Museum records show it was bought from a ship's captain in 1871",
            "Today we are taking our relative home.",
            "until a new meeting house is finished next year.",
        ],
        ["for most of the past century...", "11:00am Aug 19, 2026"],
    ),
    # A complete JSON-LD articleBody trims edge lines it does not hold (an audio player's
    # label, a sponsor note), which no phrase list knows.
    "jsonld_guide": (
        [
            "reached a tentative agreement late Sunday",
            "would lift the minimum salary for a first-year teacher to $52,400 by 2028",
            "whether the class size limits were enforced.",
        ],
        ["Listen to this story", "Voiced by artificial intelligence", "supported by a grant"],
    ),
    # A story rendered by script: the page holds only a placeholder, the declared body the
    # story; both extractors miss it, and the declared body is used.
    "jsonld_rescue": (
        [
            "A rare white humpback whale was seen off the northern cape on Saturday",
            "whose pattern of scars is unique.",
            "Everyone just went silent.",
            "despite the growth in shipping traffic in the area.",
        ],
        ["Loading story", "enable JavaScript"],
    ),
    # An old table-and-font layout with no <p> at all: trafilatura's fast path finds no main
    # text and returns every text node of the page; readability picks the template's "main"
    # menu container. trafilatura's full run finds the story.
    "table_layout_dump": (
        [
            "ASHBY FALLS \u2014 Voters in Ashby Falls on Tuesday chose to repair",
            "You do not get that back once it is gone.",
            "Highway superintendent Carl Moody said",
            "reached its deck in 1996 and again in 2005.",
        ],
        [
            "Serving the Ashby valley since 1921",
            "SECTIONS",
            "Obituaries",
            "Advertise",
            "Local news",
            "The board picked Janet Alvarez",
            "Kessler's Hardware, founded on Main Street",
            "Privacy policy",
            "All rights reserved",
        ],
    ),
    # An old blog engine (ASP.NET, nested layout tables) writes the post as a first <p> and
    # then loose text with <br>s, inside a div styled "overflow:hidden". trafilatura takes the
    # style for a hidden element and keeps only the <p>; the loose text is the story's rest.
    "hidden_overflow_post": (
        [
            "Thunder defenceman Tomas Okafor walked into the team's practice rink on crutches",
            "Winger Marcus Lindqvist has a broken finger, and Pierre Desrosiers will miss",
            "which nobody in this room enjoys.",
            "has not won in Kelso since the autumn of 2006.",
            "the third time this season Pike has made the drive north on short notice.",
        ],
        [
            "Posted: February 08, 2009",
            "Five questions before the trade deadline",
            "Comments (0)",
            "Send to a friend",
            "No comments have been posted",
            "You must be logged in to post a comment",
            "sports desk's notebook",
            "February 2009 (14)",
            "All rights reserved",
        ],
    ),
    # A pull quote shown just above the sentence it repeats, in a short story where
    # trafilatura keeps loose <div> text: the sentence stays once, the pull quote goes.
    "pull_quote": (
        [
            "\nThe crew had been told to keep the engine running until the end of the week.",
            "which the crew put out within twenty minutes.",
            "The company must also pay £12,000 in costs.",
        ],
        [
            "until the end of the week\n",
            "Email this story",
            "Ferry passengers evacuated after engine fire",
            "All rights reserved",
        ],
    ),
    # Old portal templates with several <h1>s: the site's name and a section label in the
    # masthead, box labels in the rails ("Top Classifieds", "Most E-Mailed").
    "label_headings": (
        [
            "HARLOW \u2014 Engineers found cracks in the concrete spillway",
            "The spillway needs work, and it will get it.",
            "after a flood damaged the gates at the top of the spillway.",
        ],
        [
            "Top Classifieds",
            "Night editor wanted",
            "Ice closes ferry crossing",
            "Reprints",
            "All rights reserved",
        ],
    ),
    # The story's headline in a <div>, only box labels in <h1>s.
    "label_headings_title": (
        [
            "BAYVIEW -- The pilots who guide cargo ships into Bayview harbor",
            "Nobody wants a tired pilot on the bridge of a ship that size.",
            "No sailings were delayed, the port said.",
        ],
        [
            "Top Classifieds",
            "Garage sales",
            "Comments are closed",
            "Bayview wins fourth straight",
            "All rights reserved",
        ],
    ),
    # The only <h1> is the section's name; the story's headline is an <h2>.
    "label_h1_section": (
        [
            "The Elm Street branch of the city library will close at the end of June",
            "The council said a mobile library would stop on Carr Lane twice a week from July.",
        ],
        [
            "Local News",
            "Most read",
            "Bypass closed for roadworks",
            "All rights reserved",
        ],
    ),
    # The only <h1> is a share box's prompt; the headline is a <div>.
    "share_prompt_h1": (
        [
            "The folk duo Maple & Ash have cancelled the rest of their winter tour",
            "Promoters said refunds would be available where tickets were bought.",
        ],
        ["Save & Share this Article", "del.icio.us", "All rights reserved"],
    ),
    # A short social headline declared (og:title); the page shows and titles another.
    "social_headline": (
        [
            "A third ferry will sail between the mainland and Pell Island from December",
            "That is not going to happen again.",
            "due to arrive at the mainland terminal at the end of the month for crew training.",
        ],
        [
            "Island ferry operator adds a third boat",
            "Skip to content",
            "About sharing",
            "Storms cut island off for a week",
            "is not responsible for the content of external sites",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_page(name):
    must, must_not = CASES[name]
    body = clean(name).articleBody
    for snippet in must:
        assert snippet.strip("\n") in body if snippet.startswith("\n") else snippet in body
    if any(s.startswith("\n") for s in must):
        lines = body.splitlines()
        for snippet in (s.strip("\n") for s in must if s.startswith("\n")):
            assert snippet in lines, f"{snippet!r} is not a line of its own"
    for snippet in must_not:
        assert snippet not in body, f"{snippet!r} should have been removed"


def test_short_brief_is_kept_and_flagged_short():
    article = clean("brief")
    assert "short" in article.flags
    assert "too_short" not in article.flags and "not_article" not in article.flags
    assert 40 <= article.wordCount < 100
    assert "expansion joints" in article.articleBody
    assert "Farmers market opens Saturday" not in article.articleBody


def test_hub_page_is_flagged_not_article():
    article = clean("hub")
    assert "not_article" in article.flags


def test_minimum_below_the_floor_is_too_short():
    article = clean_html(
        (PAGES / "brief.html").read_bytes(), "https://example.test/b", min_words=80
    )
    assert article is not None
    assert "too_short" in article.flags and "short" not in article.flags


def test_the_declared_body_is_not_copied_when_it_is_a_teaser():
    article = clean("jsonld_teaser")
    assert article.articleBody.count("A carved canoe prow taken from Motu Rere") == 1


def test_the_site_s_name_before_the_headline_in_the_title_is_not_the_headline():
    # <title>The Deccan Ledger : National : Rail link ...</title>, and no <h1> or og:title.
    assert clean("flat_menus").headline == "Rail link to port to be ready by March"


@pytest.mark.parametrize(
    ("name", "headline"),
    [
        ("label_headings", "Dam inspection finds cracks in Harlow spillway"),
        ("label_headings_title", "Harbor pilots agree to a new three-year contract"),
        ("label_h1_section", "Council votes to close Elm Street library branch"),
        ("share_prompt_h1", "Folk duo cancels winter tour after van crash"),
        ("social_headline", "Island ferry operator adds a third boat to the winter timetable"),
    ],
)
def test_the_headline_is_the_one_the_page_shows_as_the_story_s(name, headline):
    # No og:title and no JSON-LD: the <h1> the <title> names is the story's, and when no
    # <h1> is named, the <title> says the headline. A declared social variant gives way to
    # the headline the page shows and titles.
    article = clean(name)
    assert article.headline == headline
    assert article.articleBody.count(headline) == 0


def test_a_byline_before_a_bar_names_the_author_and_the_rest_names_no_one():
    # "By Daniel Okafor | 14 March 2008 | Business": a CMS's meta line, and no metadata.
    article = clean("standfirst")
    assert [(a.name, a.nameRaw) for a in article.authors] == [
        ("Daniel Okafor", "By Daniel Okafor | 14 March 2008 | Business")
    ]
