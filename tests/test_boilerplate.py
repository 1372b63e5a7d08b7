import pytest

from pipelines.cleaning.boilerplate import Action, Block, classify, judge_line
from pipelines.cleaning.lines import judge_block

PROSE = (
    "The council approved the budget on Tuesday after a long debate, and the mayor said the "
    "new spending would reach schools first."
)


def reason(text: str, kind: str = "p") -> str:
    return judge_line(text, kind).reason


@pytest.mark.parametrize(
    "sentence",
    [
        "He declined to share the report with reporters.",
        "It was the most popular party in the region for a decade.",
        "Subscribers to the program said the changes came too late.",
        "By the end of the year, the company had hired 200 people.",
        "Photographs of the scene were shared widely on social media, police said.",
        "Users can sign up for the service from Monday, the company said.",
        "The privacy policy changed twice last year.",
        "He met the chairman (R/Texas) on Monday, aides said.",
        "The share of voters who use Facebook or email for news rose to 40 percent.",
        "Shares of the company fell on Facebook news, analysts said.",
        "I agree.",
        "The mayor said she was supported by most of the council.",
        "Since you're here, the officer said, you might as well see the damage.",
        "If you're looking for power, the diesel model offers 108bhp, and we feel that is enough.",
        "Pictured: the new bridge over the river, which opened on Monday",
        "Copyright lawyers said the ruling would change how songs are licensed in Europe.",
        "Officials did not respond.",
        # Short lines that begin with a share prompt's word.
        "Share prices rose 3 percent on Monday",
        "Share the road, cyclists urge drivers",
        "Share buybacks return",
        PROSE,
    ],
)
def test_real_sentences_survive(sentence):
    assert judge_line(sentence).action is Action.KEEP


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Share this article", "share"),
        ("Share on Facebook", "share"),
        ("Share via email", "share"),
        ("Follow us on Instagram and Threads", "share"),
        ("Save & Share this Article", "share"),
        ("Print & Share", "share"),
        ("Share this article: Facebook | X | Email", "share"),
        ("Facebook Twitter Email", "share"),
        ("E-mail article Print view Share: Digg Newsvine", "share"),
        ("Printer-friendly version Email-a-friend Respond", "share"),
        ("Skip to content", "share"),
        ("Sign up for our newsletter", "promo"),
        ("Advertisement", "promo"),
        ("Thanks for signing up!", "promo"),
        ("You may also like", "related"),
        ("Most popular", "related"),
        ("Read more", "related"),
        ("Hide Caption", "related"),
        ("15 of 72", "related"),
        ("Tags: politics, election", "related"),
        ("Comments (0)", "related"),
        ("Click here to download.", "share"),
        # A link to the comments, under the byline or in a box beside the story.
        ("HAVE YOUR SAY", "related"),
        ("Have your say Read comments", "related"),
        ("View all 12 comments", "related"),
        ("Article tools", "related"),
        ("Post this story to:", "share"),
        ("Mehr zum Thema", "related"),
        ("Hide Images", "related"),
        ("From the section European Football", "related"),
        ("Supported by", "promo"),
        ("Advertisement - Continue Reading Below", "promo"),
        ("I agree", "promo"),
        ("Since you’re here …", "promo"),
        ("Breaking News Emails", "promo"),
        ("Do you like this video?", "promo"),
        ("À lire aussi", "related"),
    ],
)
def test_phrase_lines(line, expected):
    assert reason(line) == expected


def test_call_to_action_sentence():
    assert reason("Get breaking news alerts delivered to your inbox every morning.") == "promo"
    assert reason("Please let us know if you have any questions by writing to us.") == "promo"


def test_paywall():
    decision = judge_line("Subscribe to continue reading.")
    assert decision.action is Action.PAYWALL


@pytest.mark.parametrize(
    "line",
    [
        "Copyright © UPI, 2021. All Rights Reserved.",
        "© 2008 The Honolulu Advertiser",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "Copyright and Trade Mark Notice",
        "The views expressed in the articles are not necessarily those of earthtimes.example "
        "and we accept no responsibility for the views or opinions expressed in the articles.",
        "Opinions expressed here do not necessarily reflect those of the Valley Times.",
    ],
)
def test_copyright(line):
    assert reason(line) == "copyright"


