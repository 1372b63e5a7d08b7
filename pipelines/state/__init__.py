"""The state layer: what has been emitted, so every story is emitted once.

The store interface and its implementations (in memory, SQLite on one machine, Redis
for N workers), the near-duplicate index (MinHash/LSH) and the emission ledger, which
commits dedup decisions in the same step that makes their output files visible.
"""
