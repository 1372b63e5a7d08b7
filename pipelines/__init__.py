"""Item pipelines (the modules at this level) and the libraries they drive (sub-packages).

- :mod:`pipelines.extraction` drives :mod:`pipelines.cleaning` in :mod:`pipelines.pool`;
- :mod:`pipelines.dedup` decides through :mod:`pipelines.state`;
- :mod:`pipelines.textfiles` writes one text file per article.

The sub-packages import no Scrapy: they are usable, and tested, on their own.
"""
