"""Line-level cleaning of an extracted article body.

Trafilatura finds the right region of a page but keeps page furniture inside it: the
headline and standfirst repeated on top, bylines and date lines, captions and photo
credits, share/newsletter/promo widgets, "related" teasers and copyright lines. Each
block (paragraph, heading, list item, table row) is judged on its own features (position,
length, sentence-likeness, link share, repetition, similarity to the headline) and a few
whole-line phrase patterns. Patterns match the *whole* short line, so real sentences that
merely contain the words ("He declined to share the report") survive.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

_WORD = re.compile(r"\w+")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
# Leading list/table decoration and trailing separators that carry no words.
_DECORATION = " \t|-–—•·*>»›:,;"


class Action(enum.Enum):
    KEEP = "keep"
    DROP = "drop"
    BYLINE = "byline"
    DATELINE = "dateline"
    PAYWALL = "paywall"


@dataclass
class Block:
    """One unit of the extracted body, as trafilatura structured it."""

    text: str
    kind: str = "p"  # p, head, item, row, quote, code
    link_chars: int = 0  # characters of text inside links
    joined: bool = False  # a further line of the previous block's paragraph (after a <br>)
    # Features, computed once (every block needs them, several rules read them).
    line: str = field(init=False)  # the text without decoration
    tokens: list[str] = field(init=False)  # its \w runs
    size: int = field(init=False)  # its length in words
    sentence_like: bool = field(init=False)
    # Its distinct words, lower-case, for the rules' pre-checks; empty for lines longer than
    # any single-line rule looks at.
    words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.line = bare(self.text)
        self.tokens = _WORD.findall(self.line)
        self.size = _count(self.line, len(self.tokens))
        # The raw text: bare() strips the final colon that ends an introducing sentence.
        self.sentence_like = _is_sentence(self.text.strip(), self.size)
        short = self.size <= _MAX_FURNITURE_WORDS
        self.words = frozenset(" ".join(self.tokens).lower().split()) if short else frozenset()

    @property
    def link_share(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @cached_property
    def key(self) -> str:
        """Lower-case word sequence, for comparing lines regardless of punctuation."""
        return " ".join(self.tokens).lower()


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""


KEEP = Decision(Action.KEEP)
# How far down the body a repeated headline is looked for.
_TOP_BLOCKS = 4
# How close a repeated line must follow its first occurrence to count as furniture.
_REPEAT_WINDOW = 3
# Captions are short; long repeated paragraphs are left alone.
_REPEAT_MAX_WORDS = 25
# Below this share of words kept, the context rules are not trusted for the page.
_MIN_KEPT_SHARE = 0.4


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    """Words, counting unspaced scripts (Chinese, Japanese) as about two characters a word."""
    return _count(text, len(_WORD.findall(text)))


def _count(text: str, tokens: int) -> int:
    return tokens if text.isascii() else tokens + len(_UNSPACED.findall(text)) // 2


def normalize(text: str) -> str:
    """Lower-case word sequence, for comparing lines regardless of punctuation."""
    return " ".join(words(text.lower()))


def bare(text: str) -> str:
    if "\n" in text or "\t" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(_DECORATION + "\n")


def _union(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(patterns) + r")$", re.IGNORECASE)


# --- phrase lists -------------------------------------------------------------------------
# Whole-line patterns (after stripping decoration and case), grouped by language. Every
# language is applied to every page: a whole short line in one language almost never forms
# a phrase of another, and page languages are often mislabelled.

_NETWORKS = (
    r"facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|e-?mail|print|copy link|messenger"
    r"|telegram|threads|bluesky|instagram|flipboard|tumblr"
)
_SHARE = {
    "en": [
        r"(share|tweet|email|e-mail|print|pin|save|bookmark|post)( (this|it|the))?"
        r"( (article|story|page|post|video|gallery|link|on \w+( \w+)?|via \w+|with \w+))*",
        r"(share|follow us)( (on|via))? [\w\s,&+]{0,60}",
        # A share bar flattened to one line: "Share this article: Facebook | X | Email".
        r"(share|follow us)( (this|the) (article|story|page|post|video))?( (on|via))?\s*:?\s*"
        r"(" + _NETWORKS + r")([\s,|/•·]+(" + _NETWORKS + r"))*",
        r"(facebook|twitter|linkedin|whatsapp|reddit|pinterest|email|print|copy link|x)"
        r"([\s,|/]+(facebook|twitter|linkedin|whatsapp|reddit|pinterest|email|print|copy link"
        r"|x))*",
        r"(click|tap) here( to \w+( \w+){0,6})?",
        r"save to [\w.]+",
        r"(decrease|increase|reset) (font|text)( size)?",
        r"e-?mail (this|to a friend)[\w\s]{0,20}|print(er)?[ -]?(friendly|able)?( version| page)?",
        r"text size",
        r"(back|return|go) to (top|home|homepage|the top)",
        r"skip to (main )?(content|navigation|main)",
    ],
    "de": [r"(artikel |beitrag )?(teilen|drucken|versenden)", r"auf \w+ teilen"],
    "fr": [r"(partager|imprimer|envoyer)( (cet|l') ?article| sur \w+)?"],
    "es": [r"(compartir|imprimir|enviar)( (este|el) (artículo|art[ií]culo)| en \w+)?"],
}
_PROMO = {
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
    ],
    "de": [
        r"(jetzt )?(abonnieren|anmelden|registrieren)",
        r"(anzeige|werbung)",
        r"newsletter( abonnieren| bestellen)?",
    ],
    "fr": [r"(s'abonner|abonnez-vous|inscrivez-vous)[\w\s'’-]{0,40}", r"publicit[ée]"],
    "es": [r"(suscr[ií]bete|reg[ií]strate)[\w\s'’-]{0,40}", r"publicidad"],
}
_RELATED = {
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
        r"|post a comment|show comments|view comments|join the (conversation|discussion))",
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
_PAYWALL = {
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

_SHARE_RE = _union([p for ps in _SHARE.values() for p in ps])
_PROMO_RE = _union([p for ps in _PROMO.values() for p in ps])
_RELATED_RE = _union([p for ps in _RELATED.values() for p in ps])
_PAYWALL_RE = _union([p for ps in _PAYWALL.values() for p in ps])

_CTA_RE = re.compile(
    r"\b(sign(ing)? up|subscribe|subscription|newsletters?|follow us|like us|hit 'like'"
    r"|get in touch|e-?mail us|contact us|tip ?line|download (the|our)|our app|support (us|our)"
    r"|donate|donation|become a (member|subscriber|patron)|letters? to the editor|let us know"
    r"|share your (story|thoughts|views|photos)|(your|an?) inbox|delivered (to|daily|weekly"
    r"|every|weekday)|news alerts|breaking news (alerts|emails)|free trial|(our|the) (facebook"
    r"|twitter|instagram) page|click here|(exclusive|special|partner) offers)\b",
    re.IGNORECASE,
)
_SELF_RE = re.compile(r"\b(our|us|we)\b", re.IGNORECASE)
_READER_RE = re.compile(r"\b(you|your)\b", re.IGNORECASE)
_QUOTES = re.compile(r"[\"“”«»„]|\b(said|says|told)\b")

# "Read more: <linked headline>", a teaser set inside the article's paragraphs.
_TEASER_LABEL_RE = re.compile(
    r"^(read (more|also|next|this)|see also|also read|related( (story|stories|articles?"
    r"|coverage|content))?|more( (on|about) this)?|recommended|must read|watch|listen)\s*:",
    re.IGNORECASE,
)
_MAX_TEASER_WORDS = 30
# What a newsletter widget says under its "Sign up" heading ("Get the Daily Digest free
# every weekday morning"): only read right after such a heading, never on its own.
_BLURB_RE = re.compile(
    r"\b(daily|weekly|digest|briefing|newsletters?|inbox|e-?mail|free|every (day|morning"
    r"|evening|weekday|week))\b",
    re.IGNORECASE,
)
_MAX_BLURB_WORDS = 30

# Lines that start a block of teasers: everything after them that is not prose goes too.
_SECTION_START_RE = re.compile(
    r"^(related|recommended|more (from|on|stories|news|articles)|most (popular|read|viewed)"
    r"|you (may|might) also|also on|read (more|next)|see also|trending|popular|latest (news"
    r"|stories|headlines)|top stories|in other news|editor'?s picks|what to read next"
    r"|mehr zum thema|weitere artikel|lire aussi|à lire aussi|noticias relacionadas)\b",
    re.IGNORECASE,
)

_COPYRIGHT_RE = re.compile(
    # "Copyright lawyers said ...": a notice goes on with a mark, a year or a name.
    r"^(©|\(c\)|copyright\b(?!\s+(?-i:[a-z]))|&copy;)|\ball rights reserved\b"
    r"|\btous droits réservés\b|\balle rechte vorbehalten\b|\btodos los derechos reservados\b"
    r"|\bmay not be (published|reproduced|redistributed|broadcast|rewritten)\b"
    r"|\btrade ?marks? of\b|\bnot responsible for the content\b|\bre-?printed only\b"
    r"|\bdo(es)? not necessarily (reflect|represent)\b|\bwithout (the )?(prior )?(written )?"
    r"permission\b|\b(users|use) of this (site|website)\b",
    re.IGNORECASE,
)

# Cheap pre-checks (see _judge): every match of a rule's patterns contains one of its words
# (lower-case \w runs) or, for copyright and credits, one of the marks below. Most prose
# lines share none, and a set test is far cheaper than the patterns.
_CTA_WORDS = frozenset({
    "sign", "signing", "subscribe", "subscription", "newsletter", "newsletters", "us", "hit",
    "touch", "tip", "tipline", "download", "app", "support", "donate", "donation", "become",
    "editor", "share", "inbox", "delivered", "alerts", "breaking", "trial", "facebook",
    "twitter", "instagram", "click", "offers",
})  # fmt: skip
_COPYRIGHT_WORDS = frozenset({
    "copyright", "reserved", "réservés", "vorbehalten", "reservados", "published",
    "reproduced", "redistributed", "broadcast", "rewritten", "trade", "trademark",
    "trademarks", "responsible", "printed", "reprinted", "necessarily", "permission", "site",
    "website",
})  # fmt: skip
_MAX_NOTICE_WORDS = 8
_COPYRIGHT_MARKS = ("©", "(c)", "(C)", "&copy;")
_CREDIT_WORDS = frozenset({
    "photo", "photos", "image", "images", "picture", "pictures", "pic", "pics", "photograph",
    "photographs", "illustration", "illustrations", "credit", "credits", "caption",
    "captions", "foto", "fotos", "bild", "bilds", "source", "sources", "quelle", "quelles",
    "fuente", "fuentes", "courtesy", "getty", "shutterstock", "istockphoto",
})  # fmt: skip
# Credits that stand alone ("Reuters", "[Getty]") are too short to need a pre-check.
_MAX_ALONE_CREDIT_WORDS = 6
_DIGIT = re.compile(r"\d")

_AGENCIES = (
    r"rex( features| shutterstock)?|splash( news)?|wireimage|filmmagic|backgrid|pa wire|"
    r"afp|reuters|ap|associated press|getty( images)?|epa|dpa|xinhua|file|ap photo|afp photo"
    r"|reuters photo|shutterstock|istock(photo)?|alamy|pa( images| wire)?|anadolu|upi"
    r"|bloomberg|keystone|sipa|zuma( press)?|imago"
)
# A credit may close a parenthesis opened before it: "... last winter. (Photo: Jane Doe)".
_CREDIT_END_RE = re.compile(
    r"\((" + _AGENCIES + r")( ?/ ?[\w .]+)?\)\.?$|\b(photo|image|picture|illustration|foto"
    r"|bild)( credit)?s?\s*(:|by|©)\s*[\w .,/&'’-]{2,60}\)?\.?$|\b(photo|image|picture"
    r"|illustration)s? courtesy( of)? [\w .,/&'’-]{2,60}\)?\.?$|\b(getty images|shutterstock"
    r"|istockphoto|ap photo|afp photo|reuters photo)\b[\w .,/&'’-]{0,40}\)?$",
    re.IGNORECASE,
)
# The wire-photo convention "(Agency/Photographer)" closing a caption, for agencies not in
# the list above: capitalised names on both sides of the slash ("... on Monday. (Pacific
# Wire/File)"). After a full stop only: a sentence citing "(Reuters/Ipsos)." is prose.
_CREDIT_SLASH_RE = re.compile(
    r"[.!?\"”]\s*\((?:[A-Z][\w.&'’-]*\s){0,3}[A-Z][\w.&'’-]+\s?/\s?(?:[A-Z][\w.&'’-]*\s){0,3}"
    r"[A-Z][\w.&'’-]*\)\.?$"
)
# Captions are short; a slash credit in a long paragraph is more likely a citation.
_MAX_SLASH_CREDIT_WORDS = 40
_CREDIT_ALONE_RE = re.compile(r"^(" + _AGENCIES + r")([ /,&]+(" + _AGENCIES + r"))*$", re.I)
# A source in brackets on its own line, under an image or embed: "[WireImage]", "[Instagram]".
_CREDIT_BRACKET_RE = re.compile(
    r"^[\[(](" + _AGENCIES + r"|wireimage|instagram|twitter|facebook|youtube|tiktok)"
    r"( ?/ ?[\w .]+)?[\])]$",
    re.IGNORECASE,
)
_CREDIT_START_RE = re.compile(
    r"^[\[(]?((photo|image|picture|pic|photograph|illustration|credit|caption|foto|bild|source|"
    r"quelle|fuente)s?( credit)?\s*(:|©|by\b)|courtesy of\b)",
    re.IGNORECASE,
)

_FILE_OR_URL_RE = re.compile(
    r"^([\w .-]{1,80}\.(jpe?g|png|gif|webp|svg|bmp|tiff?|mp4)|(https?://|www\.)\S+)$",
    re.IGNORECASE,
)

_BYLINE_RE = re.compile(
    r"^(by|written by|words by|story by|posted by|reporting by|von|par|por|de)\s*:?\s+"
    r"(?P<name>[^\s\d][^|]*)$",
    re.IGNORECASE,
)
_BYLINE_JOINERS = {
    "and", "und", "et", "y", "&", "de", "van", "von", "der", "da", "di", "la", "le", "on", "at",
    "in", "am", "pm", "-", "–", "—",
}  # fmt: skip

_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember"
    r"|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre"
    r"|diciembre"
)
_DATE_RE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}(t[\d:.]+(z|[+-][\d:]+)?)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"|("
    + _MONTHS
    + r")\.? \d{1,2}(st|nd|rd|th)?,? \d{4}|\d{1,2}(st|nd|rd|th)?\.? (of )?("
    + _MONTHS
    + r")\.?,? \d{4}|\d{1,2}:\d{2}( ?[ap]\.?m\.?)?|("
    + _MONTHS
    + r")\.? \d{4}"
    r"|\d+ (minutes?|hours?|days?|weeks?) ago)\b",
    re.IGNORECASE,
)
# Words a date line may carry besides the date itself.
_DATE_WORDS = re.compile(
    r"\b(published|updated|posted|last|modified|created|on|at|am|pm|a\.m|p\.m|gmt|utc|bst|est"
    r"|edt|cet|cest|pst|pdt|hkt|ist|et|pt|time|uk|date|and|by|the|today|yesterday|mon(day)?"
    r"|tue(s(day)?)?|wed(nesday)?|thu(r(s(day)?)?)?|fri(day)?|sat(urday)?|sun(day)?"
    r"|veröffentlicht|aktualisiert|am|um|uhr|publié|mis à jour|le|à|publicado|actualizado"
    r"|el|a las|de|\d+)\b",
    re.IGNORECASE,
)

# A line that reads like prose: enough words and sentence-final punctuation.
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)。！？」』]\s*$")

# The lead-in of a wire story split from its paragraph by markup ("WASHINGTON, Dec. 30
# (UPI) --"): article text, though it ends like a credit.
_WIRE_LEAD_RE = re.compile(r"\)\s*(--|—|–)\s*$")
# Above the first sentence, a line this much link text is navigation or a breadcrumb.
_HEAD_LINK_SHARE = 0.5

# --- features -----------------------------------------------------------------------------


def is_sentence_like(text: str) -> bool:
    return _is_sentence(text, word_count(text))


def _is_sentence(text: str, n: int) -> bool:
    return n >= 15 or (n >= 5 and bool(_SENTENCE_END.search(text)))


def _short(text: str, limit: int) -> bool:
    return word_count(text) <= limit


def similar(a: str, b: str) -> bool:
    """Same words in the same order, allowing one to be a slightly trimmed other."""
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    shorter, longer = sorted((na, nb), key=len)
    return len(shorter) >= 0.8 * len(longer) and shorter in longer


# --- single-line rules -------------------------------------------------------------------
# Each returns a reason when the line is furniture of that kind, else None.


def phrase_rule(line: str, n: int) -> str | None:
    if n > 14:
        return None
    for reason, pattern in (
        ("share", _SHARE_RE),
        ("promo", _PROMO_RE),
        ("related", _RELATED_RE),
    ):
        if pattern.match(line):
            return reason
    return None


def call_to_action_rule(line: str, n: int) -> str | None:
    """A sentence that asks the reader to sign up, follow, download or write in.

    One cue alone is not enough ("users can sign up from Monday" is news): it takes two
    cues, or one cue addressed to the reader from the publication ("our", "us").
    """
    if n > 50 or not _CTA_RE.search(line):
        return None
    if _QUOTES.search(line):
        return None
    cues = {m.group(0).lower() for m in _CTA_RE.finditer(line)}
    if len(cues) >= 2 or (cues and _SELF_RE.search(line) and _READER_RE.search(line)):
        return "promo"
    return None


def paywall_rule(line: str, n: int) -> str | None:
    if n <= 40 and _PAYWALL_RE.match(line):
        return "paywall"
    return None


def copyright_rule(line: str, n: int) -> str | None:
    if n <= 60 and _COPYRIGHT_RE.search(line):
        return "copyright"
    # A heading-like line opening a notice: "Copyright and Trade Mark Notice".
    if n <= _MAX_NOTICE_WORDS and line[:9].lower() == "copyright":
        return "copyright"
    return None


def credit_rule(line: str, n: int) -> str | None:
    if n > 45:
        return None
    if n <= _MAX_ALONE_CREDIT_WORDS and (
        _CREDIT_ALONE_RE.match(line) or _CREDIT_BRACKET_RE.match(line)
    ):
        return "credit"
    if _CREDIT_END_RE.search(line) or _CREDIT_START_RE.match(line):
        return "credit"
    if n <= _MAX_SLASH_CREDIT_WORDS and _CREDIT_SLASH_RE.search(line):
        return "credit"
    return None


def file_or_url_rule(line: str, n: int) -> str | None:
    return "file-or-url" if n <= 12 and _FILE_OR_URL_RE.match(line) else None


def byline_rule(line: str, n: int) -> str | None:
    """'By Jane Doe', 'By Jane Doe and John Roe, Reuters', 'Posted by: x | date'."""
    match = _BYLINE_RE.match(line) if n <= 14 else None
    if match is None:
        return None
    name = _DATE_RE.sub(" ", match.group("name"))
    tokens = [t for t in re.split(r"[\s,;/|]+", name) if t and t.lower() not in _BYLINE_JOINERS]
    if not tokens:
        return None
    # Names are capitalised; a lower-case run means a sentence ("by the way we ...").
    capitalised = sum(1 for t in tokens if t[:1].isupper() or not t[:1].isalpha())
    if capitalised >= 0.75 * len(tokens) and len(tokens) <= 8:
        return "byline"
    return None


def dateline_rule(line: str, n: int) -> str | None:
    """A short line that is a date/time and little else ('Updated 5 April 2013 10:08 GMT')."""
    if n > 16:
        return None
    if not _DIGIT.search(line) or not _DATE_RE.search(line):
        # Bare labels that stand for a date widget whose date trafilatura dropped.
        label = len(line) <= _MAX_DATE_LABEL and normalize(line) in _DATE_LABELS
        return "dateline" if label else None
    rest = _DATE_WORDS.sub(" ", _DATE_RE.sub(" ", line))
    return "dateline" if len(words(rest)) <= 1 else None


_DATE_LABELS = {"posted", "published", "updated", "last updated", "date", "modified"}
_MAX_DATE_LABEL = 16  # characters, with some punctuation around the longest label

_LINE_RULES = (
    paywall_rule,
    phrase_rule,
    call_to_action_rule,
    copyright_rule,
    credit_rule,
    file_or_url_rule,
    byline_rule,
    dateline_rule,
)
# Longer lines are prose: no single-line rule looks at them.
_MAX_FURNITURE_WORDS = 60
_ROW_RULES = (paywall_rule, phrase_rule, copyright_rule, file_or_url_rule)
_ACTIONS = {"paywall": Action.PAYWALL, "byline": Action.BYLINE, "dateline": Action.DATELINE}
_PRECHECKS: dict[Callable[[str, int], str | None], Callable[[Block], bool]] = {
    call_to_action_rule: lambda b: not _CTA_WORDS.isdisjoint(b.words),
    copyright_rule: lambda b: (
        not _COPYRIGHT_WORDS.isdisjoint(b.words) or any(m in b.line for m in _COPYRIGHT_MARKS)
    ),
    credit_rule: lambda b: (
        b.size <= _MAX_ALONE_CREDIT_WORDS
        or not _CREDIT_WORDS.isdisjoint(b.words)
        or b.line.startswith(("(", "["))
        or b.line.endswith((")", ")."))
    ),
}


def judge_line(text: str, kind: str = "p") -> Decision:
    """Verdict of the single-line rules, without any context."""
    return _judge(Block(text, kind))


def _judge(block: Block) -> Decision:
    line, n, text = block.line, block.size, block.text
    if not line or n > _MAX_FURNITURE_WORDS or _WIRE_LEAD_RE.search(text):
        return KEEP
    # A table row with several cells is data ("Born | 21 April 1980"), not a by/date line.
    rules = _ROW_RULES if block.kind == "row" and " | " in text else _LINE_RULES
    for rule in rules:
        if rule in _PRECHECKS and not _PRECHECKS[rule](block):
            continue
        reason = rule(line, n)
        if reason is not None:
            return Decision(_ACTIONS.get(reason, Action.DROP), reason)
    return KEEP


# --- context rules ------------------------------------------------------------------------


def _is_teaser(block: Block) -> bool:
    """Link lists and cards: mostly link text, or a list item / table row that is not prose."""
    if block.link_share >= 0.6:
        return True
    return block.kind in {"item", "row"} and not block.sentence_like


def classify(blocks: Sequence[Block], *, headline: str | None = None) -> list[Decision]:
    """One decision per block, in order."""
    line_decisions = [_judge(b) for b in blocks]
    _drop_repeated_top(blocks, line_decisions, headline)
    decisions = list(line_decisions)
    _drop_repeats(blocks, decisions)
    _drop_promo_blurbs(blocks, decisions)
    _drop_link_lists(blocks, decisions)
    _drop_teaser_sections(blocks, decisions)
    _trim_tail(blocks, decisions)
    _trim_head(blocks, decisions)
    # Context rules read a page as article-plus-furniture; when they would leave little of
    # it, the page is something else (a listing, a profile, a test page): be conservative.
    total = sum(b.size for b in blocks)
    kept = sum(b.size for b, d in zip(blocks, decisions, strict=True) if d is KEEP)
    if total and kept < _MIN_KEPT_SHARE * total:
        return line_decisions
    return decisions


def _drop_repeated_top(
    blocks: Sequence[Block], decisions: list[Decision], headline: str | None
) -> None:
    """The headline shown above the body is metadata, not body text.

    The description is not used: sites often fill it with the lead paragraph itself, and a
    standfirst shown twice is caught as a repeat.
    """
    if not headline:
        return
    for i, block in enumerate(blocks[:_TOP_BLOCKS]):
        if decisions[i].action is Action.KEEP and similar(block.text, headline):
            decisions[i] = Decision(Action.DROP, "headline")


def _drop_repeats(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """A line repeated right after itself: an image's alt text and caption, a standfirst
    shown above and in the body. Repeats far apart are usually deliberate (refrains)."""
    last_seen: dict[str, int] = {}
    for i, block in enumerate(blocks):
        if block.kind in {"code", "head"} or block.size > _REPEAT_MAX_WORDS:
            continue
        key = block.key
        if len(key) < 12:
            continue
        previous = last_seen.get(key)
        near = previous is not None and i - previous <= _REPEAT_WINDOW
        if near and decisions[i].action is Action.KEEP:
            decisions[i] = Decision(Action.DROP, "repeat")
        last_seen[key] = i


def _drop_promo_blurbs(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """The pitch under a newsletter/subscribe prompt, in the same widget.

    Same widget means the next line of the prompt's paragraph, or the block right under a
    prompt that is a label ("Sign up for our newsletter", no sentence); "Advertisement" is
    not a prompt. The pitch must still sound like one and not quote anybody.
    """
    for i in range(1, len(blocks)):
        block, previous = blocks[i], blocks[i - 1]
        if decisions[i - 1].reason != "promo" or decisions[i].action is not Action.KEEP:
            continue
        if not (block.joined or not previous.sentence_like) or block.size > _MAX_BLURB_WORDS:
            continue
        if not _CTA_RE.search(previous.line):
            continue
        if _BLURB_RE.search(block.line) and not _QUOTES.search(block.line):
            decisions[i] = Decision(Action.DROP, "promo")


def _drop_link_lists(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Short blocks that are nearly all link text: navigation, tag clouds, teaser links.

    Headings are spared (permalink anchors make them links), and so are long list items
    (reference lists cite with links).
    """
    for i, block in enumerate(blocks):
        if decisions[i].action is not Action.KEEP or block.kind in {"code", "head"}:
            continue
        if block.kind in {"item", "row"}:
            # Cast lists and infoboxes link most names; navigation links everything.
            link_list = block.link_share >= 0.9 and block.size <= 10
        elif block.size <= _MAX_TEASER_WORDS and _TEASER_LABEL_RE.match(block.line):
            # The label itself is not a link, and a long headline looks like a sentence.
            link_list = block.link_share >= 0.5
        else:
            link_list = block.link_share >= 0.8 and not block.sentence_like
        if link_list:
            decisions[i] = Decision(Action.DROP, "links")


