"""A wire story, a paper's syndicated copy of it and what becomes of the copy, for the
tests of copies across runs (synthetic text, written for these tests).

Each text is a list of paragraphs; :func:`text` joins them as a cleaned body would be.
"""

from __future__ import annotations

from pipelines.cleaning.text import text_fingerprint

WIRE_STORY = [
    "The Northfield water board voted 5 to 2 on Tuesday night to expand the Cedar Hollow "
    "reservoir, ending a dispute that had divided farmers, anglers and the town council "
    "for almost three years.",
    "The plan raises the earthen dam by four meters and floods a further 60 hectares of "
    "pasture along the upper creek. Engineers for the board say the added storage would "
    "carry the district through a dry summer like the one in 2022, when wells in the "
    "eastern subdivisions ran low for six weeks.",
    "Board chair Miriam Okafor said the vote was the hardest of her tenure. She told the "
    "packed hall that the district could not keep asking households to ration water "
    "every August while the population kept growing by two percent a year.",
    "Opponents argued that the cost, estimated at 48 million dollars, would fall mostly "
    "on ratepayers who already pay some of the highest water bills in the region. "
    "Several speakers asked the board to repair leaking mains before building anything "
    "new, pointing to an audit that found one liter in five lost before it reaches a tap.",
    "Three families who farm the land that would be flooded have not agreed to sell. "
    "The board said it would keep negotiating and would use its power of eminent domain "
    "only as a last resort, a promise the families' lawyer called hollow.",
    "The state environmental agency still has to approve the design, a review that "
    "usually takes a year. Construction would begin no earlier than the spring after "
    "next and would last about two seasons, during which the lakeside campground would "
    "close.",
    "Anglers' groups were split. The county fishing club welcomed a larger and deeper "
    "lake, while a trout conservation society warned that warmer water released from "
    "the dam could harm the brook trout that spawn below it.",
    "The board will hold two public information sessions next month, one at the "
    "Northfield library and one at the grange hall in Upper Cedar, before it asks the "
    "state for a permit.",
]

SYNDICATED_COPY = [
    "Valley readers who fish or camp at Cedar Hollow will see the lake change over the "
    "next few years, after a decision taken in Northfield this week.",
    *WIRE_STORY,
    "This story was first published by the Regional Wire Service.",
]

# The wire service corrects its story (an original revised).
CORRECTED_WIRE_STORY = [
    WIRE_STORY[0].replace("voted 5 to 2", "voted 4 to 3"),
    *WIRE_STORY[1:],
    "Correction: an earlier version of this story misstated the result of the vote.",
]

# The paper's editors touch the copy up: a new first line and a retouched sentence.
EDITED_COPY = [
    "Valley residents who fish, swim or camp at Cedar Hollow will see the lake change "
    "over the next few years, after a decision taken in Northfield this week.",
    *WIRE_STORY[:6],
    WIRE_STORY[6].replace("Anglers' groups were split.", "Local anglers' groups were split."),
    WIRE_STORY[7],
    "This story was first published by the Regional Wire Service.",
]

# The paper replaces the copy, under the same URL, with a report of its own.
LOCAL_STORY = [
    "The Valley Ledger has learned that the lakeside campground at Cedar Hollow will "
    "close for at least two summers once work on the reservoir begins, and that no "
    "replacement site has been found for the 140 pitches it offers.",
    "The campground is run by a family business under a lease from the water district. "
    "Its owner, Tomasz Brandt, said he heard about the closure from a customer rather "
    "than from the board, and that he had already taken deposits for next season.",
    "Tourism officials in Upper Cedar estimate that campers spend about 900,000 dollars "
    "a year in the village, most of it at the general store, the two diners and the "
    "marina. The owner of the general store said a two-year gap could force her to lay "
    "off seasonal staff she has employed for a decade.",
    "A spokesperson for the district said the board would discuss compensation for the "
    "lease holder in closed session and that a temporary campground on district land "
    "near the spillway was being considered, although the site floods in wet springs.",
    "Several readers wrote to the Ledger asking whether the public boat ramp would stay "
    "open. The district said the ramp would close only while the dam crest is raised, "
    "which engineers expect to take one autumn.",
    "Mr. Brandt said he would attend the information session at the grange hall and "
    "bring a petition signed by more than 600 regular campers asking the board to find "
    "a permanent replacement before construction starts.",
]

# Another paper picks the Ledger's report up.
LOCAL_STORY_COPY = [
    "From our partners at the Valley Ledger, a report on what the reservoir works mean "
    "for summer visitors.",
    *LOCAL_STORY,
]


def text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def fingerprint(paragraphs: list[str]) -> str:
    return text_fingerprint(text(paragraphs))
