"""Discovery: which URLs are articles of which site, and when they were published.

The site registry (TOML, validated), safe parsers for feeds (RSS, Atom, JSON Feed) and
sitemaps (indexes, urlsets, Google News), URL identity (canonical forms and article
ids) and date parsing. Plain functions and data: no Scrapy, no I/O beyond reading the
registry file. The spider (:mod:`crawler.spiders.news`) is the adapter that fetches.
"""
