"""Scrapy settings for the news crawler: Scrapy's own knobs, chosen for news sites.

The project's settings (``NEWS_*``) are declared once, with their defaults and what they
allow, in :mod:`crawler.config.news`; every one can be given with ``-s NAME=value``.
"""

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Our `crawl` command validates the registry first, so a broken file is one line.
COMMANDS_MODULE = "crawler.commands"

USER_AGENT = "newscrawler/0.1 (news article archiver; respects robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to each server; the per-domain cap bounds bursts.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.25
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
# Scrapy starts this many worker tasks for every response's output, however little it
# yields. An article page yields one item and a hub's requests only need queueing, so
# the default 100 spent ~13% of the crawl process creating idle tasks.
CONCURRENT_ITEMS = 4

# News pages are well under this; the default (1 GiB) lets a gzip bomb through.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

RETRY_ENABLED = True
RETRY_TIMES = 2
# A download that fails after its retries is the open web, not our error: the spider's
# errback counts it (news/fetch/<reason>) and the error rate judges the run.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# The DEBUG line of every response and item is built only when LOG_LEVEL shows it.
LOG_FORMATTER = "crawler.logformatter.NewsLogFormatter"
# Scrapy's in-memory stats without its per-call deprecation shim (see crawler/stats.py).
STATS_CLASS = "crawler.stats.NewsStatsCollector"
COOKIES_ENABLED = False

# Both run arbitrary inspection code inside the crawl; never expose them.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

ADDONS = {
    # Validates NEWS_*, reads the registry, picks the run directory: every component's
    # way in (crawler.get_addon(NewsAddon)).
    "crawler.addon.NewsAddon": 0,
    # Switches to the shared Redis frontier and state when REDIS_URL is set.
    "crawler.distributed.addon.DistributedAddon": 10,
}

ITEM_PIPELINES = {
    "pipelines.extraction.ExtractionPipeline": 100,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.textfiles.TextFilesPipeline": 800,
}

DOWNLOADER_MIDDLEWARES = {
    # Redirects re-enter here too: none may lead a site's crawl onto another site.
    "crawler.middlewares.boundary.SiteBoundaryMiddleware": 40,
    # Closer to the downloader than RedirectMiddleware (600): sees the 3xx first.
    "crawler.middlewares.boundary.RedirectLoopMiddleware": 610,
    # Before the robots.txt middleware (100): a skipped page costs not even a lookup.
    "crawler.middlewares.revisit.RevisitMiddleware": 50,
    "crawler.middlewares.conditional.ConditionalHubsMiddleware": 60,
    # Closer to the downloader than RetryMiddleware (550): sees a 429/503 before its retry.
    "crawler.middlewares.politeness.PolitenessMiddleware": 560,
    # Scrapy's, fixed for requests that wait for robots.txt together (see the module).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.SharedRobotsTxtMiddleware": 100,
}

EXTENSIONS = {
    # AutoThrottle that respects per-site floors (min_delay, Crawl-delay, Retry-After).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.extensions.throttle.FloorAwareAutoThrottle": 0,
    "crawler.extensions.logfilters.QuietExpectedErrors": 0,
    # Before the manifest: both act when the engine stops, the ledger commits first.
    "crawler.extensions.ledger.LedgerExtension": 500,
    # The raw responses (NEWS_WARC); its last file is published before the manifest counts.
    "crawler.extensions.archive.WarcArchive": 600,
    "crawler.extensions.sitestats.SiteStats": 800,
    "crawler.extensions.manifest.RunManifest": 900,
}
FEED_STORAGES = {"file": "crawler.extensions.feedstorage.CommittingFileFeedStorage"}

FEED_EXPORT_ENCODING = "utf-8"

# The project's own settings (NEWS_*) are declared, with their defaults, in
# crawler/config/news.py: none of them belongs here.
