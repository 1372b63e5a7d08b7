"""The raw archive: WARC files written while crawling, read back for re-cleaning.

- :mod:`pipelines.archive.writer`: request and response records (WARC/1.1, gzip per
  record) into segments under temporary names, sealed and handed to the batch commit, so
  a segment appears exactly when the records that point into it do;
- :mod:`pipelines.archive.reader`: response records of any WARC file (ours, CC-NEWS,
  other crawlers'), with every kind of damage a named skip instead of an exception;
- :mod:`pipelines.archive.plan`: which captures a re-cleaning run sends through the
  pipelines (registry hosts, a date window, the newest capture of each URL).

No Scrapy here: the adapters are :mod:`crawler.extensions.archive` (writing) and
:mod:`crawler.spiders.reprocess` (reading).
"""
