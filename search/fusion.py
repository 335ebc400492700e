"""Reciprocal-rank fusion (Cormack, Clarke & Buettcher 2009): the one implementation.

The backends' ``hybrid`` (``search.backends.base.reciprocal_rank_fusion``) and the match
engine (``search.matching``) both fuse their lexical and vector rankings here, so a
fused order, its scores and its tie-break are the same wherever they are computed.
Pure Python, no Django import.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["RRF_K", "rrf_fuse"]

#: The ``k`` constant of reciprocal-rank fusion; 60 as in the paper.
RRF_K = 60

IdT = TypeVar("IdT", bound=Hashable)


def rrf_fuse(rankings: Sequence[Sequence[IdT]], k: int = RRF_K) -> list[tuple[IdT, float]]:
    """Reciprocal-rank fusion: ``score(d) = sum over rankings of 1 / (k + rank(d))``.

    ``rankings`` are lists of ids, best first (rank 1).  A repeated id inside one ranking
    counts once, at its best rank.  Returns ``(id, score)`` best first; ties are broken by
    the best rank an id reached in any list, then by first appearance (stable).
    """
    if k <= 0:
        raise ValueError("k must be positive")
    scores: dict[IdT, float] = {}
    best_rank: dict[IdT, int] = {}
    first_seen: dict[IdT, int] = {}
    order = 0
    for ranking in rankings:
        seen: set[IdT] = set()
        for rank, doc_id in enumerate(ranking, start=1):
            if doc_id in seen:
                continue
            seen.add(doc_id)
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
            best_rank[doc_id] = min(best_rank.get(doc_id, rank), rank)
            if doc_id not in first_seen:
                first_seen[doc_id] = order
                order += 1
    ranked = sorted(scores, key=lambda d: (-scores[d], best_rank[d], first_seen[d]))
    return [(d, scores[d]) for d in ranked]
