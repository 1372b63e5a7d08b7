"""Downloader middlewares: what may be fetched, when, and how politely.

Site boundaries and redirect loops, conditional requests for unchanged hubs, skipping
known articles (revisit rules) and per-site delay floors (Crawl-delay, min_delay,
Retry-After).
"""
