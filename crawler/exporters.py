"""The exporter of the run's own JSON Lines batches."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from scrapy.exporters import JsonLinesItemExporter

# The format name of the run's feed (crawler.addon), in FEED_EXPORTERS (crawler.settings).
RECORDS_FORMAT = "news-jsonlines"


class RecordLinesExporter(JsonLinesItemExporter):
    """Scrapy's JSON Lines, with the records encoded by orjson: one object a line, UTF-8.

    Scrapy's exporter adapts the record and each nested author and image through
    ItemAdapter, then encodes with the json module: 170 us a record of the benchmark's,
    a sixth of the crawl process's CPU, against 6 us here. The lines hold the same JSON
    (the dataclass fields in order, nested dataclasses as objects), written compactly.
    What orjson would write differently goes through Scrapy's exporter instead: feed
    options that choose or lay out fields, other encodings, items that are not
    dataclasses, and values orjson refuses (a lone surrogate, an int over 64 bits).
    """

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        # The feed's options are fixed: whether orjson writes its lines is decided once.
        encoding = (self.encoding or "").lower().replace("_", "-")
        self._compact = (
            self.fields_to_export is None and not self.indent and encoding in ("utf-8", "utf8")
        )

    def export_item(self, item: Any) -> None:
        if self._compact and dataclasses.is_dataclass(item) and not isinstance(item, type):
            try:
                line = orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE)
            except orjson.JSONEncodeError:
                pass
            else:
                self.file.write(line)
                return
        super().export_item(item)