def _drop_teaser_sections(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """After a 'Related'/'More from' heading, drop teasers until prose resumes."""
    in_section = False
    for i, block in enumerate(blocks):
        line = block.line
        if block.size <= 8 and _SECTION_START_RE.match(line) and not block.sentence_like:
            in_section = True
            if decisions[i].action is Action.KEEP:
                decisions[i] = Decision(Action.DROP, "related")
            continue
        if not in_section:
            continue
        if _is_teaser(block) or not block.sentence_like:
            if decisions[i].action is Action.KEEP:
                decisions[i] = Decision(Action.DROP, "related")
        else:
            in_section = False


def _trim_tail(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Short non-prose lines after the last sentence are widget leftovers."""
    if not any(b.sentence_like for b in blocks):
        return
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        if decisions[i].action is not Action.KEEP:
            continue
        if block.sentence_like or block.kind == "code":
            return
        # Data tables end with short rows too; only link rows count as widgets there.
        if block.kind == "row" and block.link_share < 0.5:
            return
        if block.size <= 8 or _is_teaser(block):
            decisions[i] = Decision(Action.DROP, "tail")
        else:
            return


def _trim_head(blocks: Sequence[Block], decisions: list[Decision]) -> None:
    """Link lines before the first sentence: breadcrumbs, section and navigation links."""
    if not any(b.sentence_like for b in blocks):
        return
    for i, block in enumerate(blocks):
        if decisions[i].action is not Action.KEEP:
            continue
        if block.sentence_like:
            return
        if block.link_share >= _HEAD_LINK_SHARE:
            decisions[i] = Decision(Action.DROP, "links")
