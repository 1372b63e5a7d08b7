"""Configuration: every ``NEWS_*`` setting declared once, validated before anything runs.

:class:`NewsConfig` is the typed view of the settings that components read;
:class:`ConfigError` names the bad setting, its value and what is allowed. No Scrapy
import: a settings mapping is all it needs.
"""

from crawler.config.news import PREFIX, NewsConfig
from crawler.config.schema import ConfigError

__all__ = ["PREFIX", "ConfigError", "NewsConfig"]
