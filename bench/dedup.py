"""Near-duplicate detection benchmark: quality and per-document cost of the real SQLiteStore.

``python -m bench.dedup [--sizes 10000,100000,1000000] [--json FILE] [--store-dir DIR]``

1. A deterministic synthetic news corpus: originals of 300-1500 words built from sentence
   templates and Zipf-weighted word lists (each article with its own cast and topic words),
   each paired with one variant: an exact copy, a light edit (new intro paragraph, a few
   words changed, a paragraph added or removed, a wire dateline and credit line), a heavy
   edit (rewrite, truncation, restructuring) or an unrelated article (half of them on the
   same topic). The true Jaccard of every pair is computed with the index's own shingling.
2. Quality: originals, then variants, go through ``SQLiteStore.register``. Recall is the share
   of pairs with true Jaccard >= threshold whose variant is called a duplicate of its
   original; the false-positive rate is the share of texts unrelated to everything stored
   (the originals and the unrelated variants) that are called a duplicate of anything.
3. Cost: stores pre-filled with N synthetic documents (random signatures) through
   ``SQLiteStore.bulk_load``, the last ``--steady-docs`` of them (by default the store's
   ``sweep_docs``: one full sweep) through ``SQLiteStore.commit`` in batches, and half a
   middle-tier round before those into the middle tier, so the recent and middle tiers of
   the band index hold what they hold in a store that grew by commits; then a register of
   each of ``--timed`` new documents and of their near duplicates is timed, and the file
   size is divided by the documents stored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from itertools import accumulate, islice, pairwise
from pathlib import Path
from typing import Any

from pipelines.cleaning.text import text_fingerprint
from pipelines.state.neardup import NearDupConfig, NearDupIndex
from pipelines.state.sqlite_store import MIDDLE_FANOUT, SQLiteStore
from pipelines.state.store import Candidate, Registration, Verdict

# --- word lists -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_NOUNS = _words("""government council minister election budget report police court company market
price worker school hospital patient storm flood road bridge plan vote law tax energy oil gas
power water village city port harbor ship railway train airport flight bank loan rate inflation
wage strike union protest crowd army soldier border deal agreement treaty summit leader party
campaign candidate poll survey study scientist researcher virus vaccine drug doctor teacher
student university farmer crop harvest drought fire forest river coast island mine factory
plant job pension housing rent home family child victim suspect investigation trial judge
lawyer prison charge fine official spokesman statement decision proposal measure reform
program project contract investor share profit loss revenue growth economy export import
tariff supply demand shortage crisis debt deficit fund grant subsidy license permit safety
risk threat attack security network system data record service customer passenger driver
vehicle car fleet license station center district region province state country nation
capital parliament committee board agency authority regulator minister mayor governor
president chairman director manager executive analyst expert resident community neighbor
audience player team coach match season league title goal tournament festival museum
artist film book album concert stage award prize ceremony weather temperature rainfall
wind heat snow ice earthquake quake eruption evacuation rescue shelter aid donation""")

_VERBS = [
    (v, v + "d" if v.endswith("e") else v[:-1] + "ied" if v.endswith("y") else v + "ed")
    for v in _words("""approve reject announce launch delay block back criticize defend review
