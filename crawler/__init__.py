"""The Scrapy project: thin adapters (spiders, commands, middlewares, extensions, the
distributed scheduler) over the libraries of discovery, configuration and operations.

See ARCHITECTURE.md for the data flow and where each concern lives.
"""
