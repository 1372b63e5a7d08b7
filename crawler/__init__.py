"""Scrapy project package: settings, items, site registry, spiders."""