release extend close open sign cancel confirm deny warn expect estimate report expand reduce
suspend restore investigate question arrest charge fund hire plan propose oppose support
demand urge promise vote debate discuss consider accept refuse require allow ban limit
challenge appeal dismiss overturn uphold complete finish start resume halt postpone schedule
raise lower boost cut target attract invest visit return remain reach receive produce
deliver repair replace upgrade monitor track count measure test treat vaccinate evacuate
rescue protect threaten damage destroy flood burn collapse recover improve worsen""")
]

_ADJECTIVES = _words("""new former local national regional major senior key early late public
private foreign economic political financial military annual recent controversial proposed emergency
independent official large small high low strong weak rising falling growing global central
northern southern eastern western coastal rural urban industrial digital legal medical
environmental social cultural historic final initial temporary permanent critical serious
significant modest sharp steady quarterly monthly weekly daily interim joint special
additional previous current future existing long short""")

_FIRST = _words("""Maria James Amina Chen Olga Rahul Fatima Lucas Sofia Kwame Elena Hiroshi Aisha
Pedro Ingrid Tomasz Leila Samuel Nadia Marco Yuki Grace Omar Anna David Priya Mateo Zanele
Erik Hana Carlos Ruth Ivan Mei Daniel Laura Kofi Sara Ahmed Julia Victor Ana Peter Rosa""")

_LAST = _words("""Okafor Lindqvist Moreau Tanaka Kowalski Haddad Fernandes Novak Mensah Petrov
Schmidt Rossi Nakamura Osei Silva Johansson Dubois Kapoor Alvarez Weber Mwangi Costa Murphy
Ibrahim Larsen Varga Santos Kim Nguyen Horvat Becker Andersen Reyes Popescu Walsh Yilmaz
Castillo Eriksen Abdi Marsh""")

_PLACES = _words("""Lisbon Nairobi Osaka Lyon Gdansk Beirut Porto Accra Tallinn Valencia Hamburg
Mumbai Cordoba Leeds Tampere Izmir Dakar Cebu Kraków Bergen Genoa Quito Durban Hanoi Riga
Malmo Perth Toledo Calgary Aarhus Split Nantes Bilbao Kumasi Pune Sapporo Graz Brno Cork
Ghent""")

_ORGS = [
    "the finance ministry",
    "the central bank",
    "the health ministry",
    "the city council",
    "the transport authority",
    "the energy regulator",
    "the national statistics office",
    "the opposition party",
    "the ruling coalition",
    "the teachers union",
    "the chamber of commerce",
    "the supreme court",
    "the port authority",
    "the weather service",
    "the electoral commission",
    "the competition authority",
    "the housing agency",
    "the water utility",
    "the football federation",
    "the environment agency",
]

_DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_AGENCIES = ["Reuters", "AP", "AFP", "dpa", "ANSA", "EFE"]

# Slots: P person, S surname of the cast, L place, O organisation, N noun, A adjective,
# V verb (base), W verb (past), D day, K number. Plurals are naive; shingles do not care.
_TEMPLATES = [
    "{P} said on {D} that the {A} {N} would {V} the {N} in {L}.",
    "The {N} in {L} {W} {K} {N}s last year, according to {O}.",
    '"We {W} the {N} and we will {V} it again," {S} told reporters.',
    "Officials in {L} {W} the {A} {N} after the {N} {W} on {D}.",
    "{O} {W} the {N} on {D}, saying the {A} {N} had {W} the {N}.",
    "The {A} {N} is expected to {V} about {K} {N}s by the end of the year.",
    "Critics said the {N} would {V} the {N} and {V} {A} {N}s.",
    "{S} declined to comment on the {N}, but {O} {W} the {A} {N}.",
    "According to the {N}, {K} percent of {N}s in {L} {W} the {N}.",
    "The {N} comes as {O} faces {A} {N} over the {N}.",
    "In a statement, {O} said it would {V} the {N} and {V} the {A} {N}.",
    "{P}, a {A} {N} at {O}, said the {N} had {W} {A} {N}s.",
    "The {N} was first {W} in {L} in {K}, when the {N} {W} the {N}.",
    "Residents of {L} {W} the {N}, which they said would {V} the {N}.",
    "It was not immediately clear whether the {N} would {V} the {N}.",
    "The {A} {N} {W} {K} percent in the third quarter, the {N} said.",
    "{S} {W} the {N} as {A}, adding that the {N} must {V} the {N}.",
    "Talks between {O} and the {N} are due to {V} on {D} in {L}.",
    "The {N} has {W} {A} {N}s across {L} and {L} since the {N}.",
    "Last {D}, the {N} {W} a {A} {N} to {V} the {N}.",
    '"This {N} is {A} for the {N}," said {P}, who {W} the {N} in {L}.',
    "Analysts at {O} expect the {N} to {V} the {A} {N} this year.",
    "The {N} follows a {A} {N} in {L}, where {K} {N}s were {W}.",
    "Under the {N}, {N}s would {V} a {A} {N} of {K} {N}s.",
    "{O} did not respond to a request for comment on the {N}.",
    "The {A} {N} will {V} the {N} for {N}s in {L} and {L}.",
    "Police said {K} {N}s had been {W} near the {N} in {L}.",
    "The {N} {W} after {P} {W} the {A} {N} on {D}.",
    "Supporters say the {N} will {V} {A} {N}s, while opponents {V} it.",
    "{P} is due to {V} the {N} when {O} meets on {D}.",
    "The {N} and the {N} {W} to {V} the {A} {N} by {K}.",
    "Figures from {O} showed the {N} {W} for a {A} month.",
    "Earlier this month, {P} {W} plans to {V} {K} {A} {N}s.",
    "Some {N}s in {L} have already {W} their {N}, local media reported.",
    "A spokesperson for {O} said the {N} was {A} and would not {V} {N}s.",
    "{S}, who has {W} the {N} since {K}, is seen as a {A} {N}.",
    'Asked about the {N}, {S} said: "We will {V} what the {N} needs."',
    "Despite the {N}, {N}s in {L} continued to {V} the {A} {N}.",
    "The {N} of the {N} remains {A}, {O} warned in a report.",
    "Shares in the {N} {W} {K} percent after the {N} was {W}.",
    "Several {A} {N}s {W} outside the {N} in {L} on {D} evening.",
    "The {A} {N}, which {W} in {L}, has {W} {N}s from {L}.",
    "Neither {O} nor {P} would say when the {N} might {V}.",
    "{O} is set to {V} its {A} {N} next week, {N}s said.",
    "By {D}, about {K} {N}s had {W} the {N}, officials said.",
    "The {N} is the {A} since {K}, when {N}s in {L} {W} a {N}.",
    '"It is a {A} day for {L}," {S} said after the {N} {W}.',
    "If the {N} goes ahead, {N}s could {V} the {A} {N} within {K} days.",
]

_SLOT = re.compile(r"\{(\w)\}")


class _Zipf:
    """Draws words with Zipf-like weights (rank r weighs 1 / r**1.07).

    Common words are ranked ahead of the rare tail, each group shuffled per seed.
    """

    def __init__(self, common: Sequence[str], rare: Sequence[str], rng: random.Random) -> None:
        head, tail = list(common), list(rare)
        rng.shuffle(head)
        rng.shuffle(tail)
        self.words = head + tail
        self.cum = list(accumulate(1.0 / (rank + 1) ** 1.07 for rank in range(len(self.words))))

    def draw(self, rng: random.Random) -> str:
        return self.words[bisect_left(self.cum, rng.random() * self.cum[-1])]


def _rare_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable invented words: the long tail real news vocabularies have."""
    onsets = _words("b c d f g h k l m n p r s t v z br tr st pl gr ch sh")
    vowels = _words("a e i o u ai ou ea")
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.randint(2, 4)
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words)


