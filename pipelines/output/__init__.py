"""The output library: the run directory's layout and files that appear whole.

What a run writes and under which names (:mod:`pipelines.output.layout`), and how a file
is written so that a reader, or a crash, never sees half of it, with the permissions the
process umask asks for (:mod:`pipelines.output.files`). No Scrapy here.
"""
