"""Operations: running the crawler unattended and telling whether a run went well.

The ``newscrawler-cron`` entry point (lock, time limit, graceful stop, exit codes), the
run's health verdict and each site's history. No Scrapy import: the extensions in
:mod:`crawler.extensions` feed these functions the crawl's stats.
"""