@dataclass
class _Cast:
    """Who and what one story is about: reused so articles are bursty, like real ones."""

    people: list[tuple[str, str]]
    places: list[str]
    orgs: list[str]
    topic: list[str]


class NewsWriter:
    """Deterministic news-like prose; one writer per corpus."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.nouns = _Zipf(_NOUNS, _rare_words(rng, 3000), rng)
        self.adjectives = _Zipf(_ADJECTIVES, _rare_words(rng, 800), rng)
        self.verbs = _Zipf([base for base, _ in _VERBS], [], rng)
        self.past = dict(_VERBS)

    def cast(self, rng: random.Random, topic_of: _Cast | None = None) -> _Cast:
        people = [(rng.choice(_FIRST), rng.choice(_LAST)) for _ in range(rng.randint(2, 4))]
        if topic_of is not None:  # another story on the same subject
            return _Cast(people, topic_of.places, topic_of.orgs, topic_of.topic)
        places = rng.sample(_PLACES, rng.randint(1, 3))
        orgs = rng.sample(_ORGS, rng.randint(1, 3))
        topic = [self.nouns.draw(rng) for _ in range(12)]
        return _Cast(people, places, orgs, topic)

    def sentence(self, rng: random.Random, cast: _Cast) -> str:
        def fill(match: re.Match[str]) -> str:
            slot = match.group(1)
            if slot == "P":
                first, last = rng.choice(cast.people)
                return f"{first} {last}"
            if slot == "S":
                return rng.choice(cast.people)[1]
            if slot == "L":
                return rng.choice(cast.places)
            if slot == "O":
                return rng.choice(cast.orgs)
            if slot == "N":
                return rng.choice(cast.topic) if rng.random() < 0.4 else self.nouns.draw(rng)
            if slot == "A":
                return self.adjectives.draw(rng)
            if slot in "VW":
                base = self.verbs.draw(rng)
                return base if slot == "V" else self.past[base]
            if slot == "D":
                return rng.choice(_DAYS)
            return str(rng.choice([rng.randint(2, 99), rng.randint(100, 9999)]))

        text = _SLOT.sub(fill, rng.choice(_TEMPLATES))
        return text[0].upper() + text[1:]

    def paragraph(self, rng: random.Random, cast: _Cast) -> list[str]:
        return [self.sentence(rng, cast) for _ in range(rng.randint(2, 5))]

    def article(self, rng: random.Random, cast: _Cast) -> list[list[str]]:
        target = rng.randint(300, 1500)
        paragraphs: list[list[str]] = []
        words = 0
        while words < target:
            paragraph = self.paragraph(rng, cast)
            paragraphs.append(paragraph)
            words += sum(len(s.split()) for s in paragraph)
        return paragraphs

    def word(self, rng: random.Random) -> str:
        return self.nouns.draw(rng) if rng.random() < 0.7 else self.adjectives.draw(rng)


Article = list[list[str]]  # paragraphs of sentences


def render(article: Article) -> str:
    return "\n\n".join(" ".join(paragraph) for paragraph in article)


def _copy(article: Article) -> Article:
    return [list(paragraph) for paragraph in article]


# --- edits: (writer, rng, cast, article) -> edited copy -----------------------------------

Edit = Callable[[NewsWriter, random.Random, _Cast, Article], Article]


def _new_intro(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    edited = _copy(article)
    edited[0] = writer.paragraph(rng, cast)
    return edited


def _words_changed(
    writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article
) -> Article:
    edited = _copy(article)
    for _ in range(rng.randint(3, 12)):
        paragraph = rng.choice(edited)
        index = rng.randrange(len(paragraph))
        words = paragraph[index].split()
        words[rng.randrange(len(words))] = writer.word(rng)
        paragraph[index] = " ".join(words)
    return edited


def _paragraph_added(
    writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article
) -> Article:
    edited = _copy(article)
    edited.insert(rng.randint(1, len(edited)), writer.paragraph(rng, cast))
    return edited


def _paragraph_removed(
    writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article
) -> Article:
    edited = _copy(article)
    if len(edited) > 2:
        del edited[rng.randrange(1, len(edited))]
    return edited


def _wire_credits(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    edited = _words_changed(writer, rng, cast, article) if rng.random() < 0.5 else _copy(article)
    dateline = f"{rng.choice(cast.places).upper()} ({rng.choice(_AGENCIES)}) -"
    edited[0][0] = f"{dateline} {edited[0][0]}"
    reporter, editor = rng.choice(cast.people), (rng.choice(_FIRST), rng.choice(_LAST))
    edited.append([f"Reporting by {' '.join(reporter)}; Editing by {' '.join(editor)}"])
    return edited


def _rewritten(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    share = rng.uniform(0.3, 0.6)
    return [
        [writer.sentence(rng, cast) if rng.random() < share else s for s in paragraph]
        for paragraph in article
    ]


def _truncated(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    keep = max(1, round(len(article) * rng.uniform(0.35, 0.6)))
    return [*_copy(article[:keep]), writer.paragraph(rng, cast)]


def _restructured(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    edited = _copy(article)
    rng.shuffle(edited)
    return [
        [writer.sentence(rng, cast) if rng.random() < 0.25 else s for s in paragraph]
        for paragraph in edited
    ]


def _same_topic(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    return writer.article(rng, writer.cast(rng, topic_of=cast))


def _other_topic(writer: NewsWriter, rng: random.Random, cast: _Cast, article: Article) -> Article:
    return writer.article(rng, writer.cast(rng))


_LIGHT: dict[str, Edit] = {
    "new_intro": _new_intro,
    "words_changed": _words_changed,
    "paragraph_added": _paragraph_added,
    "paragraph_removed": _paragraph_removed,
    "wire_credits": _wire_credits,
}
_HEAVY: dict[str, Edit] = {
    "rewritten": _rewritten,
    "truncated": _truncated,
    "restructured": _restructured,
}
_UNRELATED: dict[str, Edit] = {"same_topic": _same_topic, "other_topic": _other_topic}
# Share of originals whose variant is of each family; the rest get an unrelated article.
_RATES = {"exact": 0.10, "light": 0.45, "heavy": 0.20}


# --- the corpus -------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    article_id: str
    text: str

    def candidate(self, signature: tuple[int, ...]) -> Candidate:
        url = f"https://news.example/{self.article_id}"
        return Candidate(self.article_id, url, text_fingerprint(self.text), signature)


@dataclass(frozen=True)
class Pair:
    family: str  # exact | light | heavy | unrelated
    kind: str  # the edit
    original: Doc
    variant: Doc
    jaccard: float  # true Jaccard of the two shingle sets


def _doc_id(seed: int, label: str) -> str:
    return hashlib.blake2b(f"{seed}:{label}".encode(), digest_size=8).hexdigest()


def _jaccard(a: set[str], b: set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def build_corpus(pairs: int, seed: int, index: NearDupIndex) -> list[Pair]:
    writer = NewsWriter(seed)
    rng = random.Random(seed + 1)
    corpus = []
    for number in range(pairs):
        cast = writer.cast(rng)
        article = writer.article(rng, cast)
        draw = rng.random()
        if draw < _RATES["exact"]:
            family, kind = "exact", "reformatted"
            # Same words, other layout and case: only the normalized text is the same.
            variant_text = render(article).upper().replace("\n\n", "\n") + "\n"
        else:
            if draw < _RATES["exact"] + _RATES["light"]:
                family, edits = "light", _LIGHT
            elif draw < _RATES["exact"] + _RATES["light"] + _RATES["heavy"]:
                family, edits = "heavy", _HEAVY
            else:
                family, edits = "unrelated", _UNRELATED
            kind = rng.choice(sorted(edits))
            variant_text = render(edits[kind](writer, rng, cast, article))
        original = Doc(_doc_id(seed, f"original-{number}"), render(article))
        variant = Doc(_doc_id(seed, f"variant-{number}"), variant_text)
        jaccard = _jaccard(set(index.shingles(original.text)), set(index.shingles(variant_text)))
        corpus.append(Pair(family, kind, original, variant, jaccard))
    return corpus


# --- quality ------------------------------------------------------------------------------


def _signatures(index: NearDupIndex, docs: Sequence[Doc]) -> tuple[list[tuple[int, ...]], float]:
    started = time.perf_counter()
    signatures = [index.signature(doc.text) for doc in docs]
    return signatures, (time.perf_counter() - started) * 1000 / max(1, len(docs))


def _flagged(registration: Registration) -> bool:
    return registration.verdict in (Verdict.DUPLICATE_TEXT, Verdict.NEAR_DUPLICATE)


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def evaluate_quality(
    corpus: Sequence[Pair], index: NearDupIndex, store_dir: Path, seed: int
) -> dict[str, Any]:
    originals = [pair.original for pair in corpus]
    variants = [pair.variant for pair in corpus]
    original_signatures, signature_ms = _signatures(index, originals)
    variant_signatures, _ = _signatures(index, variants)
    path = store_dir / "quality.sqlite3"
    _remove_store(path)
    store = SQLiteStore(path, index)
    try:
        original_flags = [
            _flagged(store.register(doc.candidate(signature)))
            for doc, signature in zip(originals, original_signatures, strict=True)
        ]
        order = list(range(len(corpus)))
        random.Random(seed + 2).shuffle(order)
        registrations: dict[int, Registration] = {}
        for number in order:
            candidate = variants[number].candidate(variant_signatures[number])
            registrations[number] = store.register(candidate)
    finally:
        store.close()
    _remove_store(path)

    threshold = index.config.threshold
    detected = {
        number: _flagged(reg) and reg.duplicate_of == corpus[number].original.article_id
        for number, reg in registrations.items()
    }
    near = [n for n, pair in enumerate(corpus) if pair.jaccard >= threshold]
    near_edits = [n for n in near if corpus[n].family != "exact"]
    unrelated = [n for n, pair in enumerate(corpus) if pair.family == "unrelated"]
    unrelated_flags = sum(_flagged(registrations[n]) for n in unrelated)
    texts_unrelated = len(unrelated) + len(originals)
    flagged_unrelated = unrelated_flags + sum(original_flags)
    below = [n for n, pair in enumerate(corpus) if pair.jaccard < threshold]
    return {
        "recall": _share(sum(detected[n] for n in near), len(near)),
        "recall_excluding_exact_copies": _share(
            sum(detected[n] for n in near_edits), len(near_edits)
        ),
        "pairs_at_or_above_threshold": len(near),
        "false_positive_rate": _share(flagged_unrelated, texts_unrelated),
        "unrelated_texts": texts_unrelated,
        "unrelated_flagged": flagged_unrelated,
        "flagged_below_threshold": _share(sum(detected[n] for n in below), len(below)),
        "by_kind": _by_kind(corpus, detected),
        "by_jaccard": _by_jaccard(corpus, detected),
        "estimator": _estimator_check(corpus, index, original_signatures, variant_signatures),
        "background_jaccard": _background(corpus, index, seed),
        "signature_ms_per_doc": signature_ms,
    }


def _by_kind(corpus: Sequence[Pair], detected: dict[int, bool]) -> dict[str, Any]:
    groups: dict[str, list[int]] = {}
    for number, pair in enumerate(corpus):
        groups.setdefault(f"{pair.family}/{pair.kind}", []).append(number)
    table = {}
    for name, numbers in sorted(groups.items()):
        values = sorted(corpus[n].jaccard for n in numbers)
        table[name] = {
            "pairs": len(numbers),
            "flagged": sum(detected[n] for n in numbers) / len(numbers),
            "jaccard_min": round(values[0], 4),
            "jaccard_median": round(statistics.median(values), 4),
            "jaccard_max": round(values[-1], 4),
        }
    return table


def _by_jaccard(corpus: Sequence[Pair], detected: dict[int, bool]) -> dict[str, Any]:
    edges = [0.0, 0.1, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0001]
    table = {}
    for low, high in pairwise(edges):
        numbers = [n for n, pair in enumerate(corpus) if low <= pair.jaccard < high]
        if numbers:
            hits = sum(detected[n] for n in numbers)
            table[f"{low:.2f}-{min(high, 1.0):.2f}"] = {
                "pairs": len(numbers),
                "flagged": hits / len(numbers),
            }
    return table


def _estimator_check(
    corpus: Sequence[Pair],
    index: NearDupIndex,
    originals: Sequence[tuple[int, ...]],
    variants: Sequence[tuple[int, ...]],
) -> dict[str, float]:
    """How far the signature estimate is from the true Jaccard, against the binomial model."""
    num_perm = index.config.num_perm
    errors, z_scores = [], []
    for pair, a, b in zip(corpus, originals, variants, strict=True):
        if 0.05 < pair.jaccard < 1.0:
            error = index.similarity(a, b) - pair.jaccard
            errors.append(error)
            z_scores.append(error / (pair.jaccard * (1 - pair.jaccard) / num_perm) ** 0.5)
    return {
        "pairs": len(errors),
        "mean_error": statistics.fmean(errors),
        "mean_abs_error": statistics.fmean(abs(e) for e in errors),
        # About 1 when slots behave like independent draws, as the decision rule assumes.
        "z_stdev": statistics.pstdev(z_scores),
    }


def _background(corpus: Sequence[Pair], index: NearDupIndex, seed: int) -> dict[str, float]:
    """True Jaccard of random pairs of originals: how alike unrelated news looks."""
    rng = random.Random(seed + 3)
    sample = [set(index.shingles(pair.original.text)) for pair in corpus[:400]]
    values = sorted(
        _jaccard(sample[i], sample[j])
        for i, j in (rng.sample(range(len(sample)), 2) for _ in range(3000))
    )
    same_topic = [p.jaccard for p in corpus if p.kind == "same_topic"]
    config = index.config
    return {
        "random_pairs_median": statistics.median(values),
        "random_pairs_p99": values[int(len(values) * 0.99)],
        "random_pairs_max": values[-1],
        "same_topic_max": max(same_topic, default=0.0),
        # Expected spurious LSH candidates a lookup meets per million stored articles.
        "lsh_candidates_per_million": 1e6
        * statistics.fmean(config.candidate_probability(v) for v in values),
    }


# --- cost ---------------------------------------------------------------------------------


def _remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _filler(
    index: NearDupIndex, count: int, seed: int
) -> Iterator[tuple[str, str, str, tuple[int, ...] | None]]:
    """Synthetic stored articles: random signatures, like unrelated texts' band keys."""
    rng = random.Random(seed)
    size = 4 * index.config.num_perm
    for number in range(count):
        article_id = f"f{number:015x}"
        signature = index.unpack(rng.randbytes(size))
        yield article_id, f"https://filler.example/{number}", rng.randbytes(16).hex(), signature