@pytest.mark.parametrize(
    "line",
    [
        "The resolution said such trade cannot be conducted without the permission and "
        "involvement of government officials at the highest levels.",
        "The photos were used without permission, the agency said.",
        "He copied the files without the permission of his employer.",
    ],
)
def test_a_story_s_without_permission_is_not_a_notice(line):
    assert judge_line(line).action is Action.KEEP


@pytest.mark.parametrize(
    "line",
    [
        "No part of this site may be reproduced without the prior permission of the publisher.",
        "This material may not be reproduced without permission.",
        "Redistribution, republication or broadcast is expressly prohibited without the prior "
        "written consent of AHN.",
    ],
)
def test_a_notice_forbidding_reuse_without_permission(line):
    assert reason(line) == "copyright"


def test_a_sentence_about_someones_views_is_not_a_disclaimer():
    line = "The views of the members are not necessarily those of the party, she said."
    assert judge_line(line).action is Action.KEEP


def test_copyright_mark_in_capitals_passes_the_pre_check():
    assert reason("(C) 2008 Magellan Navigation, Inc.") == "copyright"


@pytest.mark.parametrize(
    "line",
    [
        "North Korean leader Kim Jong Un walks past soldiers during a rally. (AFP/File)",
        "Photo: John Smith",
        "The president waves to supporters. Getty Images",
        "Rex Features",
        "Waves break over the sea wall during a storm last winter. (Photo: Herald archive)",
        "The restored ceiling of the theater. Photo courtesy of the Preservation Trust",
        "Courtesy of the family",
        "Leaders pose for a group photograph at the summit. (Pacific Wire/Sefo Leota)",
        "An artist's impression of the planet. (Illustration: Halden Institute)",
        "[WireImage]",
        "(Pic: DS)",
        "AP:Associated Press",
        "Editor: Lin Li",
        "Sub-editor: Jane Doe",
    ],
)
def test_credits(line):
    assert reason(line) == "credit"


def test_image_file_and_url():
    assert reason("globalhappenings news.jpg") == "file-or-url"
    assert reason("https://example.com/story/1") == "file-or-url"


@pytest.mark.parametrize(
    "line",
    [
        "By Elizabeth Shim",
        "By Jane Doe and John Roe, Reuters",
        "Por Shira Ovide",
        "Author : DPA",
        "Reporters: Jane Doe and John Roe",
        "By Daniel Okafor | 14 March 2008",
        "By Jennifer Agiesta | January 14, 2008; 4:38 PM ET | Post Polls",
        "Jane Doe, Staff Writer",
        # A masthead's credits under the story or in its footer.
        "Darren Totem, Publisher",
        "Martin Baron, executive editor",
    ],
)
def test_bylines(line):
    assert judge_line(line).action is Action.BYLINE


def test_a_sentence_about_a_publisher_is_not_a_credit():
    line = "Random House, publisher of the memoir, said it would appeal."
    assert judge_line(line).action is Action.KEEP


@pytest.mark.parametrize(
    "line",
    [
        "Reporter: Fine.",  # a transcript's line
        'Reporter: "You are in great shape and you can still do it."',
        "Editor: the report was corrected on Monday to fix a date",
        "Editors: note the embargo",
    ],
)
def test_a_label_before_a_sentence_is_not_a_credit(line):
    assert judge_line(line).action is Action.KEEP


def test_byline_needs_a_name():
    assert judge_line("By the way, nobody asked").action is Action.KEEP
    assert judge_line("By the way | nobody asked").action is Action.KEEP


@pytest.mark.parametrize(
    "line",
    [
        "Published November 23rd, 2015 - 03:45 GMT",
        "5 April 2013 Last updated at 00:30 GMT",
        "Updated: 8:49 am EST January 23, 2008",
        "2017-10-03T08:12:00Z",
        "Posted: February 08, 2009, 5:10 PM by Rita Halvorsen",
        "Posted on Tuesday 15 October 2019 at 09:11 by Bradley M. Kuhn.",
    ],
)
def test_datelines(line):
    assert judge_line(line).action is Action.DATELINE


