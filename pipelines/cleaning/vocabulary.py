"""The vocabulary of page furniture: whole-line phrase patterns and the cues around them.

Patterns match the *whole* short line (after decoration and case are stripped), so a real
sentence that merely contains the words survives. Every language is applied to every
page: a whole short line in one language almost never forms a phrase of another, and page
languages are often mislabelled. :mod:`pipelines.cleaning.lines` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _union(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(patterns) + r")$", re.IGNORECASE)


# Whole-line patterns (after stripping decoration and case), grouped by language. Every
# language is applied to every page: a whole short line in one language almost never forms
# a phrase of another, and page languages are often mislabelled.

NETWORKS = (
    r"facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|e-?mail|print|copy link|messenger"
    r"|telegram|threads|bluesky|instagram|flipboard|tumblr"
    # The social bookmarking buttons of the 2000s, on the pages archives are made of.
    r"|digg|del\.icio\.us|delicious|furl|stumbleupon|newsvine|technorati|fark|nowpublic"
    r"|myspace|mixx|slashdot|google bookmarks|yahoo!?( buzz| myweb)?"
)
# The buttons that make a line of their own a share bar ("Facebook | X | Email"); words such
# as "Threads" or "Messenger" alone are not among them.
_BUTTONS = (
    r"facebook|twitter|linkedin|whatsapp|reddit|pinterest|email|print|copy link|x|digg"
    r"|del\.icio\.us|stumbleupon|newsvine|technorati"
    # The article tools of the 2000s ("E-mail article Print view Share: Digg Newsvine"; the
    # share patterns below already read "E-mail article" and "Printer-friendly version").
    r"|print view|e-?mail[ -]a[ -]friend|respond|share:|digg this!?"
)
SHARE = {
    "en": [
        r"(share|send|tweet|email|e-mail|print|pin|save|bookmark|post)( (this|it|the))?"
        r"( (article|story|page|post|video|gallery|link|on \w+( \w+)?|via \w+|with \w+"
        r"|to (a )?friends?|by e-?mail|to))*",
        # "Share" asks only on or via something: "Share prices fell" is news.
        r"(share (on|via)|follow us( (on|via))?) [\w\s,&+]{0,60}",
        # A share bar flattened to one line: "Share this article: Facebook | X | Email".
        r"(share|follow us)( (this|the)( (article|story|page|post|video))?)?( (on|via))?\s*:?\s*"
        r"(" + NETWORKS + r")([\s,|/•·]+(" + NETWORKS + r"))*"
        # ... and the bar's own help link: "Share this: Digg | reddit | What's this?"
        r"([\s|•·]+what'?s this\??)?",
        r"(" + _BUTTONS + r")([\s,|/]+(" + _BUTTONS + r"))*",
        r"(click|tap) here( to \w+( \w+){0,6})?\.?",
        r"save to [\w.]+",
        r"(decrease|increase|reset) (font|text)( size)?",
        r"e-?mail (this|to a friend)[\w\s]{0,20}|print(er)?[ -]?(friendly|able)?( version| page)?",
        r"text size",
        r"(back|return|go) to (top|home|homepage|the top|(the )?index|(the )?main page"
        r"|(the )?list|(the )?previous page)",
        r"skip to (main )?(content|navigation|main)",
    ],
    "de": [r"(artikel |beitrag )?(teilen|drucken|versenden)", r"auf \w+ teilen"],
    "fr": [r"(partager|imprimer|envoyer)( (cet|l') ?article| sur \w+)?"],
    "es": [r"(compartir|imprimir|enviar)( (este|el) (artículo|art[ií]culo)| en \w+)?"],
}
PROMO = {
    "en": [
        r"(subscribe|sign up|register|join)( (now|today|here|for free|free))?"
        r"( (to|for) (our|the|a|email|free) [\w\s'’-]{0,50})?",
        r"(get|receive|sign up for) (our|the) [\w\s'’-]{0,40}newsletters?[\w\s'’-]{0,40}",
        r"[\w\s'’-]{0,40}newsletters?( sign ?up)?",
        r"thanks? (you )?for (signing up|subscribing|registering)[\w\s!.'’-]{0,80}",
        r"(you('re| are) (now )?(all set|subscribed|signed up))[\w\s!.'’-]{0,80}",
        r"(enter|invalid|your) (your )?e-?mail( address)?[\w\s'’-]{0,40}",
        r"(advertisement|advertising|advertisements|sponsored( content| links?)?|ad|ads"
        r"|promoted( stories| content)?|paid (post|content)|partner content|story continues"
        r"( below)?( advertisement)?|article continues below( advertisement)?)",
        r"(advertisement|sponsored)\W+(continue|story continues|article continues)( reading)?"
        r"( below| here)?|supported by",
        # Consent buttons, reader-revenue and alert widgets.
        r"i (agree|accept)|since you('|’)re here[\s.…]*|breaking news (e-?mails?|alerts?)",
        r"do you like this (video|article|story|page)\??",
        r"(download|get) (the|our) [\w\s'’-]{0,20}app[\w\s'’-]{0,40}",
        r"we use cookies[\w\s,.'’-]*",
        r"(accept|manage|reject)( all)? cookies",
        r"(cookie|privacy) (policy|settings|preferences)",
        r"(privacy policy|terms (of (use|service)|and conditions)|contact us|about us|site ?map"
        r"|rss( feeds?)?|help|feedback|advertise( with us)?|careers|jobs)"
        r"([\s|/•·]+(privacy policy|terms (of (use|service)|and conditions)|contact us|about us"
        r"|site ?map|rss( feeds?)?|help|feedback|advertise( with us)?|careers|jobs))*",
        r"log ?in|sign ?in|log ?out|register|my account",
        r"(log ?in|sign ?in|register|sign up) (to|for) [\w\s,.'’-]{0,60}",
        r"loading[\s.…]*|please wait[\s.…]*",
        # What a sign-up form says after it was used.
        r"(there was an?|an) (error|problem) (processing|submitting|with) (your|the) "
        r"(subscription|request|sign ?up|registration|form|submission)[\w\s!.,'’-]{0,60}",
        r"(something went wrong|oops)[\w\s!.,'’-]{0,60}",
        r"(please )?(enter|provide|use) a valid e-?mail( address)?[\w\s!.,'’-]{0,40}",
        r"(please )?check your (inbox|e-?mail)[\w\s!.,'’-]{0,60}",
        # Affiliate disclosures of product pages.
        r"(we|this (site|article|page|story)) (may )?(earn|receive|get)s? (a )?(small )?"
        r"(commission|compensation|share of (sales|revenue))[\w\s,.'’()-]*",
        # Reprint and licensing offers.
        r"(order|buy|purchase|request) (a )?(reprints?|copies|photo reprints?|a copy)"
        r"( of this (article|story|photo|page))?([\s|/•·]+[\w\s&'’-]{0,40})*",
        r"(for )?(reprints?|licensing)( (and|&|or) (permissions|licensing|reprints?))?"
        r"( requests?)?[\w\s,.'’:-]{0,60}",
    ],
    "de": [
        r"(jetzt )?(abonnieren|anmelden|registrieren)",
        r"(anzeige|werbung)",
        r"newsletter( abonnieren| bestellen)?",
    ],
    "fr": [r"(s'abonner|abonnez-vous|inscrivez-vous)[\w\s'’-]{0,40}", r"publicit[ée]"],
    "es": [r"(suscr[ií]bete|reg[ií]strate)[\w\s'’-]{0,40}", r"publicidad"],
}
RELATED = {
    "en": [
        r"(related|recommended|suggested|popular|trending|featured|more|latest|top)"
        r"( \w+){0,2}( (articles?|stories|news|content|coverage|links|topics|reading|videos?"
        r"|posts?|headlines|from [\w\s.'’&-]{1,40}|on [\w\s.'’&-]{1,40}|for you))?",
        r"(you (may|might) (also )?(like|enjoy|be interested in)|also on [\w\s.'’&-]{1,40}"
        r"|see also|read (more|next|also|this)|don'?t miss|most (popular|read|viewed|shared"
        r"|emailed|commented)|what to read next|further reading|in (other|related) news"
        r"|editor'?s picks?|continue reading( the main story)?|more (on|from|about) this"
        r"( story| topic)?|up next|watch( next| more)?|keep reading|read full (story|article))"
        r"[\w\s.'’&-]{0,40}",
        r"(comments?|\d+ comments?|comments? \(\d+\)|leave a (comment|reply)|add (a )?comment"
        r"|post a comment|(show|view|read) (all )?(\d+ )?comments( \(\d+\))?"
        r"|join the (conversation|discussion)|have your say( (read|view) comments)?)",
        r"(article|story) tools",
        r"key (stories|articles|links|coverage)",
        r"(hide|show|view|enlarge|expand) (captions?|images?|photos?|gallery|all)",
        r"from the section [\w\s&'’-]{1,40}",
        r"(image|photo|picture|slide|video)?s? ?\d+ (of|/) \d+",
        r"\d+ (photos|images|pictures)",
        r"(tags?|topics?|categories|category|filed under|posted in|more about|keywords)"
        r"\s*:.*",
    ],
    "de": [
        r"(mehr|weitere) (zum thema|artikel|nachrichten|aus [\w\s-]{1,30})",
        r"(das|auch) k[öo]nnte (sie|dich) interessieren",
        r"(lesen sie )?(auch|mehr)",
        r"kommentare?",
    ],
    "fr": [r"(à lire aussi|lire aussi|voir aussi|sur le même sujet|les plus lus)[\w\s'’-]{0,40}"],
    "es": [
        r"(lee|leer|ver) (también|m[áa]s)[\w\s'’-]{0,40}",
        r"(m[áa]s le[ií]d[oa]s|noticias relacionadas)",
    ],
}
PAYWALL = {
    "en": [
        r"(subscribe|sign up|register|log ?in)( now)? to (continue|keep) reading[\w\s,.'’-]*",
        r"(to (continue|keep) reading|to read (the|this) (full )?(article|story)),? "
        r"(please )?(subscribe|sign in|log ?in|register)[\w\s,.'’-]*",
        r"this (article|story|content) is (only )?(available|exclusive|reserved) (to|for)"
        r"( our)? (subscribers|members)[\w\s,.'’-]*",
        r"already (a subscriber|have an account|registered)\?[\w\s,.'’-]*",
        r"(you('ve| have) (reached|read) (your|the) (limit|maximum)|\d+ free articles?)"
        r"[\w\s,.'’-]*",
    ],
    "de": [
        r"(jetzt )?weiterlesen mit [\w\s+-]{1,40}",
        r"dieser artikel ist nur für abonnenten[\w\s.-]*",
    ],
    "fr": [r"(la suite est|cet article est) réservée? aux abonnés[\w\s.'’-]*"],
    "es": [r"(este|el) contenido es exclusivo para suscriptores[\w\s.'’-]*"],
}

# A video player's controls and caption settings, as its markup reads without scripts
# (video.js, whose labels most news players reuse, and the players built on it). These
# name nothing else...
PLAYER_LABELS = [
    r"play video|playback rate|picture-in-picture|video playing bottom right[ .…]*",
    r"(loaded|progress)\s*:\s*[\d.]+\s*%",
    r"(current|duration|remaining) time( -?\d+:\d+)?|stream type( live)?",
    r"(captions|subtitles|descriptions|chapters|audio track)( off)?, selected|default, selected",
    r"captions settings, opens captions settings dialog|text edge style|font family",
    r"this is a modal window\.?|close modal dialog|(beginning|end) of dialog window\b.*",
    r"restore all settings to the default values|seek to live, currently (behind|playing) live",
    r"minimize ?expand ?close|click here to expand to full page",
    # The Flash players of the 2000s, on the pages archives are made of.
    r"you need (the latest|a newer version of( the)?|to (install|upgrade)( to)?( the)?)"
    r"( adobe)? flash( player)?\b.*|click here to bypass this detection\b.*",
]
# ...and these do only beside one of them.
PLAYER_WORDS = [
    r"play|pause|replay|mute|unmute|(non-)?fullscreen|exit fullscreen|live|chapters|captions"
    r"|subtitles|descriptions|foreground|background|window|font size|text|done|reset|close"
    r"|video quality|need text|previous|skip|up next|now playing|[\d:]+ / [\d:]+",
]

# A readers' comment thread the page did not mark up (old blog engines, newspaper CMSs):
# a heading opens it...
COMMENT_HEADINGS = [
    r"(\d+ )?(readers?'?s?'? )?comments?( \(\d+\))?|your (say|comments)|have your say"
    r"|(read|view|show) (all )?(\d+ )?comments|(leave|post|add) a (comment|reply)"
    r"|join the (conversation|discussion)|discussion",
    r"(\d+ )?(leserkommentare|kommentare?)|(\d+ )?commentaires?|(\d+ )?comentarios?",
]
# ...and its comments sign off with lines no story has.
COMMENT_SIGNATURES = [
    r"report (this )?(comment|abuse|post)|reply|recommend( \(\d+\))?|\d+ (likes?|replies)",
    r"posted by:? .{1,60}?(\b(on|at)\b|\|).*\d{1,2}[:.]\d{2}( ?[ap]\.?m\.?)?",
    r"kommentar melden|signaler (un abus|ce commentaire)|denunciar( comentario)?",
]

# A web address or host name written as text ("www.chinaview.cn", "wjz.com").
WEB_ADDRESS_RE = re.compile(
    r"\b(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|cn|co|uk|in|au|de|fr|es|info)\b",
    re.IGNORECASE,
)

_SHARE_PATTERNS = [p for ps in SHARE.values() for p in ps]
SHARE_RE = _union(_SHARE_PATTERNS)
# A share bar's buttons flattened to one line: "Printer friendly page Send this article to
# Friends by E-Mail", "Print this article | Email this article", "Save & Share this Article".
_SHARE_ITEM = "(?:" + "|".join(_SHARE_PATTERNS) + ")"
SHARE_BAR_RE = re.compile(rf"^{_SHARE_ITEM}(?:[\s|•·/,&]+{_SHARE_ITEM})+$", re.IGNORECASE)
COMMENT_HEADING_RE = _union(COMMENT_HEADINGS)
COMMENT_SIGNATURE_RE = _union(COMMENT_SIGNATURES)
PLAYER_LABEL_RE = _union(PLAYER_LABELS)
PLAYER_WORD_RE = _union(PLAYER_WORDS)
PROMO_RE = _union([p for ps in PROMO.values() for p in ps])
RELATED_RE = _union([p for ps in RELATED.values() for p in ps])
PAYWALL_RE = _union([p for ps in PAYWALL.values() for p in ps])

CTA_RE = re.compile(
    r"\b(sign(ing)? up|subscribe|subscription|newsletters?|follow us|like us|hit 'like'"
    r"|get in touch|e-?mail us|contact us|tip ?line|download (the|our)|our app|support (us|our)"
    r"|donate|donation|become a (member|subscriber|patron)|letters? to the editor|let us know"
    r"|share your (story|thoughts|views|photos)|(your|an?) inbox|delivered (to|daily|weekly"
    r"|every|weekday)|news alerts|breaking news (alerts|emails)|free trial|(our|the) (facebook"
    r"|twitter|instagram) page|click here|(exclusive|special|partner) offers"
    r"|(every|each) (weekday|morning|evening|week))\b",
    re.IGNORECASE,
)
SELF_RE = re.compile(r"\b(our|us|we)\b", re.IGNORECASE)
READER_RE = re.compile(r"\b(you|your)\b", re.IGNORECASE)
# ...or told what to do: "Search for more stories ... Click here", "WIN a plasma TV - sign up".
IMPERATIVE_RE = re.compile(
    r"^(search|find|see|read|get|win|add|join|visit|watch|listen|browse|discover|try|enter"
    r"|check out|click|tap|sign up|subscribe|follow|download|register)\b",
    re.IGNORECASE,
)
QUOTES = re.compile(r"[\"“”«»„]|\b(said|says|told)\b")

# "Read more: <linked headline>", a teaser set inside the article's paragraphs.
TEASER_LABEL_RE = re.compile(
    r"^(read (more|also|next|this)|see also|also read|related( (story|stories|articles?"
    r"|coverage|content))?|more( (on|about) this)?|recommended|must read|watch|listen"
    r"|(lesen sie|lies) (auch|mehr)|auch interessant|mehr zum thema|(à )?lire aussi"
    r"|voir aussi|(lee|leer|ver) también|leia também|veja também|leggi anche)\s*:",
    re.IGNORECASE,
)
MAX_TEASER_WORDS = 30
# What a newsletter widget says under its "Sign up" heading ("Get the Daily Digest free
# every weekday morning"): only read right after such a heading, never on its own.
BLURB_RE = re.compile(
    r"\b(daily|weekly|digest|brief|briefing|newsletters?|inbox|e-?mail|free|every (day|morning"
    r"|evening|weekday|week)|postfach|täglich|jeden (tag|morgen|abend)|kostenlos|boîte (mail"
    r"|de réception)|chaque (jour|matin|soir|semaine)|gratuit|cada (día|mañana)|bandeja de"
    r" entrada|gratis)\b",
    re.IGNORECASE,
)
MAX_BLURB_WORDS = 30

# Lines that start a block of teasers: everything after them that is not prose goes too.
SECTION_START_RE = re.compile(
    r"^(related|recommended|more (from|on|stories|news|articles)|most (popular|read|viewed)"
    r"|you (may|might) also|also on|read (more|next)|see also|trending|popular|latest (news"
    r"|stories|headlines)|top stories|in other news|editor'?s picks|what to read next"
    r"|mehr zum thema|weitere artikel|lire aussi|à lire aussi|noticias relacionadas)\b",
    re.IGNORECASE,
)

# A slide's counter in a photo gallery: "12/50 Uber raided in Paris", "Photo 3 of 12".
SLIDE_COUNTER_RE = re.compile(
    r"^(?:(?:photo|picture|image|slide|bild|foto)s? )?(\d{1,3}) ?(?:/|of|von|de|sur) ?(\d{1,3})\b",
    re.IGNORECASE,
)

# Said twice below: what a notice forbids reuse without.
_WITHOUT_PERMISSION = r"\bwithout (the )?(express )?(prior )?(written )?(permission|consent)\b"
COPYRIGHT_RE = re.compile(
    # "Copyright lawyers said ...": a notice goes on with a mark, a year or a name.
    r"^(©|\(c\)|copyright\b(?!\s+(?-i:[a-z]))|&copy;)|\ball rights reserved\b"
    r"|\btous droits réservés\b|\balle rechte vorbehalten\b|\btodos los derechos reservados\b"
    r"|\bmay not be (published|reproduced|redistributed|broadcast|rewritten)\b"
    r"|\btrade ?marks? of\b|\bnot responsible for the content\b|\bre-?printed only\b"
    r"|\bdo(es)? not necessarily (reflect|represent)\b"
    # "The views expressed in the articles are not necessarily those of example.org"
    r"|\b(views|opinions) expressed\b[^.]{0,60}\bnot necessarily\b"
    # A notice forbids: "may not be reproduced without permission", "reproduction without
    # permission is prohibited". A story's "copied without the permission of officials" is
    # news.
    rf"|\b(may|must|can|shall) not be\b[^.]{{0,60}}{_WITHOUT_PERMISSION}"
    rf"|{_WITHOUT_PERMISSION}[^.]{{0,40}}\b(is|are) (strictly )?"
    r"(prohibited|forbidden|not permitted)\b"
    r"|\b(prior|express) written (permission|consent)\b"
    r"|\bno part of (this|these|the)\b[^.]{0,60}\bmay be (reproduced|copied|stored|transmitted)\b"
    r"|\b(users|use) of this (site|website)\b",
    re.IGNORECASE,
)

# Cheap pre-checks (see _judge): every match of a rule's patterns contains one of its words
# (lower-case \w runs) or, for copyright and credits, one of the marks below. Most prose
# lines share none, and a set test is far cheaper than the patterns.
CTA_WORDS = frozenset({
    "sign", "signing", "subscribe", "subscription", "newsletter", "newsletters", "us", "hit",
    "touch", "tip", "tipline", "download", "app", "support", "donate", "donation", "become",
    "editor", "share", "inbox", "delivered", "alerts", "breaking", "trial", "facebook",
    "twitter", "instagram", "click", "offers", "every", "each",
})  # fmt: skip
COPYRIGHT_WORDS = frozenset({
    "copyright", "reserved", "réservés", "vorbehalten", "reservados", "published",
    "reproduced", "redistributed", "broadcast", "rewritten", "trade", "trademark",
    "trademarks", "responsible", "printed", "reprinted", "necessarily", "permission", "consent",
    "site", "website",
})  # fmt: skip
MAX_NOTICE_WORDS = 8
COPYRIGHT_MARKS = ("©", "(c)", "(C)", "&copy;")
CREDIT_WORDS = frozenset({
    "photo", "photos", "image", "images", "picture", "pictures", "pic", "pics", "photograph",
    "photographs", "illustration", "illustrations", "credit", "credits", "caption",
    "captions", "foto", "fotos", "bild", "bilds", "source", "sources", "quelle", "quelles",
    "fuente", "fuentes", "courtesy", "getty", "shutterstock", "istockphoto",
})  # fmt: skip
# Credits that stand alone ("Reuters", "[Getty]") are too short to need a pre-check.
MAX_ALONE_CREDIT_WORDS = 6
DIGIT = re.compile(r"\d")

AGENCIES = (
    r"rex( features| shutterstock)?|splash( news)?|wireimage|filmmagic|backgrid|pa wire|"
    r"afp|reuters|ap|associated press|getty( images)?|epa|dpa|xinhua|file|ap photo|afp photo"
    r"|reuters photo|shutterstock|istock(photo)?|alamy|pa( images| wire)?|anadolu|upi"
    r"|bloomberg|keystone|sipa|zuma( press)?|imago"
)
# A credit may close a parenthesis opened before it: "... last winter. (Photo: Jane Doe)".
CREDIT_END_RE = re.compile(
    r"\((" + AGENCIES + r")( ?/ ?[\w .]+)?\)\.?$|\b(photo|image|picture|illustration|foto"
    r"|bild)( credit)?s?\s*(:|by|©)\s*[\w .,/&'’-]{2,60}\)?\.?$|\b(photo|image|picture"
    r"|illustration)s? courtesy( of)? [\w .,/&'’-]{2,60}\)?\.?$|\b(getty images|shutterstock"
    r"|istockphoto|ap photo|afp photo|reuters photo)\b[\w .,/&'’-]{0,40}\)?$",
    re.IGNORECASE,
)
# The wire-photo convention "(Agency/Photographer)" closing a caption, for agencies not in
# the list above: capitalised names on both sides of the slash ("... on Monday. (Pacific
# Wire/File)"). After a full stop only: a sentence citing "(Reuters/Ipsos)." is prose.
CREDIT_SLASH_RE = re.compile(
    r"[.!?\"”]\s*\((?:[A-Z][\w.&'’-]*\s){0,3}[A-Z][\w.&'’-]+\s?/\s?(?:[A-Z][\w.&'’-]*\s){0,3}"
    r"[A-Z][\w.&'’-]*\)\.?$"
)
# Captions are short; a slash credit in a long paragraph is more likely a citation.
MAX_SLASH_CREDIT_WORDS = 40
CREDIT_ALONE_RE = re.compile(r"^(" + AGENCIES + r")([ /,&:]+(" + AGENCIES + r"))*$", re.I)
# A source in brackets on its own line, under an image or embed: "[WireImage]", "[Instagram]".
CREDIT_BRACKET_RE = re.compile(
    r"^[\[(](" + AGENCIES + r"|wireimage|instagram|twitter|facebook|youtube|tiktok)"
    r"( ?/ ?[\w .]+)?[\])]$",
    re.IGNORECASE,
)
CREDIT_START_RE = re.compile(
    r"^[\[(]?((photo|image|picture|pic|photograph|illustration|credit|caption|foto|bild|source|"
    r"quelle|fuente)s?( credit)?\s*(:|©|by\b)|courtesy of\b)",
    re.IGNORECASE,
)

FILE_OR_URL_RE = re.compile(
    r"^([\w .-]{1,80}\.(jpe?g|png|gif|webp|svg|bmp|tiff?|mp4)|(https?://|www\.)\S+)$",
    re.IGNORECASE,
)

# "Jane Doe, Staff Writer", "Jane Doe | Reuters": a name and a role, the byline of many CMSs.
ROLE_BYLINE_RE = re.compile(
    r"^(?P<name>[A-Z][\w'’.-]+( (?:[A-Z][\w'’.-]+|van|von|de|da|del|di|la|le)){1,4})\s*"
    r"[,|–—-]\s*((senior |chief |staff |contributing |special |executive |managing |deputy "
    r"|associate |assistant )?(staff|writer|reporter|correspondent|editor|contributor|"
    r"columnist|photographer|publisher)( \w+)?|special to [\w .]+|"
    r"for [A-Z][\w .]+|(the )?associated press|reuters|afp|bloomberg|ap)$",
    re.IGNORECASE,
)
# A staff credit under a label: "Author : DPA", "Editor: Lin Li" (wire and state-media
# templates close the story with them). An author's label makes it a byline. A name ends
# in no sentence's punctuation: "Reporter: Fine." is a transcript's line.
LABELLED_CREDIT_RE = re.compile(
    r"^(?P<label>(sub-?)?editors?|edit(ed|ing) by|produced by|(?P<author>authors?|writers?"
    r"|reporters?))\s*:\s*(?P<name>\S.*?)(?<![.!?\"”’'])$",
    re.IGNORECASE,
)
# A byline that names a desk, not a person: "Special Correspondent", "Our Political Editor".
ROLE_ONLY_RE = re.compile(
    r"^(our |by (our |a )?)?((special|staff|senior|chief|deputy|political|city|foreign|sports?"
    r"|business|health|education|legal|diplomatic|science|technology|environment|crime|court"
    r"|transport|economics|industry|home affairs|investigations|local government) )+"
    r"(correspondent|reporter|writer|editor)s?$",
    re.IGNORECASE,
)
# The lines a wire service adds around a press release, and "write to the author" lines.
WIRE_RE = re.compile(
    r"^(news provided by\b|view original content\b|(press|media|investor) (contacts?|"
    r"inquiries|enquiries|relations)\s*:|contacts?\s*:\s*\S)",
    re.IGNORECASE,
)
WIRE_SOURCE_RE = re.compile(r"^SOURCE [A-Z]")
WRITE_TO_RE = re.compile(
    r"^((you can )?(write|e-?mail|contact|reach|follow)( to)? (the (author|reporter|writer)|"
    r"[A-Z][\w'’.-]+( [A-Z][\w'’.-]+){0,3}|him|her|them)( at| on| via)?|send (tips|news tips|"
    r"story ideas) to)\b.*(@|\bat\b)",
    re.IGNORECASE,
)
# The heading of the boilerplate closing a press release or a guest column, and what the
# boilerplate under it says.
ABOUT_RE = re.compile(r"^about (the authors?|us|[A-Z0-9][\w.,&'’-]*( [\w.,&'’-]+){0,6})$", re.I)
ABOUT_CUES_RE = re.compile(
    r"\b(founded|headquartered|based in|is a (leading|global|provider|world)|for more information"
    r"|visit (us at |our website )?(www\.|https?://)|(nyse|nasdaq|lse|tsx)\s*:|serves more than"
    r"|employs|subsidiary of|is an? (award-winning|independent|nonprofit|non-profit) "
    r"|writes about|is a (reporter|writer|journalist|columnist|correspondent|contributor))",
    re.IGNORECASE,
)
WIRE_WORDS = frozenset({"news", "view", "press", "media", "investor", "contact", "contacts"})
BYLINE_RE = re.compile(
    r"^(by|written by|words by|story by|posted by|reporting by|von|par|por|de)\s*:?\s+"
    r"(?P<name>[^\s\d][^|]*)$",
    re.IGNORECASE,
)
BYLINE_JOINERS = {
    "and", "und", "et", "y", "&", "de", "van", "von", "der", "da", "di", "la", "le", "on", "at",
    "in", "am", "pm", "-", "–", "—",
}  # fmt: skip

_ENGLISH_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?"
)
# Other languages' month names and relative dates ("vor 2 Stunden", "il y a 3 heures",
# "hace 2 horas", "2 ore fa") come from dateparser's locale data, the library that then
# reads the date (crawler.discovery.date_words.parse_date_words): what is recognised as a date
# line here is what can be read there.
_LOCALES = ("de", "fr", "es", "pt", "it")
_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip


def _locale_vocabulary() -> tuple[str, str]:
    """Month names (3+ letters) and relative-date patterns of the locales, as alternations."""
    from dateparser.data.date_translation_data import de, es, fr, it, pt

    months: set[str] = set()
    relative: set[str] = set()
    number = r"(\d++[.,]?\d*+)"  # how dateparser's patterns write the count
    for module in (de, fr, es, pt, it):
        info = module.info
        for key in _MONTH_KEYS:
            months.update(m.lower() for m in info[key] if len(m) >= 3 and m.isalpha())
        for key, patterns in info["relative-type-regex"].items():
            if key.endswith("ago"):  # "\\1 hour ago", not "in \\1 hours"
                for pattern in patterns:
                    pieces = [re.escape(piece) for piece in pattern.split(number)]
                    if len(pieces) == 2 and "\\" not in pattern.replace(number, ""):
                        relative.add(r"\d+".join(pieces))
    ordered = sorted(months, key=lambda m: (-len(m), m))  # longest first: "juin" before "jun"
    return "|".join(re.escape(m) for m in ordered), "|".join(sorted(relative, key=len)[::-1])


_LOCALE_MONTHS, _LOCALE_RELATIVE = _locale_vocabulary()
MONTHS = _ENGLISH_MONTHS + "|" + _LOCALE_MONTHS
DATE_RE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}(t[\d:.]+(z|[+-][\d:]+)?)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"|("
    + MONTHS
    + r")\.? \d{1,2}(st|nd|rd|th)?,? \d{4}|\d{1,2}(st|nd|rd|th|º|er)?\.? (of |de |del )?("
    + MONTHS
    + r")\.?,?( de| del)? \d{4}|\d{1,2}[:h]\d{2}( ?[ap]\.?m\.?)?|("
    + MONTHS
    + r")\.? \d{4}"
    r"|\d+ (minutes?|hours?|days?|weeks?) ago|" + _LOCALE_RELATIVE + r")\b",
    re.IGNORECASE,
)
# Words a date line may carry besides the date itself.
DATE_WORDS = re.compile(
    r"\b(published|updated|posted|last|modified|created|on|at|am|pm|a\.m|p\.m|gmt|utc|bst|est"
    r"|edt|cet|cest|pst|pdt|hkt|ist|et|pt|time|uk|date|and|by|the|today|yesterday|mon(day)?"
    r"|tue(s(day)?)?|wed(nesday)?|thu(r(s(day)?)?)?|fri(day)?|sat(urday)?|sun(day)?"
    r"|veröffentlicht|aktualisiert|zuletzt|stand|am|um|uhr|mez|mesz|gestern|heute"
    r"|publié|mis à jour|modifié|le|à|hier|aujourd'hui|publicado|actualizado|el|a las|ayer"
    r"|hoy|atualizado|às|em|ontem|hoje|pubblicato|aggiornato|il|alle|ieri|oggi|de|\d+)\b",
    re.IGNORECASE,
)

# A line that reads like prose: enough words and sentence-final punctuation.
SENTENCE_END = re.compile(r"[.!?…:;\"”’»)。！？」』]\s*$")

# The lead-in of a wire story split from its paragraph by markup ("WASHINGTON, Dec. 30
# (UPI) --"): article text, though it ends like a credit.
WIRE_LEAD_RE = re.compile(r"\)\s*(--|—|–)\s*$")
# Above the first sentence, a line this much link text is navigation or a breadcrumb.
HEAD_LINK_SHARE = 0.5
