"""What a data engineer would write instead of the crawler: honest, idiomatic peers.

Each is a small script with the same job as ``scrapy crawl news`` on the benchmark's pages
(fetch every URL, extract the article text, write one JSON line per page), run by
``python -m bench.throughput`` as a subprocess, so that wall time, CPU and memory are
measured the same way for every variant.
"""