@pytest.mark.parametrize(
    "line",
    [
        "Updated March 3, 2009 by the city council after a vote on the levy, officials said.",
        "Posted in Sony, News, PSP, Skype by Darrin Olson on January 7th, 2008",
    ],
)
def test_a_date_with_more_than_a_name_after_it_is_not_a_dateline(line):
    assert judge_line(line).action is Action.KEEP


def test_data_table_rows_are_not_datelines():
    assert judge_line("1 | 9/11/16 | NYG | 0-0", "row").action is Action.KEEP


def linked_row(cells: list[str], linked: bool) -> Block:
    text = " | ".join(cells)
    return Block(text, "row", sum(map(len, cells)) if linked else 0)


def test_a_row_of_links_is_a_menu_laid_out_as_a_table():
    menu = ["Home", "About Us", "Site Map", "Contact Us", "Classifieds", "Advertise"]
    assert judge_block(linked_row(menu, linked=True)).reason == "menu"
    # The same words without links are a table's header; linked cells with figures, data.
    assert judge_block(linked_row(menu, linked=False)).keeps
    results = ["Wigan", "3", "1", "Bolton", "Reebok Stadium", "24,021"]
    assert judge_block(linked_row(results, linked=True)).keeps


def blocks(*texts: str, kind: str = "p") -> list[Block]:
    return [Block(t, kind) for t in texts]


def kept(items: list[Block], **kwargs: str) -> list[str]:
    decisions = classify(items, **kwargs)
    return [b.text for b, d in zip(items, decisions, strict=True) if d.action is Action.KEEP]


def test_headline_repeated_on_top_is_dropped():
    items = blocks("Council approves budget", PROSE, PROSE + " More.")
    assert kept(items, headline="Council Approves Budget") == [PROSE, PROSE + " More."]


def test_adjacent_repeat_of_a_caption_is_dropped():
    caption = "The mayor speaks to reporters outside city hall"
    assert kept(blocks(caption, caption, PROSE)) == [caption, PROSE]


def test_a_pull_quote_above_its_sentence_goes_and_the_sentence_stays():
    sentence = "The crew had been told to keep the engine running until the end of the week."
    assert kept(blocks(PROSE, sentence.rstrip("."), sentence)) == [PROSE, sentence]
    # Below it, or both punctuated alike, the first is kept.
    assert kept(blocks(PROSE, sentence, sentence.rstrip("."))) == [PROSE, sentence]


def test_link_lists_are_dropped_but_not_linked_prose():
    nav = [Block("World", "item", 5), Block("Business", "item", 8)]
    linked = Block(PROSE, "p", len(PROSE))
    assert kept([linked, *nav, Block(PROSE + " Again.")]) == [PROSE, PROSE + " Again."]


def test_teaser_section_after_related_heading():
    items = [
        *blocks(PROSE),
        Block("Related stories", "head"),
        Block("Mayor unveils plan", "item"),
        Block("Schools reopen", "item"),
        *blocks(PROSE + " Later."),
    ]
    assert kept(items) == [PROSE, PROSE + " Later."]


def test_short_tail_after_last_sentence_is_dropped():
    assert kept(blocks(PROSE, PROSE + " Two.", "most popular", "World news")) == [
        PROSE,
        PROSE + " Two.",
    ]


def test_conservative_when_rules_would_remove_most_text():
    items = [Block("World", "item", 5), Block("Business", "item", 8), Block("Sport", "item", 5)]
    assert kept(items) == ["World", "Business", "Sport"]


def test_labelled_teaser_link_is_dropped_but_not_labelled_prose():
    title = "Early cold snap to bring first snow of the season to the northern plains"
    teaser = Block(f"Read more: {title}", "p", len(title))
    prose = Block("Watch: the mayor said the plan would cost more than two million dollars.")
    assert kept([*blocks(PROSE), teaser, prose, *blocks(PROSE + " Two.")]) == [
        PROSE,
        prose.text,
        PROSE + " Two.",
    ]


