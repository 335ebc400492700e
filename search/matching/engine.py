"""The match engine behind :func:`search.match`: which earlier fact-checks does a text repeat?

:func:`match_text` composes the steps, each a function tested on its own
(``tests/search/test_matching_steps.py``):

1. **Units** (:mod:`search.matching.units`): validate, split into sentences, clean each
   of social-media noise, cap (``FACTCHECK_MATCH_MAX_SENTENCES``).
2. **Candidates per channel** (:mod:`search.matching.candidates`): every unit is
   embedded as an e5 *query* and sent to ``backend.knn``; every unit is also a lexical
   query (``backend.search``).
3. **Fusion**: the two rankings are pooled by reciprocal rank
   (:func:`search.fusion.rrf_fuse`, the one RRF); lexical-only candidates get a cosine
   from their passage (:func:`fill_passage_cosines`); the best :data:`PASSAGE_DEPTH`
   are scored by their best passage (claim, headline, summary:
   :func:`fill_other_passage_cosines`).
4. **Scoring** (:mod:`search.matching.scoring`): each candidate's score is its best
   cosine plus the place/number :func:`agreement`; the pool is ordered by score plus a
   small lexical bonus, then grouped into same-hoax groups (translations).
5. **Decision** (:mod:`search.matching.decision`): ``is_match`` is the calibrated
   :class:`MatchDecision` on the top group's score and its margin over the best score of
   any *other* group; only the first result can match.

**Cost.** With ``S = max_sentences()`` one call, however long its text, does at most:
one pass over at most ``max_text_chars()`` characters; sentence splitting of at most
the first ``S * 4 * SCAN_CHARS_PER_SENTENCE`` of them, and social-text cleaning of those
sentences and of at most ``WHOLE_TEXT_SCAN_CHARS`` more; three embedder calls, of at most
``S + 1`` queries, :data:`LEXICAL_COSINE_DEPTH` passages (``max(limit, 10) + 1`` in
lexical mode) and ``2 * PASSAGE_DEPTH`` headlines and summaries (cache hits once the
indexer has embedded them); ``S + 1`` kNN and ``S + 1`` lexical backend queries (with ``expansion=True``, one
language detection and at most :data:`~search.matching.expansion.EXPANSION_HITS` more).
``tests/search/test_match_cost.py`` counts these on a 1 MB text.

``docs/matching.md`` records how the decision was fitted and on which data.
"""

from __future__ import annotations

from typing import Any

from search.fusion import RRF_K, rrf_fuse
from search.matching.candidates import (
    Candidate,
    fill_other_passage_cosines,
    fill_passage_cosines,
    lexical_candidates,
    vector_candidates,
)
from search.matching.decision import MatchDecision
from search.matching.expansion import expand_lexical, post_family
from search.matching.protocols import MatchBackend, MatchEmbedder
from search.matching.scoring import (
    AGREEMENT_DEPTH,
    Group,
    apply_agreement,
    group_candidates,
    rerank,
    runner_up_score,
)
from search.matching.units import MAX_LIMIT, Units, prepare_units
from search.types import MatchResult

__all__ = ["LEXICAL_COSINE_DEPTH", "METHODS", "match_text"]

METHODS = ("hybrid", "vector", "lexical")
#: Lexical-only candidates (best BM25 first) whose cosine is computed in hybrid mode.
LEXICAL_COSINE_DEPTH = 20
#: Best candidates scored by their best passage (headline, summary besides the claim).
PASSAGE_DEPTH = 20


