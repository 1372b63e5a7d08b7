"""Parquet batches: the same records as a JSON Lines batch, in a fixed columnar schema.

One Parquet file per batch (zstd), written from the batch's records after they are read
back from the JSON Lines file, and committed with it: a reader sees both or neither. The
schema is fixed and versioned (:data:`SCHEMA_VERSION`, in the file's metadata), so a table
of many runs stays one table; dates stay ISO 8601 text, which keeps each page's own time
zone offset (Parquet timestamps would keep only the instant).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"
_TEXT = pa.string()
_TEXTS = pa.list_(pa.string())
_AUTHOR = pa.struct([("name", _TEXT), ("nameRaw", _TEXT)])
_IMAGE = pa.struct(
    [
        ("url", _TEXT),
        ("caption", _TEXT),
        ("credit", _TEXT),
        ("width", pa.int32()),
        ("height", pa.int32()),
    ]
)
_BREADCRUMB = pa.struct([("name", _TEXT), ("url", _TEXT)])
SCHEMA = pa.schema(
    [
        ("id", _TEXT),
        ("url", _TEXT),
        ("canonicalUrl", _TEXT),
        ("site", _TEXT),
        ("headline", _TEXT),
        ("articleBody", _TEXT),
        ("articleBodyMarkdown", _TEXT),
        ("authors", pa.list_(_AUTHOR)),
        ("datePublished", _TEXT),
        ("dateModified", _TEXT),
        ("inLanguage", _TEXT),
        ("languageConfidence", pa.float32()),
        ("description", _TEXT),
        ("mainImage", _IMAGE),
        ("images", pa.list_(_IMAGE)),
        ("articleSection", _TEXT),
        ("keywords", _TEXTS),
        ("breadcrumbs", pa.list_(_BREADCRUMB)),
        ("wordCount", pa.int32()),
        ("fingerprint", _TEXT),
        ("fetchedAt", _TEXT),
        ("discoveredVia", _TEXT),
        ("flags", _TEXTS),
        ("version", pa.int32()),
        ("previousFingerprint", _TEXT),
        ("duplicateOf", _TEXT),
        ("warcFile", _TEXT),
        ("warcRecordId", _TEXT),
    ],
    metadata={"newscrawler.schema": SCHEMA_VERSION},
)


def write_batch(path: Path, records: Sequence[dict[str, Any]]) -> None:
    """Write ``records`` (dicts of Article fields) to a new Parquet file at ``path``.

    Fields outside the schema are left out; missing ones are null.
    """
    table = pa.Table.from_pylist(list(records), schema=SCHEMA)
    pq.write_table(table, path, compression="zstd")


def count_rows(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)
