"""Print the README's settings table: ``python -m crawler.config``."""

from crawler.config.table import settings_table

print(settings_table())
