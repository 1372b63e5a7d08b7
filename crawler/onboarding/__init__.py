"""Onboarding a news site: from its home page to a proposed registry entry. No Scrapy here.

``scrapy addsite`` (crawler/commands/addsite.py) fetches what an
:class:`crawler.onboarding.session.Onboarding` session asks for; the session reads the
pages (:mod:`.pages`), fits article URL patterns to the feed and sitemap entries
(:mod:`.patterns`), decides each key of the entry (:mod:`.proposal`), renders and writes
the TOML block (:mod:`.block`) and reports what it found (:mod:`.summary`).
"""
