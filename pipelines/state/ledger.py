"""EmissionLedger: a record counts as emitted exactly when its output files appear.

The dedup pipeline decides per item, against the store's committed state *and* the
records of this run not committed yet (:meth:`EmissionLedger.decide`; an id the store
knows is judged by what the store knows of it first), and records its decision here.
Output files are written under temporary names and attached to their record. When a
batch file is complete, the feed storage reads back the ids it holds and
calls :meth:`EmissionLedger.commit_batch` with them: the batch's files are made durable,
then one store transaction records those records' decisions *and* the list of files,
after which the files are renamed into place. A crash before the transaction loses the
batch's files and decisions together, so the next run emits those records again; a crash
after it is repaired at the next start by finishing the renames (:meth:`recover`).

Only what is durably written is committed: a record whose batch failed (a full disk, an
unwritable directory, a store that timed out) stays uncommitted, its temporary files are
deleted (:meth:`discard_unwritten`), and the next run emits it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from crawler.discovery.urls import url_identity_key
from crawler.items import Article
from pipelines.output.files import FileMove, finish_moves, make_durable
from pipelines.state.neardup import NearDupIndex
from pipelines.state.store import (
    ArticleStore,
    Candidate,
    Decision,
    Registration,
    UrlNote,
    Verdict,
)

logger = logging.getLogger(__name__)


class LedgerError(RuntimeError):
    """A batch names records the ledger cannot commit (never decided, or already done)."""


@dataclass
class _Pending:
    candidate: Candidate
    registration: Registration
    files: list[FileMove] = field(default_factory=list)
    # Settled only with the record's own batch: noted earlier, a crash would leave
    # the page "known" with its record lost.
    urls: list[UrlNote] = field(default_factory=list)


class EmissionLedger:
    def __init__(self, store: ArticleStore, index: NearDupIndex | None) -> None:
        self.store = store
        self.index = index
        # Records decided as emitted and not committed yet, by article id.
        self._pending: dict[str, _Pending] = {}
        self._dropped: list[Decision] = []
        self._by_fingerprint: dict[str, str] = {}
        # LSH band key -> uncommitted originals, so a record is compared with the few
        # pending ones sharing a band (as the store does), not with the whole batch.
        self._by_band: dict[int, list[_Pending]] = {}
        self._urls: list[UrlNote] = []
        self._origins: dict[str, str] = {}  # identity of a redirect target -> of the request

    # --- deciding -------------------------------------------------------------------

    def candidate(self, article: Article) -> Candidate:
        signature = self.index.signature(article.articleBody) if self.index else None
        return Candidate(article.id, article.canonicalUrl, article.fingerprint, signature)

    def decide(self, candidate: Candidate) -> Registration:
        """The store's verdict, seen through this run's records not committed yet.

        An id the store knows is judged by what the store knows of it first (the same
        text, a revision of an original, a copy's new text judged against the committed
        originals). Only an unknown id, or a copy that no committed original explains any
        more, is compared with this run's pending originals.
        """
        pending = self._pending.get(candidate.article_id)
        if pending is not None and pending.candidate.fingerprint == candidate.fingerprint:
            return Registration(Verdict.UNCHANGED, version=pending.registration.version)
        this_run = self._pending_original_of(candidate)
        # The store is asked about the id only when a pending record could change the
        # verdict: one round trip per decision otherwise (Redis).
        if this_run is None or self.store.article(candidate.article_id) is None:
            return this_run or self.store.decide(candidate)
        registration = self.store.decide(candidate)
        if not registration.promoted:
            return registration
        # A copy whose new text copies none of the committed originals but one of this
        # run's: still a copy, with the history the store gave it.
        return replace(
            this_run,
            version=registration.version,
            previous_fingerprint=registration.previous_fingerprint,
        )

    def _pending_original_of(self, candidate: Candidate) -> Registration | None:
        owner = self._by_fingerprint.get(candidate.fingerprint)
        if owner is not None and owner != candidate.article_id:
            return Registration(Verdict.DUPLICATE_TEXT, duplicate_of=owner)
        return self._nearest_pending(candidate)

    def _nearest_pending(self, candidate: Candidate) -> Registration | None:
        if self.index is None or candidate.signature is None:
            return None
        best: Registration | None = None
        seen: set[str] = set()
        for key in self.index.band_keys(candidate.signature):
            for pending in self._by_band.get(key, ()):
                other = pending.candidate
                if other.article_id in seen or other.article_id == candidate.article_id:
                    continue
                seen.add(other.article_id)
                assert other.signature is not None
                if self.index.is_near_duplicate(candidate.signature, other.signature):
                    similarity = self.index.similarity(candidate.signature, other.signature)
                    if best is None or similarity > (best.similarity or 0):
                        best = Registration(
                            Verdict.NEAR_DUPLICATE,
                            duplicate_of=other.article_id,
                            similarity=similarity,
                        )
        return best

    def _reindex(self) -> None:
        """Rebuild the lookups of uncommitted originals (text hash, LSH bands)."""
        self._by_fingerprint = {}
        self._by_band = {}
        for pending in self._pending.values():
            self._index(pending)

    def _index(self, pending: _Pending) -> None:
        # Like the store, only originals: a later copy points at the original, never at
        # a copy of it, whether or not the batch between them has been committed.
        if pending.registration.verdict not in (Verdict.NEW, Verdict.REVISED):
            return
        candidate = pending.candidate
        self._by_fingerprint.setdefault(candidate.fingerprint, candidate.article_id)
        if self.index is not None and candidate.signature is not None:
            for key in self.index.band_keys(candidate.signature):
                self._by_band.setdefault(key, []).append(pending)

    def record(
        self, article: Article, candidate: Candidate, registration: Registration, emitted: bool
    ) -> None:
        notes = self.url_notes(
            article.url, article.id, article.dateModified or article.datePublished
        )
        if not emitted:
            self._dropped.append((candidate, registration))
            self._urls += notes
            return
        pending = _Pending(candidate, registration, urls=notes)
        self._pending[candidate.article_id] = pending
        self._index(pending)

    def forget(self, article_id: str) -> None:
        """A later pipeline dropped a record decided as emitted: it never will be."""
        pending = self._pending.pop(article_id, None)
        if pending is not None:
            _delete_temporary(pending.files)
            self._reindex()

    def settle(self, notes: Iterable[UrlNote]) -> None:
        """Pages settled without a record of their own (variants, pages judged unusable)."""
        self._urls += notes

    def attach_file(self, article_id: str, temporary: Path, final: Path) -> None:
        """A file that must appear when (and only when) this article's batch commits."""
        pending = self._pending.get(article_id)
        if pending is None:
            raise LedgerError(f"article {article_id} has no pending emission")
        pending.files.append((str(temporary), str(final)))

    # --- settled URLs, for revisit rules ------------------------------------------

    def note_redirect(self, final_url: str, first_url: str) -> None:
        try:
            self._origins[url_identity_key(final_url)] = url_identity_key(first_url)
        except ValueError:
            return

    def url_notes(self, url: str, article_id: str | None, modified: str | None) -> list[UrlNote]:
        try:
            key = url_identity_key(url)
        except ValueError:
            return []
        return [UrlNote(each, article_id, modified) for each in {key, self._origins.pop(key, key)}]

    # --- committing -----------------------------------------------------------------

    def commit_batch(self, article_ids: Sequence[str], files: Sequence[FileMove] = ()) -> None:
        """Commit the records of one written batch, with ``files`` and their own files.

        Raises OSError when the files cannot be made durable, the store's errors when it
        cannot commit, :class:`LedgerError` for ids it has no pending record of: in every
        case nothing is committed, and those records stay pending.
        """
        missing = [i for i in article_ids if i not in self._pending]
        if missing or len(set(article_ids)) != len(article_ids):
            raise LedgerError(
                f"batch names {len(missing)} records not pending (e.g. {missing[:3]}) "
                "or one record twice"
            )
        taken = [self._pending[i] for i in article_ids]
        moves = [*files, *(move for pending in taken for move in pending.files)]
        decisions = [(p.candidate, p.registration) for p in taken] + self._dropped
        urls = [*self._urls, *(note for pending in taken for note in pending.urls)]
        make_durable(Path(temporary) for temporary, _ in moves)
        self.store.commit(decisions, moves, urls)
        self._urls = []
        self._dropped = []
        for article_id in article_ids:
            del self._pending[article_id]
        finish_moves(moves)
        self._reindex()
        for batch_id, _ in self.store.unfinished_batches():
            self.store.finish_batch(batch_id)

    def commit_decisions(self) -> None:
        """Commit what is left that carries no record: dropped duplicates, settled pages."""
        if self._dropped or self._urls:
            self.store.commit(self._dropped, (), self._urls)
            self._dropped = []
            self._urls = []

    def unwritten(self) -> list[str]:
        """Records decided as emitted whose batch never committed (failed, or no feed)."""
        return list(self._pending)

    def discard_unwritten(self) -> int:
        """Forget the uncommitted records and delete their temporary files."""
        count = len(self._pending)
        for pending in self._pending.values():
            _delete_temporary(pending.files)
        self._pending = {}
        self._reindex()
        return count

    # --- recovery -------------------------------------------------------------------

    def recover(self) -> int:
        """Finish the renames of batches a killed run committed; returns files renamed."""
        renamed = 0
        for batch_id, moves in self.store.unfinished_batches():
            renamed += finish_moves(moves)
            self.store.finish_batch(batch_id)
        if renamed:
            logger.warning("Recovered %d output files of an interrupted run", renamed)
        return renamed


def _delete_temporary(files: Iterable[FileMove]) -> None:
    for temporary, _ in files:
        Path(temporary).unlink(missing_ok=True)