def test_newsletter_pitch_under_its_prompt_is_dropped():
    pitch = "Get the Pacific Wire Daily Digest free every weekday morning."
    items = blocks(PROSE, "Sign up for our newsletter", pitch, PROSE + " Two.")
    assert kept(items) == [PROSE, PROSE + " Two."]
    joined = [*blocks(PROSE, "Subscribe to our newsletter:"), Block(pitch, joined=True)]
    assert kept([*joined, *blocks(PROSE + " Two.")]) == [PROSE, PROSE + " Two."]


@pytest.mark.parametrize(
    ("prompt", "after"),
    [
        # Not a newsletter prompt.
        ("Advertisement", "The daily ferry will be free for residents from May."),
        # A pitch-like line that quotes somebody is reporting.
        ("Sign up for our newsletter", '"It is free every morning," the owner said.'),
        # Real text does not sound like a pitch.
        ("Sign up for our newsletter", "The council meets again on Monday at noon."),
    ],
)
def test_text_after_a_promo_survives(prompt, after):
    assert kept(blocks(PROSE, prompt, after, PROSE + " Two.")) == [PROSE, after, PROSE + " Two."]


def test_wire_lead_in_is_article_text():
    assert judge_line("WASHINGTON, Dec. 30 (UPI) --").action is Action.KEEP
    assert reason("The mayor speaks to reporters outside city hall. (UPI)") == "credit"


def test_link_lines_above_the_first_sentence_are_dropped():
    crumbs = Block("Home | News | Politics", "p", len("Home | News | Politics"))
    linked_lead = Block(PROSE, "p", len(PROSE))
    assert kept([crumbs, *blocks(PROSE)]) == [PROSE]
    # Below the first sentence, or in prose, links are not navigation.
    assert kept([linked_lead, *blocks(PROSE + " Two.")]) == [PROSE, PROSE + " Two."]


def _slides(total: int, count: int) -> list[Block]:
    blocks = []
    for n in range(1, count + 1):
        blocks.append(Block(f"{n}/{total} Bakery chain opens shop number {n}", "head"))
        blocks.append(Block(f"The chain said shop {n} would open in the spring with 12 staff."))
    return blocks


STORY = [
    PROSE,
    "Opposition members said the plan left too little for road repairs, and asked for a "
    "second vote before the end of the month.",
    "The mayor said the schools could not wait another year, and that the roads would be "
    "paid for from next year's budget instead.",
    "The budget now goes to the state, which has until the middle of March to approve it or "
    "send it back to the council.",
]


def test_a_gallery_set_into_the_story_is_dropped_with_its_title():
    # The story's prose around it: about 60 words before, 20 after.
    before = [*map(Block, STORY[:3]), Block("Business news in pictures", "head")]
    assert kept([*before, *_slides(4, 4), Block(STORY[3])]) == STORY


def test_a_gallery_that_is_the_story_is_kept():
    # A photo story: a line of introduction, then the slides, and nothing after them.
    intro = Block("Our photographers spent a year on the high street.")
    blocks = [intro, *_slides(4, 4)]
    assert kept(blocks) == [b.text for b in blocks]


def test_numbers_out_of_sequence_are_not_slides():
    lines = [Block(STORY[0]), Block(STORY[1]), Block(STORY[2])]
    for n in (1, 3, 5, 7):
        lines.append(Block(f"{n}/8 of the council's members voted against the plan", "head"))
        lines.append(Block(f"The vote was closer than the mayor had expected, aide {n} said."))
    lines.append(Block(STORY[3]))
    assert kept(lines) == [b.text for b in lines]


def test_a_player_run_goes_with_the_video_title_between_its_lines():
    player = blocks(
        "Video playing bottom right...",
        "Ferry returns after engine repairs",
        "Loaded: 0%",
        "Progress: 0%",
        "LIVE",
        "Font Family",
    )
    assert kept([Block(STORY[0]), *player, Block(STORY[1])]) == STORY[:2]


def test_an_old_flash_players_notice_goes():
    notice = blocks(
        "You need the latest Flash player to view video content.",
        "Click here to download.",
        "Click here to bypass this detection if you already have the latest Flash Player.",
    )
    assert kept([Block(STORY[0]), *notice, Block(STORY[1])]) == STORY[:2]


