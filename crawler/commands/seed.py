"""``scrapy seed news``: start a distributed round by pushing the hubs into Redis.

Workers (``scrapy crawl news`` with the same ``REDIS_URL``, on any machine) take their
work from the shared queue only. This command is the one place a round starts, so each
feed, sitemap and start page is polled once per round however many workers run, and
workers may join or leave at any time:

1. the seen-set of the previous round is cleared, so article URLs are considered again
   (the revisit rules still skip pages already settled, before download);
2. the registry's feeds, sitemaps and start pages (the spider's own ``start()``, with
   the same ``-a site=`` selection) are pushed into the queue. Pushing a hub that is
   still queued does not add a second copy (the queue is a sorted set of JSON requests).

Run it from the coordinator's crontab before or while the workers run, for example
``scrapy seed news && scrapy crawl news``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from crawler.addon import read_registry
from crawler.config import ConfigError, NewsConfig
from crawler.discovery.registry import RegistryError
from crawler.distributed.addon import is_distributed
from crawler.operations.exitcodes import ExitCode
from crawler.spiders.news import DiscoveryLimits, NewsSpider, check_spider_arguments

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    # Nothing is crawled here: no reactor, no crawler.
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] news"

    def short_desc(self) -> str:
        return "Start a distributed round: push the registry's hubs into the Redis queue"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument, as for crawl (site=...)",
        )
        parser.add_argument(
            "--keep-seen",
            action="store_true",
            help="keep the previous round's seen-set (add hubs to a round still running)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args != [NewsSpider.name]:
            raise UsageError(f"expected the spider name: scrapy seed {NewsSpider.name}")
        settings = self.settings
        assert settings is not None
        try:
            if not is_distributed(settings) or not settings.get("REDIS_URL"):
                raise ConfigError("scrapy seed needs REDIS_URL (-s REDIS_URL=redis://host:port/db)")
            config = NewsConfig.from_settings(settings)
            registry = read_registry(config.registry)
            check_spider_arguments(registry, opts.spargs)
        except (ConfigError, RegistryError) as exc:
            self._fail(ExitCode.BAD_CONFIG, str(exc))
        # Imported here, not at the top: Scrapy imports every command module at the start of
        # every command, and a crawl that is not distributed never needs Redis.
        import redis
        from scrapy_redis.queue import PriorityQueue

        from crawler.distributed import serializers
        from crawler.distributed.connection import redis_client
        from crawler.distributed.scheduler import FrontierKeys

        spider = NewsSpider(**opts.spargs)
        sites = registry.select(spider.site_selection)
        spider.use_sites(sites, DiscoveryLimits.from_config(config))
        hubs = list(spider.hub_requests())
        keys = FrontierKeys.from_config(config, spider.name)
        client = redis_client(settings)
        try:
            if not opts.keep_seen:
                client.delete(keys.seen)
            queue = PriorityQueue(client, spider, keys.queue, serializers)
            for request in hubs:
                queue.push(request)
            waiting = len(queue)
            workers = client.scard(keys.workers)
        except redis.RedisError as exc:
            self._fail(ExitCode.STATE_UNUSABLE, f"cannot reach Redis at REDIS_URL: {exc}")
        finally:
            client.close()
        sys.stdout.write(
            f"Seeded {len(hubs)} hub requests of {len(sites)} sites into {keys.queue} "
            f"({waiting} requests waiting, {workers} workers holding requests)"
            f"{'' if opts.keep_seen else '; seen-set cleared'}\n"
        )

    def _fail(self, code: ExitCode, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message}\n")
        sys.exit(int(code))
