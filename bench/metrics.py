"""Token-shingle scoring of extracted text against a ground-truth article body.

The definition follows the extraction benchmark's README: 4-token shingles of ``\\w`` runs,
per-document tp/fp/fn scaled to sum to 1 so long documents weigh no more than short ones,
precision and recall averaged over documents, F1 as the harmonic mean of the two means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(text: str, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        # A text shorter than one shingle still counts, as a single shingle of itself.
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class DocScore:
    """Scaled shared/extra/missed shingle shares of one document (they sum to 1 or are 0)."""

    tp: float
    fp: float
    fn: float
    has_prediction: bool
    has_truth: bool

    @property
    def precision(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_document(truth: str, prediction: str) -> DocScore:
    true_sh = shingles(truth)
    pred_sh = shingles(prediction)
    tp = sum((true_sh & pred_sh).values())
    fp = sum((pred_sh - true_sh).values())
    fn = sum((true_sh - pred_sh).values())
    total = tp + fp + fn
    if total:
        return DocScore(tp / total, fp / total, fn / total, bool(pred_sh), bool(true_sh))
    return DocScore(0.0, 0.0, 0.0, False, False)


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float
    share_f1_090: float  # share of documents whose own F1 is at least 0.9
    documents: int


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarize(scores: Iterable[DocScore]) -> Summary:
    docs = list(scores)
    precision = _mean([s.precision for s in docs if s.has_prediction])
    recall = _mean([s.recall for s in docs if s.has_truth])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    share = _mean([1.0 if s.f1 >= 0.9 else 0.0 for s in docs])
    return Summary(precision, recall, f1, share, len(docs))
