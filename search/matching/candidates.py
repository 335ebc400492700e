"""Step 2 of a match: candidates per channel (vector kNN, lexical BM25), each with its
evidence, and the cosines of candidates only the lexical channel found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.embeddings import embed_cached
from search.matching.protocols import MatchBackend, MatchEmbedder
from search.types import passage_text, passages

__all__ = [
    "DEPTH",
    "LEXICAL_DEPTH",
    "LEXICAL_DEPTH_LONG",
    "Candidate",
    "fill_other_passage_cosines",
    "fill_passage_cosines",
    "lexical_candidates",
    "vector_candidates",
]

#: Candidates asked of each channel, per unit.
DEPTH = 50
#: Lexical candidates per unit (each lexical hit costs a stored-document load and a
#: highlight in the backend); fewer per unit for long texts.
LEXICAL_DEPTH = 20
LEXICAL_DEPTH_LONG = 5


@dataclass(slots=True)
class Candidate:
    """One fact-check a channel found, with what each channel said about it."""

    id: str
    fields: dict[str, Any]
    cosines: dict[int, float] = field(default_factory=dict)  # unit index -> cosine
    lexical: float | None = None  # best BM25 over units / the call's best BM25
    lexical_rank: int | None = None
    vector_rank: int | None = None
    agreement: float = 0.0  # place/number agreement (search.matching.scoring.agreement)
    decision_adjustment: float = 0.0  # the part of it the decision sees

    @property
    def cosine(self) -> float | None:
        return max(self.cosines.values()) if self.cosines else None

    @property
    def score(self) -> float:
        """The order's scale: best cosine plus the agreement adjustment (0 without a
        cosine)."""
        cosine = self.cosine
        return cosine + self.agreement if cosine is not None else 0.0

    @property
    def decision_score(self) -> float:
        """The decision's scale: best cosine plus :attr:`decision_adjustment` (a place
        conflict lowers it, a shared place never raises it: a post about the same city
        is not the same claim; amounts and dates count both ways)."""
        cosine = self.cosine
        return cosine + self.decision_adjustment if cosine is not None else 0.0

    @property
    def group(self) -> str:
        """The same-hoax group: translations of one fact-check (and fact-checks an editor
        marked as one hoax) share it; a fact-check without one is its own group."""
        return str(self.fields.get("group") or f"id:{self.id}")


def vector_candidates(
    backend: MatchBackend,
    queries: np.ndarray,
    candidates: dict[str, Candidate],
    *,
    filters: dict[str, Any] | None,
) -> list[str]:
    """kNN per unit vector: records each candidate's cosine per unit; returns the ids by
    best cosine over units, best first."""
    best: dict[str, float] = {}
    for u, vec in enumerate(queries):
        for hit in backend.knn(vec, k=DEPTH, filters=filters):
            cand = candidates.setdefault(hit.id, Candidate(hit.id, hit.fields))
            cand.cosines[u] = max(cand.cosines.get(u, -2.0), float(hit.score))
            best[hit.id] = max(best.get(hit.id, -2.0), float(hit.score))
    return sorted(best, key=lambda d: -best[d])


def lexical_candidates(
    backend: MatchBackend,
    texts: Sequence[str],
    candidates: dict[str, Candidate],
    *,
    language: str | None,
    filters: dict[str, Any] | None,
) -> list[str]:
    """BM25 per unit: records each candidate's best BM25 over units divided by the call's
    best (``lexical``, 0..1); returns the ids by best BM25, best first."""
    bm25: dict[str, float] = {}
    depth = LEXICAL_DEPTH if len(texts) <= 5 else LEXICAL_DEPTH_LONG
    for unit in texts:
        for hit in backend.search(unit, language=language, filters=filters, limit=depth).hits:
            if hit.id not in candidates:
                fields = {k: v for k, v in hit.fields.items() if k != "body"}
                candidates[hit.id] = Candidate(hit.id, fields)
            if float(hit.score) > bm25.get(hit.id, float("-inf")):
                bm25[hit.id] = float(hit.score)
    order = sorted(bm25, key=lambda d: -bm25[d])
    top_bm25 = bm25[order[0]] if order else 1.0
    for doc_id, score in bm25.items():
        candidates[doc_id].lexical = score / top_bm25 if top_bm25 > 0 else 0.0
    return order


def fill_passage_cosines(
    need: Sequence[str],
    candidates: dict[str, Candidate],
    queries: np.ndarray,
    *,
    embedder: MatchEmbedder,
) -> None:
    """Cosines of every unit against candidates that have none yet, from their
    :func:`search.types.passage_text` embedded as passages (through the cache)."""
    texts = [passage_text(candidates[d].fields) for d in need]
    has_text = [i for i, t in enumerate(texts) if t]
    if not has_text:
        return
    passages = embed_cached([texts[i] for i in has_text], kind="passage", embedder=embedder)
    sims = np.asarray(queries) @ np.asarray(passages).T  # (units, docs)
    for col, i in enumerate(has_text):
        candidates[need[i]].cosines = {u: float(sims[u, col]) for u in range(len(queries))}


def fill_other_passage_cosines(
    ids: Sequence[str],
    candidates: dict[str, Candidate],
    queries: np.ndarray,
    *,
    embedder: MatchEmbedder,
) -> int:
    """Score ``ids`` by their best passage: each unit's cosine becomes the best over the
    candidate's :func:`search.types.passages` (claim, headline, summary).  The first
    passage is the stored vector's text, so only the others are embedded (through the
    passage cache, which the indexer fills).  Returns how many passages were embedded."""
    wanted = [(d, text) for d in ids for text in passages(candidates[d].fields)[1:]]
    if not wanted:
        return 0
    vectors = embed_cached([t for _, t in wanted], kind="passage", embedder=embedder)
    sims = np.asarray(queries) @ np.asarray(vectors).T  # (units, passages)
    for col, (doc_id, _) in enumerate(wanted):
        cosines = candidates[doc_id].cosines
        for u in range(len(queries)):
            cosines[u] = max(cosines.get(u, -2.0), float(sims[u, col]))
    return len(wanted)
