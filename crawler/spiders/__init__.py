"""Spiders: discovery and fetching only (the ``news`` spider); extraction is a pipeline."""
