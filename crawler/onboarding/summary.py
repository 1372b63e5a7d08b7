"""The short report ``scrapy addsite`` prints with the block: what was found, where, and
how well the test-cleaned articles came out. Every line is a TOML comment, so the whole
output is still a valid registry fragment."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.onboarding.model import FEED, Findings, Tested
from crawler.onboarding.proposal import SiteProposal, identity, on_site

# The fields the report counts, as (label, what makes a record have it).
COVERAGE_FIELDS = ("headline", "body", "authors", "date", "image", "language")


@dataclass(frozen=True)
class Coverage:
    """How many of the cleaned articles have each field."""

    cleaned: int  # articles the cleaner returned
    counts: dict[str, int]
    median_words: int
    languages: dict[str, int]
    flags: dict[str, list[str]]  # flag -> URLs

    def share(self, name: str) -> float:
        return self.counts[name] / self.cleaned if self.cleaned else 0.0


def coverage(tested: Sequence[Tested], min_words: int) -> Coverage:
    articles = [t.article for t in tested if t.article is not None]
    counts = {
        "headline": sum(1 for a in articles if a.headline),
        "body": sum(1 for a in articles if a.wordCount >= min_words),
        "authors": sum(1 for a in articles if a.authors),
        "date": sum(1 for a in articles if a.datePublished),
        "image": sum(1 for a in articles if a.mainImage),
        "language": sum(1 for a in articles if a.inLanguage),
    }
    flags: dict[str, list[str]] = {}
    for article in articles:
        for flag in article.flags:
            flags.setdefault(flag, []).append(article.url)
    words = [a.wordCount for a in articles]
    return Coverage(
        cleaned=len(articles),
        counts=counts,
        median_words=int(statistics.median(words)) if words else 0,
        languages=dict(Counter(a.inLanguage for a in articles if a.inLanguage).most_common()),
        flags=flags,
    )


def report_lines(
    findings: Findings,
    proposal: SiteProposal,
    *,
    min_words: int,
    drop_flags: Sequence[str] = (),
) -> list[str]:
    lines = [f"scrapy addsite {findings.start_url}: home page {findings.home_url}", ""]
    lines += _sources(findings, proposal)
    lines += ["", *_patterns(findings, proposal)]
    cov = coverage(findings.tested, min_words)
    lines += ["", *_cleaning(findings, cov, min_words, drop_flags)]
    lines += _phrases(proposal, cov.cleaned)
    return [f"# {line}".rstrip() for line in lines]


def _sources(findings: Findings, proposal: SiteProposal) -> list[str]:
    lines = ["Articles found:"]
    by_source = Counter(s.source for s in findings.samples if on_site(s.url, findings.home_url))
    for source in findings.sources:
        indent = "    " if source.parent else "  "
        if source.children:
            what = f"{source.format} of {source.entries} sitemaps, {len(source.children)} read"
        else:
            what = (
                f"{source.format}, {source.entries} entries ({by_source[source.url]} on the site)"
            )
        kind = "feed" if source.kind == FEED else "sitemap"
        lines.append(f"{indent}{kind:8} {source.url}: {what}")
    patterns = findings.patterns
    listed = {identity(s.url) for s in findings.samples}
    on_home = {
        identity(link.url) for link in findings.home.links if patterns.is_article_url(link.url)
    }
    lines.append(
        f"  home page: {_count(len(on_home), 'article link')}, "
        f"{len(on_home - listed)} of them in no feed or sitemap"
    )
    depth = f"follow_depth = {proposal.follow_depth}"
    read = f"{len(findings.hubs)} read"
    if findings.hubs_linked > len(findings.hubs):
        read += f" of the {findings.hubs_linked} the home page links to"
    lines.append(
        f"  hub pages: {read}, {len(proposal.hub_only)} articles only they link to -> {depth}"
    )
    for url in proposal.hub_only[:5]:
        lines.append(f"    {url}")
    if findings.refused:
        refused = _count(len(findings.refused), "URL")
        lines.append(f"  refused by robots.txt: {refused}, e.g. {findings.refused[0]}")
    failed = {u: r for u, r in findings.failures.items() if u not in findings.refused}
    for url, reason in list(failed.items())[:5]:
        lines.append(f"  failed: {url} ({reason})")
    return lines


def _patterns(findings: Findings, proposal: SiteProposal) -> list[str]:
    patterns = findings.patterns
    matched = patterns.samples - len(patterns.unmatched)
    lines = [
        f"article_allow matches {matched} of {patterns.samples} sampled article URLs and "
        f"{len(patterns.matched_hubs)} of {patterns.hubs} hub pages"
    ]
    for url in patterns.unmatched[:5]:
        lines.append(f"  not matched (an odd one out: fetched from its feed all the same): {url}")
    for url in patterns.matched_hubs[:5]:
        lines.append(f"  WARNING: matches the hub page {url}: add a deny pattern for it")
    if patterns.deny:
        lines.append(
            f"article_deny: non-article paths the site links to: {', '.join(patterns.deny)}"
        )
    if proposal.median_age_days is None:
        lines.append(f"max_age_days = {proposal.max_age_days}: no dated entries, the usual 3 days")
    else:
        lines.append(
            f"max_age_days = {proposal.max_age_days}: twice the median age of the dated "
            f"entries ({proposal.median_age_days:.1f} days), at least 3; "
            f"{_count(proposal.too_old, 'older entry', 'older entries')} left out"
        )
    return lines


def _cleaning(
    findings: Findings, cov: Coverage, min_words: int, drop_flags: Sequence[str]
) -> list[str]:
    tested = findings.tested
    failed = [t for t in tested if t.failure]
    lines = [f"Test-cleaned {cov.cleaned} articles ({len(failed)} could not be fetched):"]
    if not cov.cleaned:
        return lines
    n = cov.cleaned
    languages = ", ".join(f"{lang} {count}" for lang, count in cov.languages.items())
    lines += [
        f"  headline  {cov.counts['headline']}/{n}",
        f"  body      {cov.counts['body']}/{n} with at least {min_words} words "
        f"(median {cov.median_words} words)",
        f"  authors   {cov.counts['authors']}/{n}",
        f"  date      {cov.counts['date']}/{n}",
        f"  image     {cov.counts['image']}/{n}",
        f"  language  {cov.counts['language']}/{n}" + (f" ({languages})" if languages else ""),
    ]
    for flag, urls in sorted(cov.flags.items()):
        fate = "dropped by the crawl" if flag in drop_flags else "kept, flagged"
        lines.append(f"  flag {flag}: {len(urls)} ({fate}), e.g. {urls[0]}")
    lines.append("  words  authors  date        image  url")
    for test in sorted(tested, key=lambda t: (t.via, t.url)):
        article = test.article
        if article is None:
            lines.append(
                f"  -      -        -           -      {test.url} ({test.failure or 'no text'})"
            )
            continue
        date = (article.datePublished or "-")[:10]
        image = "yes" if article.mainImage else "no"
        authors = str(len(article.authors))
        lines.append(f"  {article.wordCount:<6} {authors:<8} {date:<11} {image:<6} {test.url}")
    return lines


def _phrases(proposal: SiteProposal, cleaned: int) -> list[str]:
    if not proposal.drop_phrases:
        return []
    lines = [
        "",
        f"cleaning.drop_phrases: {_count(len(proposal.drop_phrases), 'line')} most of the "
        "test-cleaned articles share (the site's own boilerplate; check none is a story's):",
    ]
    lines += [f"  in {line.articles}/{cleaned}: {line.text}" for line in proposal.drop_phrases]
    return lines


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
