"""Near-duplicate math: word shingles, MinHash signatures, LSH band keys, the decision rule.

No storage here: :class:`pipelines.state.sqlite_store.SQLiteStore` persists the signatures and band
keys this module computes, so everything that reaches the disk must be deterministic across
processes, machines and runs (rensa hashes tokens itself, independent of ``PYTHONHASHSEED``;
band keys are blake2b over little-endian bytes).

Choice of parameters (threshold 0.8, 128 permutations), measured with ``python -m bench.dedup``
on a synthetic news corpus:

* Shingles of 3 words. On the benchmark corpus, 2-word shingles make unrelated articles
  look alike (median Jaccard 0.13, which feeds LSH with spurious candidates); 5-word
  shingles push 2% of a-few-words-changed and credit-line edits below 0.8. With 3 words,
  unrelated articles stay below 0.1 (median 0.05, same-topic stories included) and every
  light edit but a new intro on a short piece stays at or above 0.8.

* Decision rule: the estimated Jaccard (share of equal signature slots) must reach a cutoff
  set *below* the threshold. The number of equal slots for a pair of true Jaccard J is about
  Binomial(num_perm, J), so the estimate at J = 0.8 has a standard deviation of
  sqrt(0.8 * 0.2 / 128) = 0.035: a rule "estimate >= 0.8" would miss half the pairs sitting
  at the threshold. The cutoff is the 5th percentile of Binomial(128, 0.8): 95 equal slots,
  an estimate of 0.742, so at least 95% of the pairs at the threshold, and more above it,
  pass. The price: a pair at J = 0.70 passes with probability ~0.17, at J = 0.65 ~0.02, at
  J <= 0.5 never in practice. Unrelated texts (J < 0.1) cannot reach 95 of 128. The
  benchmark checks the binomial model: rensa's estimate errors, scaled by the binomial
  standard deviation, have a standard deviation of about 0.9 (1.0 would be exact).

* LSH banding, 25 bands x 5 rows (125 of the 128 slots): a pair becomes a candidate with
  probability 1 - (1 - J^5)^25:

      J        0.05     0.2      0.4      0.5    0.6    0.7    0.742  0.8      0.9
      P(cand)  8e-06   0.008    0.23     0.55   0.87   0.99   0.998  0.99995  1.0

  The curve must be near 1 at the decision cutoff (0.742), not only at the threshold, or
  LSH loses pairs the rule would accept. 16 x 8 gives only 0.95 at J = 0.8; 21 x 6 gives
  0.978 at the cutoff. 32 x 4 is as safe but makes 2.5x (J 0.4) to 25x (J 0.05) more
  candidates among unrelated and loosely related texts, each costing a signature read,
  and stores 32 keys a document instead of 25. With 25 x 5, unrelated articles (J < 0.1)
  give < 2.5e-4 candidates per stored article, about 3 per million on the benchmark corpus.

Texts shorter than ``shingle_size`` words become one shingle of all their words, so they
near-match only an identical short text (which the exact fingerprint catches first). A text
with no words at all gets the *empty signature* (every slot 2**32 - 1): it is never a near
duplicate of anything and has no band keys, so empty texts do not pile up in one bucket.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from dataclasses import dataclass
from typing import Self

from rensa import RMinHash

from pipelines.cleaning.text import normalized_words

_EMPTY_SLOT = 0xFFFFFFFF  # rensa's value for a slot no shingle has touched
_MAX_SEED = (1 << 64) - 1  # rensa takes an unsigned 64-bit seed
# The LSH candidate probability wanted at the decision cutoff: at the cutoff and above,
# banding must almost never lose a pair the decision rule would accept.
_MIN_CANDIDATE_PROBABILITY = 0.99


@dataclass(frozen=True)
class NearDupConfig:
    threshold: float = 0.8  # Jaccard over word shingles at which two texts are one story
    num_perm: int = 128
    bands: int = 25  # see the module docstring for the S-curve behind 25 x 5
    rows: int = 5
    shingle_size: int = 3  # words per shingle
    seed: int = 0x6E657773
    # Share of pairs at exactly the threshold the decision rule accepts despite the
    # estimation noise; it sets the cutoff below the threshold.
    confidence: float = 0.95

    def __post_init__(self) -> None:
        _check_threshold(self.threshold)
        if not 0.5 <= self.confidence < 1.0:
            raise ValueError(f"confidence must be in [0.5, 1), got {self.confidence!r}")
        for name in ("num_perm", "bands", "rows", "shingle_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands x rows = {self.bands} x {self.rows} = {self.bands * self.rows} "
                f"exceeds num_perm = {self.num_perm}"
            )
        if not 0 <= self.seed <= _MAX_SEED:
            raise ValueError(f"seed must be an unsigned 64-bit integer, got {self.seed!r}")
        cutoff = self.min_matches / self.num_perm
        probability = self.candidate_probability(cutoff)
        if probability < _MIN_CANDIDATE_PROBABILITY:
            raise ValueError(
                f"bands={self.bands} x rows={self.rows} find only {probability:.1%} of the "
                f"pairs at the decision cutoff {cutoff:.3f} (threshold {self.threshold}); "
                "use fewer rows per band: NearDupConfig.for_threshold(threshold) picks them"
            )

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = 128, confidence: float = 0.95) -> Self:
        """The default banding if it suits ``threshold``, else the tightest banding that does.

        Keeping the default whenever it works matters: stored band keys depend on the
        banding, so another banding means rebuilding the store.
        """
        _check_threshold(threshold)
        cutoff = _min_matches(num_perm, threshold, confidence) / num_perm
        for rows in range(cls.rows, 0, -1):
            bands = num_perm // rows
            if bands and _candidate_probability(cutoff, bands, rows) >= _MIN_CANDIDATE_PROBABILITY:
                return cls(threshold, num_perm, bands, rows, confidence=confidence)
        raise ValueError(f"no banding of {num_perm} permutations suits threshold {threshold}")

    @property
    def min_matches(self) -> int:
        """Equal signature slots needed to call two texts near duplicates."""
        return _min_matches(self.num_perm, self.threshold, self.confidence)

    def candidate_probability(self, jaccard: float) -> float:
        """Chance that LSH banding makes a pair of this true Jaccard a candidate."""
        return _candidate_probability(jaccard, self.bands, self.rows)


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")


def _candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - jaccard**rows) ** bands


def _min_matches(num_perm: int, threshold: float, confidence: float) -> int:
    """The largest k with P(Binomial(num_perm, threshold) >= k) >= confidence."""
    if threshold >= 1.0:
        return num_perm
    log_hit, log_miss = math.log(threshold), math.log1p(-threshold)
    log_n = math.lgamma(num_perm + 1)
    # Walk the upper tail down from num_perm until it holds `confidence` of the mass; in
    # logs, because binomial coefficients overflow floats beyond about 1,000 permutations.
    tail = 0.0
    for k in range(num_perm, 0, -1):
        log_choose = log_n - math.lgamma(k + 1) - math.lgamma(num_perm - k + 1)
        tail += math.exp(log_choose + k * log_hit + (num_perm - k) * log_miss)
        if tail >= confidence:
            return k
    return 1


# Band keys of this many recent signatures are remembered: one article's keys are asked for
# by the ledger and by the store's decide and commit, 25 blake2b digests each time.
_KEYS_REMEMBERED = 1024


# Signatures computed by extraction workers and not asked for yet: the items between the
# extraction and the dedup pipelines, a few hundred at most unless they were dropped there.
_GIVEN_REMEMBERED = 4096


def text_shingles(text: str, size: int) -> list[str]:
    """Distinct ``size``-word shingles of the normalized text, in order of first occurrence."""
    return list(dict.fromkeys(_shingles(text, size)))


def _shingles(text: str, size: int) -> list[str]:
    """Every ``size``-word shingle of the normalized text, repeats included."""
    words = normalized_words(text)
    if len(words) < size:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[start:] for start in range(size)), strict=False)))


def text_signature(text: str, config: NearDupConfig) -> tuple[int, ...]:
    """The MinHash signature of ``text`` under ``config``: ``num_perm`` unsigned 32-bit ints.

    A function of the text and the config alone, so an extraction worker computes the same
    signature the crawl process would.
    """
    # Repeated shingles are not removed: a minimum does not change when a value comes again.
    shingles = _shingles(text, config.shingle_size)
    if not shingles:
        return (_EMPTY_SLOT,) * config.num_perm
    minhash = RMinHash(config.num_perm, config.seed)
    minhash.update(shingles)
    return tuple(minhash.digest())


class NearDupIndex:
    """Signatures and band keys for one :class:`NearDupConfig`; stateless apart from it
    and a small memo of recent band keys."""

    def __init__(self, config: NearDupConfig = NearDupConfig()) -> None:
        self.config = config
        self._min_matches = config.min_matches
        self._empty = (_EMPTY_SLOT,) * config.num_perm
        self._band_format = struct.Struct(f"<I{config.rows}I")
        self._slot_format = struct.Struct(f"<{config.num_perm}I")
        self._recent_keys: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._given: dict[str, tuple[int, ...]] = {}

    @property
    def scheme(self) -> str:
        """Everything a stored signature depends on, including rensa's hashing version.

        Signatures or band keys stored under another scheme are not comparable.
        """
        c = self.config
        return (
            f"rensa-rminhash-v{RMinHash.ALGORITHM_VERSION}/perm{c.num_perm}/seed{c.seed}"
            f"/words{c.shingle_size}/bands{c.bands}x{c.rows}"
        )

    @property
    def identity(self) -> str:
        """What a store's signatures and band keys depend on (the threshold, a decision rule,
        does not), as a string a store keeps and compares when it is opened again."""
        c = self.config
        return json.dumps(
            {
                "scheme": self.scheme,
                "num_perm": c.num_perm,
                "bands": c.bands,
                "rows": c.rows,
                "shingle_size": c.shingle_size,
                "seed": c.seed,
            },
            sort_keys=True,
        )

    def shingles(self, text: str) -> list[str]:
        """Distinct word shingles of the normalized text, in order of first occurrence."""
        return text_shingles(text, self.config.shingle_size)

    def signature(self, text: str) -> tuple[int, ...]:
        """The MinHash signature: ``num_perm`` unsigned 32-bit ints."""
        given = self._given.pop(text, None)
        if given is not None:
            return given
        return text_signature(text, self.config)

    def provide(self, text: str, signature: tuple[int, ...]) -> None:
        """Take the signature of ``text`` computed elsewhere (an extraction worker, with this
        index's config): the next :meth:`signature` of that text returns it, once."""
        self._check(signature)
        if len(self._given) >= _GIVEN_REMEMBERED:
            del self._given[next(iter(self._given))]  # its item was dropped on the way
        self._given[text] = signature

    def band_keys(self, signature: tuple[int, ...]) -> list[int]:
        """One signed 64-bit key per band (band number mixed in); none for an empty text."""
        known = self._recent_keys.get(signature)
        if known is not None:
            return list(known)
        self._check(signature)
        if signature == self._empty:
            return []
        rows, pack = self.config.rows, self._band_format.pack
        keys = [
            int.from_bytes(
                hashlib.blake2b(
                    pack(band, *signature[band * rows : (band + 1) * rows]), digest_size=8
                ).digest(),
                "little",
                signed=True,
            )
            for band in range(self.config.bands)
        ]
        if len(self._recent_keys) >= _KEYS_REMEMBERED:
            del self._recent_keys[next(iter(self._recent_keys))]  # the oldest
        self._recent_keys[signature] = tuple(keys)
        return keys

    def similarity(self, a: tuple[int, ...], b: tuple[int, ...]) -> float:
        """Estimated Jaccard: the share of equal slots."""
        return self._matches(a, b) / self.config.num_perm

    def is_near_duplicate(self, a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        """The decision for an LSH candidate pair; the cutoff is explained in the module doc."""
        if a == self._empty or b == self._empty:
            return False
        return self._matches(a, b) >= self._min_matches

    def pack(self, signature: tuple[int, ...]) -> bytes:
        """4 bytes a slot, little-endian: 512 bytes for 128 permutations."""
        self._check(signature)
        return self._slot_format.pack(*signature)

    def unpack(self, data: bytes) -> tuple[int, ...]:
        if len(data) != self._slot_format.size:
            raise ValueError(
                f"packed signature has {len(data)} bytes, expected {self._slot_format.size} "
                f"for num_perm={self.config.num_perm}"
            )
        return self._slot_format.unpack(data)

    def _matches(self, a: tuple[int, ...], b: tuple[int, ...]) -> int:
        self._check(a)
        self._check(b)
        return sum(x == y for x, y in zip(a, b, strict=True))

    def _check(self, signature: tuple[int, ...]) -> None:
        if len(signature) != self.config.num_perm:
            raise ValueError(
                f"signature has {len(signature)} slots, expected {self.config.num_perm}"
            )
