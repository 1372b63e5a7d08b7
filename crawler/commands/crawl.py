"""``scrapy crawl`` that refuses a bad registry or argument with one clear line.

Scrapy would otherwise report a broken registry as a traceback from deep inside
spider construction, after its start-up log. Options are processed before the
crawler process and logging exist, so checking there keeps the error alone.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.spiders.news import NewsSpider, SpiderArgumentError

if TYPE_CHECKING:
    import argparse

EXIT_BAD_CONFIG = 2


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if args and args[0] == NewsSpider.name and self.settings is not None:
            try:
                NewsSpider.check_arguments(self.settings, **opts.spargs)
            except SpiderArgumentError as exc:
                sys.stderr.write(f"error: {exc}\n")
                sys.exit(EXIT_BAD_CONFIG)
