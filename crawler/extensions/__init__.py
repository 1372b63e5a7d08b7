"""Scrapy extensions and feed storage: adapters between the crawl's signals and the libraries.

The emission ledger's hooks, per-site counters, the run manifest, the run output add-on
and the committing feed storage. Each is built by ``from_crawler`` and keeps no logic
of its own beyond translating signals into library calls.
"""
