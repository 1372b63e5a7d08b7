"""Scrapy commands that replace or extend the built-in ones (see COMMANDS_MODULE)."""
