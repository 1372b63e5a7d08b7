"""Scrapy settings for the news crawler.

Project settings (``NEWS_*``) are documented in README.md; every one can be given
on the command line with ``-s NAME=value``.
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
COOKIES_ENABLED = False

# Both run arbitrary inspection code inside the crawl; never expose them.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

ADDONS = {
    "crawler.extensions.output.RunOutputAddon": 0,
    # Switches to the shared Redis frontier and state when REDIS_URL is set.
    "crawler.distributed.DistributedAddon": 10,
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
}

EXTENSIONS = {
    # AutoThrottle that respects per-site floors (min_delay, Crawl-delay, Retry-After).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.middlewares.politeness.FloorAwareAutoThrottle": 0,
    # Before the manifest: both act when the engine stops, the ledger commits first.
    "pipelines.state.ledger.EmissionLedger": 500,
    "crawler.extensions.sitestats.SiteStats": 800,
    "crawler.extensions.manifest.RunManifest": 900,
}
FEED_STORAGES = {"file": "crawler.extensions.feedstorage.CommittingFileFeedStorage"}

FEED_EXPORT_ENCODING = "utf-8"

# --- Project settings -------------------------------------------------------------
# Registry file; empty means the bundled crawler/sites.toml.
NEWS_REGISTRY = ""
# Each run writes to a new directory under this one (RunOutputAddon).
NEWS_OUTPUT_DIR = "output"
# Set to write into this exact directory instead (must not hold an earlier run's files).
NEWS_RUN_DIR = ""
# Records per JSON Lines batch file; a batch becomes visible (and its records count as
# emitted in the dedup store) when it is complete.
NEWS_BATCH_SIZE = 100
# Write one NNN_<id>.txt file per article beside the JSON Lines feed.
NEWS_TEXT_FILES = True
# Hub pages (sections, tags) followed per site when follow_depth >= 2.
NEWS_MAX_HUB_PAGES = 50
# Child sitemaps followed from one sitemap index, and entries read from one feed/sitemap.
NEWS_MAX_CHILD_SITEMAPS = 50
NEWS_MAX_ENTRIES = 5000
# Extraction: bodies shorter than this many words are flagged "too_short".
NEWS_MIN_WORDS = 100
# Dedup state: "sqlite" (persistent, under NEWS_STATE_DIR) or "memory" (this run only).
NEWS_STATE_STORE = "sqlite"
NEWS_STATE_DIR = "data"
# Delete the state store when the run starts (everything counts as new again).
NEWS_STATE_RESET = False
# Near duplicates (syndicated copies): MinHash/LSH over word shingles.
NEWS_NEAR_DUP = True
NEWS_NEAR_DUP_THRESHOLD = 0.8
# What to do with exact and near duplicates: "drop", or "keep" with duplicateOf set.
NEWS_DUPLICATES = "drop"
# Incremental runs: hubs are fetched with If-None-Match/If-Modified-Since, and known
# articles are only downloaded again when a feed/sitemap says they changed or the
# site's revisit_hours window has passed.
NEWS_CONDITIONAL_HUBS = True
NEWS_REVISIT_RULES = True
# Caps on what a site may ask for: robots.txt Crawl-delay and a Retry-After answer.
NEWS_MAX_CRAWL_DELAY = 60.0
NEWS_MAX_RETRY_AFTER = 300.0
# Distributed mode (docs in README): set REDIS_URL to share the frontier and dedup state.
REDIS_URL = ""
NEWS_REDIS_PREFIX = "news"
# Seconds an idle worker waits for work before it exits.
NEWS_IDLE_TIMEOUT = 120
# Seconds before a dead worker's claims on stories lapse (live workers renew theirs).
NEWS_CLAIM_TTL = 60
# A run is unhealthy (manifest "health", cron exit code 1) above this download error rate.
NEWS_HEALTH_MAX_ERROR_RATE = 0.25
# Extraction runs in a pool of worker processes (pipelines/pool.py): the number of
# workers (empty: one per usable core; 0: inline, for debugging), seconds one page may
# take, largest page extracted, and pages after which a worker is replaced.
NEWS_EXTRACT_WORKERS = ""
NEWS_EXTRACT_TIMEOUT = 10
NEWS_EXTRACT_MAX_BYTES = 4 * 1024 * 1024
NEWS_EXTRACT_MAX_TASKS_PER_WORKER = 1000
# Flags that make the record dropped (counted under news/clean/<flag>) instead of kept.
NEWS_DROP_FLAGS = ["not_article", "too_short", "consent_wall", "too_deep"]