def test_player_words_alone_are_the_story_s():
    # "Background" as a section heading, "Live" as a one-word answer: no player label near.
    story = [Block(STORY[0]), Block("Background", "head"), Block(STORY[1]), Block("Live")]
    assert kept([*story, Block(STORY[2])]) == [b.text for b in story] + [STORY[2]]


COMMENTS = [
    Block("Readers' comments", "head"),
    Block("Where are the day trippers supposed to park? The shops rely on the summer trade."),
    Block("Posted by Janet on May 14, 2009 5:02 PM"),
    Block("Report this comment"),
    Block("Good. That car park has been half empty every winter for twenty years."),
    Block("Posted by Owen, Westcliff on May 14, 2009 4:47 PM"),
    Block("Report this comment"),
]


def test_an_unmarked_comment_thread_after_the_story_goes_to_the_end():
    tail = Block("Build the flats, I say, and be done with the arguing about it.")
    assert kept([*map(Block, STORY), *COMMENTS, tail]) == STORY


def test_an_unmarked_comment_thread_before_the_story_goes_to_its_last_sign_off():
    assert kept([*COMMENTS, *map(Block, STORY)]) == STORY


def test_the_commenters_are_not_the_story_s_bylines():
    decisions = classify([*map(Block, STORY), *COMMENTS])
    assert all(d.action is not Action.BYLINE for d in decisions)


def test_a_comments_link_above_the_story_does_not_take_the_story_with_the_thread():
    # "3 Comments" under the byline links to the thread; the story sits between them.
    story = [Block("3 Comments"), *map(Block, STORY)]
    unheaded = [b for b in COMMENTS if b.kind != "head"]
    assert kept([*story, *unheaded])[: len(STORY)] == STORY


def test_a_comments_heading_without_sign_offs_is_not_a_thread():
    discussion = [Block("Discussion", "head"), Block(STORY[3])]
    assert kept([*map(Block, STORY[:3]), *discussion]) == [*STORY[:3], "Discussion", STORY[3]]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Site menus flattened to a line; a fact box or a results line is the story's data.
        ("News: ePaper | Front Page | National | Tamil Nadu | Karnataka | Kerala", "menu"),
        ("Home | About Us | Copyright | Archives | Contacts | Subscription", "menu"),
        ("Born: 1980 | Height: 1.85m | Club: Leeds | Position: winger | Caps: 20", ""),
        ("Arsenal | Chelsea | Spurs", ""),
        # Share buttons on one line, desk bylines.
        ("Printer friendly page Send this article to Friends by E-Mail", "share"),
        ("Print this article | Email this article", "share"),
        ("Special Correspondent", "byline"),
        ("Our Political Editor", "byline"),
        ("Editor", ""),
        # The publication telling the reader to act; told to act by no one, or with no
        # offer, it is the story's.
        ("Search for more stories on this topic on Newstext, our archive. Click here", "promo"),
        ("WIN a plasma TV - just sign up now for our fantasy cricket game.", "promo"),
        ("Read the council report, which our reporters obtained, before the vote.", ""),
        ("To see more photos of the flood, click here.", ""),
        # Archived pages of the 2000s: bookmarking buttons, back links, datelines with the
        # site's address; a summary box's heading and a sentence with a date stay.
        ("Share this: Digg | del.icio.us | Furl | reddit | Facebook", "share"),
        # Its bars are not words, and its help link is the bar's own.
        (
            "Share this: Digg | del.icio.us | Furl | reddit | Facebook | Yahoo! | What's this?",
            "share",
        ),
        ("Yahoo said on Tuesday it would cut jobs.", ""),
        ("digg | del.icio.us", "share"),
        ("<<Back to Index", "share"),
        ("Key Stories", "related"),
        ("www.chinaview.cn 2008-01-05 12:00:00 | |", "dateline"),
        ("Key points", ""),
        ("The vote is on 5 May 2008 in Paris", ""),
    ],
)
def test_one_line_furniture_of_old_and_new_templates(line, expected):
    assert reason(line) == expected