def match_text(
    text: str,
    *,
    limit: int = 5,
    language: str | None = None,
    reader_language: str | None = None,
    filters: dict[str, Any] | None = None,
    method: str = "hybrid",
    backend: MatchBackend | None = None,
    embedder: MatchEmbedder | None = None,
    decision: MatchDecision | None = None,
    fusion: str = "rerank",
    entities: bool = True,
    groups: bool = True,
    all_passages: bool = True,
    lexical_weight: float | None = None,
    expansion: bool = False,
) -> list[MatchResult]:
    """Rank fact-checks for ``text``; see the module docstring.

    ``language`` is the text's language (lexical analysis); ``reader_language`` picks
    which version of a translated fact-check is shown.  ``backend``, ``embedder`` and
    ``decision`` default to the configured ones (benchmarks pass their own); ``method``
    picks the channels: ``"hybrid"`` (default), ``"vector"``, ``"lexical"``;
    ``entities=False`` / ``groups=False`` / ``all_passages=False`` switch off
    place/number agreement, same-hoax grouping and scoring by the best passage,
    ``lexical_weight`` replaces :data:`~search.matching.scoring.LEXICAL_WEIGHT` and
    ``expansion=True`` adds cross-language query expansion to the lexical channel in
    hybrid mode (:mod:`search.matching.expansion`; off by default) (the benchmark's
    side-by-side)."""
    from search import get_backend
    from search.embeddings import embed_cached, get_embedder

    if fusion not in ("rerank", "rrf"):
        raise ValueError("fusion must be 'rerank' or 'rrf'")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    units = prepare_units(text, language)
    if not units.texts:
        return []  # nothing but emoji, links or punctuation: nothing to match
    backend = backend or get_backend()
    embedder_: MatchEmbedder = embedder if embedder is not None else get_embedder()
    decision = decision or MatchDecision.load(embedder_.model_id)
    queries = embed_cached(units.texts, kind="query", embedder=embedder_)

    candidates: dict[str, Candidate] = {}
    vector_order: list[str] = []
    lexical_order: list[str] = []
    if method in ("hybrid", "vector"):
        vector_order = vector_candidates(backend, queries, candidates, filters=filters)
    if method in ("hybrid", "lexical"):
        lexical_order = lexical_candidates(
            backend, units.texts, candidates, language=language, filters=filters
        )
    if expansion and method == "hybrid":
        lexical_order = expand_lexical(
            backend,
            vector_order,
            candidates,
            lexical_order,
            family=post_family(units.texts, language),
            filters=filters,
        )
    for rank, doc_id in enumerate(vector_order, start=1):
        candidates[doc_id].vector_rank = rank
    for rank, doc_id in enumerate(lexical_order, start=1):
        candidates[doc_id].lexical_rank = rank

    if method == "hybrid":
        fused = [d for d, _ in rrf_fuse([lexical_order, vector_order], k=RRF_K)]
    else:
        fused = vector_order or lexical_order
    if not fused:
        return []

    # Every candidate that can be shown or be the runner-up needs a cosine. Lexical-only
    # ones get theirs from their stored passage text; the best LEXICAL_COSINE_DEPTH of
    # them in hybrid mode, the shown ones in lexical mode.
    if method == "hybrid":
        need = [d for d in lexical_order if not candidates[d].cosines][:LEXICAL_COSINE_DEPTH]
    else:
        need = [d for d in fused[: max(limit, 10) + 1] if not candidates[d].cosines]
    if need:
        fill_passage_cosines(need, candidates, queries, embedder=embedder_)

    rerank_ = method == "hybrid" and fusion == "rerank"
    order = rerank(fused, candidates, lexical_weight) if rerank_ else fused
    if all_passages:
        top = [d for d in order[:PASSAGE_DEPTH] if candidates[d].cosines]
        if fill_other_passage_cosines(top, candidates, queries, embedder=embedder_):
            order = rerank(order, candidates, lexical_weight) if rerank_ else order
    if entities:
        apply_agreement(" \n".join(units.texts), candidates, order[:AGREEMENT_DEPTH])
        order = rerank(order, candidates, lexical_weight) if rerank_ else order
    grouped = group_candidates(order, candidates, reader_language=reader_language, grouped=groups)
    shown = grouped[:limit]
    runner_up = runner_up_score(shown[0], grouped[: max(limit, 10) + 1], vector_order, candidates)
    return [
        _result(group, candidates, units, position == 0, runner_up, decision, method)
        for position, group in enumerate(shown)
    ]


def _result(
    group: Group,
    candidates: dict[str, Candidate],
    units: Units,
    first: bool,
    runner_up: float | None,
    decision: MatchDecision,
    method: str,
) -> MatchResult:
    best, shown = candidates[group.best], candidates[group.shown]
    found_by = [
        name
        for name, rank in (("lexical", best.lexical_rank), ("vector", best.vector_rank))
        if rank
    ]
    fields = dict(shown.fields)
    fields.update(
        runner_up_score=round(runner_up, 6) if first and runner_up is not None else None,
        lexical_rank=best.lexical_rank,
        vector_rank=best.vector_rank,
        lexical_score=round(best.lexical, 4) if best.lexical is not None else None,
        cosine=round(best.cosine, 6) if best.cosine is not None else None,
        agreement=round(best.agreement, 4),
        same_hoax=[d for d in group.ids if d != group.shown],
    )
    return MatchResult(
        id=group.shown,
        score=round(best.decision_score, 6),
        is_match=first and decision.is_match(best.decision_score, runner_up),
        matched_sentence=_matched_sentence(units, best),
        method="hybrid" if len(found_by) == 2 else (found_by[0] if found_by else method),
        fields=fields,
    )


def _matched_sentence(units: Units, cand: Candidate) -> str:
    """The input sentence nearest the fact-check (never the whole-text unit)."""
    sentence_scores = {u: s for u, s in cand.cosines.items() if u < units.n_sentences}
    if sentence_scores:
        return units.texts[max(sentence_scores, key=lambda u: sentence_scores[u])]
    return units.texts[0] if units.texts else ""
