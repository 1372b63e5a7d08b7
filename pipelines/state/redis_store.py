"""RedisStore: the dedup state shared by every worker of a distributed crawl.

Same interface and the same verdicts as :class:`pipelines.state.sqlite_store.SQLiteStore`, with
one addition that several writers need: :meth:`RedisStore.decide` *claims* what it lets
through. Deciding and committing are separate steps (a record counts as emitted only
when its batch of output files commits, :mod:`pipelines.state.ledger`), so two workers could
otherwise both decide NEW for the same story between one's decision and its commit.

Keys, under ``<prefix>:s:`` (``NEWS_REDIS_PREFIX``, default ``news``):

- ``a:<id>`` hash, one per committed article id: ``url``, ``fp``, ``v`` (version),
  ``first``/``last`` seen, ``sig`` (packed MinHash signature), ``dup`` (the original's
  id for copies: records that were duplicates when last seen; a copy whose text changes
  is judged afresh, as :func:`pipelines.state.store.judge` says), ``bands`` (its
  LSH band keys, to re-index a revision); ``count`` counts them.
- ``f:<fingerprint>`` -> the article that first had that text; ``b:<band>`` set of
  articles with that LSH band key (the near-duplicate index).
- ``u:<url identity key>`` hash: settled pages for revisit rules (``a``, ``first``,
  ``last``, ``hint``).
- Claims, each with a TTL of ``NEWS_CLAIM_TTL`` seconds that the claiming worker's
  heartbeat thread renews while it lives: ``ca:<id>`` (owner ``o``, and for texts that
  enter the index ``fp`` and ``sig``), ``cf:<fingerprint>`` (owner, id) and
  ``cb:<band>`` (sorted set: claimed ids scored by their expiry in ms).
- ``batches:<worker id>`` hash: committed batches of output files whose renames may
  still be pending (``NEWS_WORKER_ID`` is per machine: the files are local to it).

Round trips: :meth:`decide` is one ``EVALSHA`` (a Lua script that checks committed
articles, fingerprints and bands *and* claims, and writes the claims if it lets the
candidate through, atomically); :meth:`commit` is one ``EVALSHA`` for a whole batch;
:meth:`url_state` one ``HMGET``.

What this guarantees, and what not:

- A story is emitted at most once while every worker's heartbeat reaches Redis at least
  once per ``NEWS_CLAIM_TTL`` between deciding and committing. A worker stalled longer
  (SIGSTOP, a network cut) can lose its claims; its commit then logs the articles it may
  emit twice.
- Claims of a dead worker expire after ``NEWS_CLAIM_TTL``; its pages are fetched again
  (the distributed scheduler gives its requests to another worker), and a later decision
  emits them. Decisions that lean on a live claim of another worker (UNCHANGED for the
  same id, duplicate of a claimed text) are committed like any other: the claimed story
  itself is emitted by its claimer or, if that one dies, by whoever fetches its page again.
- Redis must keep its data (``appendonly yes``): a Redis that restarts empty forgets
  what was emitted, and everything is emitted again.
- Scripts use keys they compute themselves: standalone Redis (or a primary with
  replicas), not Redis Cluster.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis

from pipelines.state import redis_scripts
from pipelines.state.neardup import NearDupIndex
from pipelines.state.store import (
    Candidate,
    Decision,
    FileMove,
    Registration,
    StoredArticle,
    StoreError,
    UrlNote,
    UrlState,
    Verdict,
)
from pipelines.state.workers import Heartbeat, lease_key, token_is_dead

logger = logging.getLogger(__name__)
_R = TypeVar("_R")

SCHEMA_VERSION = 1
# Renewals per TTL: two may fail (a slow Redis, a GC pause) before a claim lapses.
_BEATS_PER_TTL = 3


def _guarded(method: Callable[..., _R]) -> Callable[..., _R]:
    """Redis errors as StoreErrors: a lost connection must stop the run, not crash it."""

    @functools.wraps(method)
    def guarded(self: RedisStore, *args: Any, **kwargs: Any) -> _R:
        try:
            return method(self, *args, **kwargs)
        except redis.RedisError as exc:
            raise StoreError(f"lost the connection to Redis: {exc}") from exc

    return guarded


@dataclass(frozen=True)
class _Claim:
    fingerprint: str  # "" when only the id is claimed
    bands: tuple[str, ...]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisStore:
    def __init__(
        self,
        client: redis.Redis,
        index: NearDupIndex | None = None,
        *,
        prefix: str,
        worker: str,
        token: str,
        ttl: float,
    ) -> None:
        self.client = client
        self.index = index
        self.prefix = prefix
        self.keys = f"{prefix}:s:"
        self.worker = worker
        self.token = token
        self.ttl_ms = int(ttl * 1000)
        self._batches_key = f"{self.keys}batches:{self.worker}"
        self._lease = lease_key(prefix, self.token)
        self._claims: dict[str, _Claim] = {}
        self._claims_lock = threading.Lock()
        self._decide = client.register_script(redis_scripts.DECIDE)
        self._commit = client.register_script(redis_scripts.COMMIT)
        self._renew = client.register_script(redis_scripts.RENEW)
        self._release = client.register_script(redis_scripts.RELEASE)
        # Decisions that leant on another worker's live claim, for logs and tests.
        self.claim_conflicts = 0
        self._check_meta()
        self.renew()
        self._adopt_batches()
        self._heartbeat = Heartbeat(
            self.renew, ttl / _BEATS_PER_TTL, name=f"news-claims-{self.worker}"
        )
        self._heartbeat.start()

    # --- configuration guard ----------------------------------------------------------

    def _check_meta(self) -> None:
        wanted = {"schema": str(SCHEMA_VERSION)}
        if self.index is not None:
            # As SQLiteStore's: signatures and band keys from another scheme do not compare.
            wanted["near_dup"] = self.index.identity
        meta = f"{self.keys}meta"
        for key, value in wanted.items():
            self.client.hsetnx(meta, key, value)
            stored = _text(self.client.hget(meta, key))
            if stored != value:
                raise StoreError(
                    f"Redis state {self.keys}* was built with {key}={stored}, this run uses "
                    f"{value}; reset it with -s NEWS_STATE_RESET=1 (every worker's state)"
                )

    # --- deciding and committing -----------------------------------------------------

    def _text_parts(self, candidate: Candidate) -> tuple[bytes, list[str]]:
        if self.index is None or candidate.signature is None:
            return b"", []
        signature = candidate.signature
        return self.index.pack(signature), [str(k) for k in self.index.band_keys(signature)]

    @_guarded
    def decide(self, candidate: Candidate) -> Registration:
        packed, bands = self._text_parts(candidate)
        min_matches = self.index.config.min_matches if self.index is not None else 0
        reply = self._decide(
            args=[
                self.keys,
                self.token,
                self.ttl_ms,
                candidate.article_id,
                candidate.fingerprint,
                packed,
                min_matches,
                *bands,
            ]
        )
        verdict, version, other, matches, by_claim, text_claimed, was = reply
        verdict_name = _text(verdict)
        other_text = _text(other) or None
        # For a stored copy whose text changed: the text it had (its version is the next).
        previous = _text(was) or None
        if int(by_claim):
            self.claim_conflicts += 1
            logger.debug(
                "Article %s: %s, against a claim of another worker",
                candidate.article_id,
                verdict_name,
            )
        if verdict_name != "unchanged":
            claim = (
                _Claim(candidate.fingerprint, tuple(bands)) if int(text_claimed) else _Claim("", ())
            )
            with self._claims_lock:
                self._claims[candidate.article_id] = claim
        if verdict_name == "new":
            return Registration(Verdict.NEW, int(version), previous, promoted=previous is not None)
        if verdict_name == "unchanged":
            return Registration(Verdict.UNCHANGED, version=int(version))
        if verdict_name == "revised":
            return Registration(
                Verdict.REVISED, version=int(version), previous_fingerprint=other_text
            )
        if verdict_name == "duplicate_text":
            return Registration(Verdict.DUPLICATE_TEXT, int(version), previous, other_text)
        assert self.index is not None
        return Registration(
            Verdict.NEAR_DUPLICATE,
            int(version),
            previous,
            duplicate_of=other_text,
            similarity=int(matches) / self.index.config.num_perm,
        )

    @_guarded
    def article(self, article_id: str) -> StoredArticle | None:
        fingerprint, version, original = self.client.hmget(
            f"{self.keys}a:{article_id}", ["fp", "v", "dup"]
        )
        if fingerprint is None:
            return None
        return StoredArticle(_text(fingerprint) or "", int(version or 1), _text(original) or None)

    @_guarded
    def commit(
        self,
        decisions: Sequence[Decision],
        files: Sequence[FileMove] = (),
        urls: Sequence[UrlNote] = (),
    ) -> None:
        signatures: list[bytes] = []
        rows: list[list[Any]] = []
        with self._claims_lock:
            claimed = {c.article_id: self._claims.get(c.article_id) for c, _ in decisions}
        for candidate, registration in decisions:
            packed, bands = self._text_parts(candidate)
            if packed:
                signatures.append(packed)
            if registration.verdict not in (Verdict.NEW, Verdict.REVISED):
                # Indexed only as an original; band claims released (the ledger may have
                # called a text this store claimed a copy of one of its pending records).
                claim = claimed[candidate.article_id]
                bands = list(claim.bands) if claim is not None else []
            rows.append(
                [
                    registration.verdict.value,
                    candidate.article_id,
                    candidate.url,
                    candidate.fingerprint,
                    registration.version,
                    registration.duplicate_of or "",
                    len(signatures) if packed else 0,
                    bands,
                    int(claimed[candidate.article_id] is not None),
                ]
            )
        payload: dict[str, Any] = {
            "now": _now(),
            "d": rows,
            "u": [[n.key, n.article_id or "", n.modified_hint or ""] for n in urls],
        }
        if files:
            record = {"owner": self.token, "files": [list(move) for move in files]}
            payload["batch"] = [self._batches_key, json.dumps(record)]
        reply = self._commit(args=[self.keys, self.token, json.dumps(payload), *signatures])
        lost = [_text(item) for item in reply[1:]]
        with self._claims_lock:
            for candidate, _ in decisions:
                self._claims.pop(candidate.article_id, None)
        if lost:
            logger.error(
                "Claims on %d articles had lapsed before this commit (worker stalled longer "
                "than NEWS_CLAIM_TTL?): they may be emitted twice: %s",
                len(lost),
                ", ".join(str(x) for x in lost[:10]),
            )

    @_guarded
    def register(self, candidate: Candidate) -> Registration:
        registration = self.decide(candidate)
        self.commit([(candidate, registration)])
        return registration

    @_guarded
    def url_state(self, key: str) -> UrlState | None:
        article, first, last, hint = self.client.hmget(
            f"{self.keys}u:{key}", ["a", "first", "last", "hint"]
        )
        if first is None:
            return None
        return UrlState(_text(article) or None, _text(first) or "", _text(last) or "", _text(hint))

    @_guarded
    def count(self) -> int:
        return int(self.client.get(f"{self.keys}count") or 0)

    # --- claims -----------------------------------------------------------------------

    def _claims_json(self) -> str:
        with self._claims_lock:
            claims = [[i, c.fingerprint, list(c.bands)] for i, c in self._claims.items()]
        return json.dumps(claims)

    def renew(self) -> None:
        """Renew this worker's lease and the claims it holds (the heartbeat's work)."""
        self._renew(args=[self.keys, self.token, self.ttl_ms, self._lease, self._claims_json()])

    # --- batches of output files --------------------------------------------------

    def _adopt_batches(self) -> None:
        """Take over the batches of dead incarnations of this worker (same machine).

        Their records are committed: the files must be renamed into place, here, by the
        ledger's recovery. Batches of live workers sharing the worker id are left alone.
        """
        owners: dict[str, list[str]] = {}
        for batch_id, raw in self.client.hgetall(self._batches_key).items():
            owner = json.loads(raw)["owner"]
            if owner != self.token:
                owners.setdefault(owner, []).append(_text(batch_id) or "")
        for owner, batch_ids in owners.items():
            if not token_is_dead(self.client, self.prefix, owner):
                continue
            for batch_id in batch_ids:
                current = self.client.hget(self._batches_key, batch_id)
                if current is None:
                    continue
                record = json.loads(current)
                record["owner"] = self.token
                self.client.hset(self._batches_key, batch_id, json.dumps(record))
            logger.warning(
                "Adopted %d committed output batches of a dead worker (%s)", len(batch_ids), owner
            )

    @_guarded
    def unfinished_batches(self) -> list[tuple[int, list[FileMove]]]:
        batches = []
        for batch_id, raw in self.client.hgetall(self._batches_key).items():
            record = json.loads(raw)
            if record["owner"] == self.token:
                moves = [(str(a), str(b)) for a, b in record["files"]]
                batches.append((int(batch_id), moves))
        return sorted(batches)

    @_guarded
    def finish_batch(self, batch_id: int) -> None:
        self.client.hdel(self._batches_key, str(batch_id))

    @_guarded
    def close(self) -> None:
        self._heartbeat.stop()
        # Claims of records never committed (a later stage dropped them): free them now
        # rather than after the TTL.
        claims = self._claims_json()
        try:
            if claims != "[]":
                self._release(args=[self.keys, self.token, claims])
        except redis.RedisError as exc:
            logger.warning("Could not release claims at close (they expire): %s", exc)
        with self._claims_lock:
            self._claims.clear()
        self.client.close()


def reset_state(client: redis.Redis, prefix: str) -> int:
    """Delete the shared dedup state (every worker's): ``NEWS_STATE_RESET``."""
    deleted = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}:s:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            deleted += int(client.unlink(*batch))
            batch = []
    if batch:
        deleted += int(client.unlink(*batch))
    return deleted