def _timed(store: SQLiteStore, candidates: Sequence[Candidate]) -> tuple[list[float], Counter[str]]:
    times: list[float] = []
    verdicts: Counter[str] = Counter()
    for candidate in candidates:
        started = time.perf_counter()
        registration = store.register(candidate)
        times.append((time.perf_counter() - started) * 1000)
        verdicts[registration.verdict.value] += 1
    return times, verdicts


def _summary(times: Sequence[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean": statistics.fmean(ordered),
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[int(len(ordered) * 0.99)],
    }


@dataclass(frozen=True)
class StoreTuning:
    """SQLite settings to try on top of the store's own (experiments for the store's owner)."""

    page_size: int | None = None  # set before the store creates its file
    pragmas: tuple[str, ...] = ()  # "name=value", run after the store opens
    # Checkpoint from a second connection every this many seconds, not in register().
    checkpoint_seconds: float | None = None
    sweep_docs: int | None = None  # the store's own default when None

    def open(self, path: Path, index: NearDupIndex) -> SQLiteStore:
        if self.page_size is not None and not path.exists():
            with closing(sqlite3.connect(path)) as db:
                db.execute(f"PRAGMA page_size={self.page_size}")
                db.execute("PRAGMA journal_mode=WAL")  # writes the header: the size sticks
        if self.sweep_docs is None:
            store = SQLiteStore(path, index)
        else:
            store = SQLiteStore(path, index, sweep_docs=self.sweep_docs)
        for pragma in self.pragmas:
            store.db.execute(f"PRAGMA {pragma}")
        if self.checkpoint_seconds is not None:
            store.db.execute("PRAGMA wal_autocheckpoint=0")
        return store

    @contextmanager
    def background(self, path: Path) -> Iterator[None]:
        """While registers are timed: checkpoints off the register path, if asked for."""
        if self.checkpoint_seconds is None:
            yield
            return
        stop = threading.Event()
        interval = self.checkpoint_seconds

        def run() -> None:
            with closing(sqlite3.connect(path, isolation_level=None)) as db:
                while not stop.wait(interval):
                    # PASSIVE takes no write lock: registers go on while pages are copied.
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")

        thread = threading.Thread(target=run, name="bench-checkpoint", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


_FILL_BATCH = 1000  # documents per commit in the steady-state part of a fill


def _fill(
    path: Path,
    index: NearDupIndex,
    size: int,
    seed: int,
    tuning: StoreTuning,
    steady_docs: int | None,
) -> tuple[float, int]:
    """Fills a new store at ``path`` with ``size`` synthetic articles: (seconds, committed).

    The last ``steady_docs`` (default: the store's ``sweep_docs``) go through ``commit`` in
    batches, as in a store that grew by crawling, so the recent band tier is in its steady
    state (one full sweep) when the timing starts. The rest are bulk-loaded: the
    ``sweep_docs * MIDDLE_FANOUT / 2`` before those into the middle tier (what it holds on
    average in a store that grew by crawling), all older ones into the main tier.
    """
    store = tuning.open(path, index)
    try:
        # The whole file fits in this cache, so the random band-key inserts of one big
        # transaction stay in memory; timing happens later, on a fresh connection.
        store.db.execute("PRAGMA cache_size=-3000000")
        started = time.perf_counter()
        committed = min(size, store.bands.sweep_docs if steady_docs is None else steady_docs)
        middle = min(size - committed, store.bands.sweep_docs * MIDDLE_FANOUT // 2)
        rows = _filler(index, size, seed + size)
        store.bulk_load(islice(rows, size - committed - middle))
        store.bulk_load(islice(rows, middle), into_middle=True)
        batch: list[tuple[Candidate, Registration]] = []
        for article_id, url, fingerprint, signature in rows:
            candidate = Candidate(article_id, url, fingerprint, signature)
            batch.append((candidate, store.decide(candidate)))
            if len(batch) == _FILL_BATCH:
                store.commit(batch)
                batch.clear()
        store.commit(batch)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return time.perf_counter() - started, committed
    finally:
        store.close()


def measure_cost(
    sizes: Sequence[int],
    corpus: Sequence[Pair],
    index: NearDupIndex,
    store_dir: Path,
    timed: int,
    seed: int,
    tuning: StoreTuning,
    steady_docs: int | None = None,
) -> dict[str, Any]:
    fresh = [pair for pair in corpus if pair.family != "exact"][:timed]
    new_docs = [pair.original.candidate(index.signature(pair.original.text)) for pair in fresh]
    duplicates = [
        pair.variant.candidate(index.signature(pair.variant.text))
        for pair in fresh
        if pair.jaccard >= index.config.threshold
    ]
    results: dict[str, Any] = {}
    for size in sizes:
        path = store_dir / f"cost-{size}.sqlite3"
        _remove_store(path)
        print(f"  filling {size:,} documents ...", flush=True)
        fill_seconds, committed = _fill(path, index, size, seed, tuning, steady_docs)
        store = tuning.open(path, index)
        try:
            recent_rows = store.db.execute("SELECT count(*) FROM recent_bands").fetchone()[0]
            middle_rows = store.db.execute("SELECT count(*) FROM middle_bands").fetchone()[0]
            with tuning.background(path):
                new_times, new_verdicts = _timed(store, new_docs)
                dup_times, dup_verdicts = _timed(store, duplicates)
            # What is left in the WAL: disk work the timed registers caused but did not wait for.
            started = time.perf_counter()
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            backlog_ms = (time.perf_counter() - started) * 1000
            documents = store.count()
        finally:
            store.close()
        row: dict[str, Any] = {
            "fill_seconds": fill_seconds,
            "fill_committed_docs": committed,
            "recent_band_rows_at_start": recent_rows,
            "middle_band_rows_at_start": middle_rows,
            "new_ms": _summary(new_times),
            "duplicate_ms": _summary(dup_times),
            "final_checkpoint_ms_per_timed_doc": backlog_ms / (len(new_times) + len(dup_times)),
            # Everything the timed registers cost, deferred checkpoint work included.
            "amortized_ms_per_timed_doc": (sum(new_times) + sum(dup_times) + backlog_ms)
            / (len(new_times) + len(dup_times)),
            "new_verdicts": dict(new_verdicts),
            "duplicate_verdicts": dict(dup_verdicts),
            "documents": documents,
            "bytes_per_doc": path.stat().st_size / documents,
        }
        results[str(size)] = row
        print(
            f"  {size:>9,} stored: new {row['new_ms']['mean']:.3f} ms "
            f"(p50 {row['new_ms']['p50']:.3f}, p99 {row['new_ms']['p99']:.3f}), "
            f"duplicate {row['duplicate_ms']['mean']:.3f} ms "
            f"(p99 {row['duplicate_ms']['p99']:.3f}), {row['bytes_per_doc']:.0f} bytes/doc, "
            f"then checkpoint {row['final_checkpoint_ms_per_timed_doc']:.3f} ms/doc, "
            f"fill {fill_seconds:.0f} s ({committed:,} committed, "
            f"{recent_rows:,} recent and {middle_rows:,} middle band rows)",
            flush=True,
        )
        _remove_store(path)
    return results


# --- library timing -----------------------------------------------------------------------


def time_libraries(corpus: Sequence[Pair], index: NearDupIndex, docs: int) -> dict[str, float]:
    """ms per document: shingling, rensa and datasketch signatures over the same shingles.

    datasketch is the comparison only (``pip install -e ".[bench]"``); without it that
    figure is left out.
    """
    texts = [pair.original.text for pair in corpus[:docs]]
    config = index.config
    started = time.perf_counter()
    shingled = [index.shingles(text) for text in texts]
    shingle_ms = (time.perf_counter() - started) * 1000 / len(texts)

    from rensa import RMinHash

    started = time.perf_counter()
    for shingles in shingled:
        minhash = RMinHash(config.num_perm, config.seed)
        minhash.update(shingles)
        minhash.digest()
    rensa_ms = (time.perf_counter() - started) * 1000 / len(texts)

    timings = {"docs": len(texts), "shingles_ms": shingle_ms, "rensa_minhash_ms": rensa_ms}
    try:
        from datasketch import MinHash
    except ImportError:
        return timings
    started = time.perf_counter()
    for shingles in shingled:
        sketch = MinHash(num_perm=config.num_perm, seed=1)
        sketch.update_batch([s.encode() for s in shingles])
        sketch.digest()
    timings["datasketch_minhash_ms"] = (time.perf_counter() - started) * 1000 / len(texts)
    return timings


# --- the command line ---------------------------------------------------------------------


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {value!r}"
        ) from None
    if not sizes or min(sizes) < 0:
        raise argparse.ArgumentTypeError("sizes must be non-negative integers")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dedup", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", type=_sizes, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--json", type=Path, help="write the results here as one JSON object")
    parser.add_argument("--store-dir", type=Path, help="where the SQLite files go (a temp dir)")
    parser.add_argument("--pairs", type=int, default=8000, help="original/variant pairs")
    parser.add_argument("--timed", type=int, default=2000, help="registers timed per size")
    parser.add_argument("--threshold", type=float, default=NearDupConfig.threshold)
    parser.add_argument("--seed", type=int, default=20261101)
    parser.add_argument("--page-size", type=int, help="experiment: SQLite page size of new stores")
    parser.add_argument(
        "--pragma",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="experiment: a PRAGMA run after the store opens (repeatable)",
    )
    parser.add_argument(
        "--checkpoint-seconds",
        type=float,
        help="experiment: no auto-checkpoint in register(); a thread checkpoints this often",
    )
    parser.add_argument(
        "--sweep-docs",
        type=int,
        help="experiment: the store's sweep_docs (indexed documents per sweep of recent bands)",
    )
    parser.add_argument(
        "--steady-docs",
        type=int,
        help="documents of each fill committed in batches, not bulk-loaded "
        "(default: the store's sweep_docs, for a steady-state recent band tier; 0: none)",
    )
    args = parser.parse_args(argv)
    try:
        index = NearDupIndex(NearDupConfig.for_threshold(args.threshold))
    except ValueError as exc:
        parser.error(str(exc))
    if args.store_dir is not None:
        args.store_dir.mkdir(parents=True, exist_ok=True)
        return _run(args, index, args.store_dir)
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as directory:
        return _run(args, index, Path(directory))


def _run(args: argparse.Namespace, index: NearDupIndex, store_dir: Path) -> int:
    config = index.config
    print(
        f"near-dup scheme {index.scheme}, threshold {config.threshold}, "
        f"cutoff {config.min_matches}/{config.num_perm}",
        flush=True,
    )
    started = time.perf_counter()
    corpus = build_corpus(args.pairs, args.seed, index)
    print(f"corpus: {len(corpus):,} pairs in {time.perf_counter() - started:.0f} s", flush=True)
    quality = evaluate_quality(corpus, index, store_dir, args.seed)
    print(
        f"recall at J >= {config.threshold}: {quality['recall']:.4f} "
        f"({quality['pairs_at_or_above_threshold']} pairs; "
        f"{quality['recall_excluding_exact_copies']:.4f} without exact copies); "
        f"false positives {quality['unrelated_flagged']}/{quality['unrelated_texts']}",
        flush=True,
    )
    for name, row in quality["by_kind"].items():
        print(
            f"  {name:<28} {row['pairs']:>5} pairs  J {row['jaccard_min']:.3f}-"
            f"{row['jaccard_max']:.3f} (median {row['jaccard_median']:.3f})  "
            f"flagged {row['flagged']:.3f}",
            flush=True,
        )
    for band, row in quality["by_jaccard"].items():
        print(f"  J {band}: {row['pairs']:>5} pairs, flagged {row['flagged']:.3f}", flush=True)
    print(f"estimator: {json.dumps(quality['estimator'])}", flush=True)
    print(f"background: {json.dumps(quality['background_jaccard'])}", flush=True)
    libraries = time_libraries(corpus, index, 1000)
    print(f"libraries (ms/doc): {json.dumps(libraries)}", flush=True)
    tuning = StoreTuning(
        args.page_size, tuple(args.pragma), args.checkpoint_seconds, args.sweep_docs
    )
    cost = measure_cost(
        args.sizes, corpus, index, store_dir, args.timed, args.seed, tuning, args.steady_docs
    )
    result: dict[str, Any] = {
        "recall": quality["recall"],
        "false_positive_rate": quality["false_positive_rate"],
        "ms_per_doc": {size: row["new_ms"]["mean"] for size, row in cost.items()},
        "ms_per_duplicate": {size: row["duplicate_ms"]["mean"] for size, row in cost.items()},
        "bytes_per_doc": cost[str(max(args.sizes))]["bytes_per_doc"] if cost else None,
        "config": {
            "scheme": index.scheme,
            "threshold": config.threshold,
            "min_matches": config.min_matches,
            "page_size": args.page_size,
            "pragmas": args.pragma,
            "checkpoint_seconds": args.checkpoint_seconds,
            "sweep_docs": args.sweep_docs,
            "steady_docs": args.steady_docs,
        },
        "quality": quality,
        "cost": cost,
        "libraries_ms_per_doc": libraries,
    }
    if len(cost) > 1:
        smallest, largest = str(min(args.sizes)), str(max(args.sizes))
        ratio = result["ms_per_doc"][largest] / result["ms_per_doc"][smallest]
        result["cost_ratio_largest_to_smallest"] = ratio
        print(f"ms per new document at {largest} / at {smallest}: {ratio:.2f}", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.json}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
