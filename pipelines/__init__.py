"""Item pipelines: cleaning, deduplication and output."""
