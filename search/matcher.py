"""The match engine behind :func:`search.match`: which earlier fact-checks does a text repeat?

One call does this:

1. **Validate.** Empty or whitespace-only text, and text over :func:`max_text_chars`
   characters (``FACTCHECK_MATCH_MAX_CHARS``, default :data:`MAX_TEXT_CHARS`), raise
   ``ValueError`` with a message fit for an API 400, before any other work.  Lone
   surrogates and control characters are replaced, so any ``str`` is safe.
2. **Units.** The text is split into sentences (:func:`search.matching.split_sentences`,
   line breaks always end one) and each is cleaned of social-media noise
   (:func:`search.matching.clean_social_text`: URLs, @mentions, emoji, hashtags, shouting,
   ``!!!``).  Sentences of fewer than :data:`MIN_SENTENCE_WORDS` words are dropped when
   longer ones exist; duplicates go; the first :func:`max_sentences` are kept
   (``FACTCHECK_MATCH_MAX_SENTENCES``, default :data:`MAX_SENTENCES`).  A short
   multi-sentence post is also tried whole (one more unit).
3. **Two channels through the configured backend.** Every unit is embedded as an e5
   *query* (:func:`search.embeddings.embed_cached`) and sent to ``backend.knn``; every
   unit is also a lexical query (``backend.search``: our normalisation + BM25).  Per
   fact-check, the vector channel keeps the best cosine over units and the lexical channel
   the best BM25, divided by the best BM25 of the whole call (so 1.0 is the best lexical
   candidate).
4. **Fusion.** The two rankings are fused by reciprocal rank (:func:`rrf_fuse`,
   ``k = 60``) in ``"hybrid"`` mode; ``"vector"`` and ``"lexical"`` modes use one channel.
5. **Score and decision.** A result's ``score`` is the cosine of its best unit against
   the fact-check (RRF scores only order the list).  A candidate found only by the
   lexical channel has its cosine computed from its stored claim
   (:func:`search.types.passage_text`, embedded as a passage through the cache).  ``is_match`` is the
   calibrated :class:`search.matching.MatchDecision` on the top result's score and its
   margin over the best cosine of any *other* candidate; only the first result can match.

**Cost.** With ``S = max_sentences()`` one call, however long its text, does at most:
one pass over at most ``max_text_chars()`` characters; sentence splitting of at most
the first ``S * 4 * SCAN_CHARS_PER_SENTENCE`` of them, and social-text cleaning of those
sentences and of at most :data:`WHOLE_TEXT_SCAN_CHARS` more; two embedder calls, of at most
``S + 1`` queries and :data:`LEXICAL_COSINE_DEPTH` passages (``max(limit, 10) + 1`` in
lexical mode); ``S + 1`` kNN and ``S + 1`` lexical backend queries.
``tests/search/test_match_cost.py`` counts these on a 1 MB text.

Each step is a function tested on its own (``tests/search/test_matching_steps.py``):
:func:`vector_candidates` and :func:`lexical_candidates` (channels),
:func:`search.fusion.rrf_fuse` then :func:`rerank` (fusion and order),
:func:`fill_passage_cosines` (scores of lexical-only candidates) and
:func:`runner_up_score` (the margin of the decision). ``backend`` and ``embedder`` are
typed by the protocols :class:`MatchBackend` and :class:`MatchEmbedder`.

``docs/matching.md`` records how the decision was fitted and on which data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from search.fusion import RRF_K, rrf_fuse
from search.matching import MatchDecision, clean_social_text, split_sentences
from search.types import Hit, MatchResult, SearchResults, passage_text

__all__ = [
    "DEPTH",
    "MAX_LIMIT",
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "METHODS",
    "MatchResult",
    "match_text",
    "max_sentences",
    "max_text_chars",
    "passage_text",
    "prepare_units",
    "too_long_message",
]

#: Longest text accepted (characters), unless ``FACTCHECK_MATCH_MAX_CHARS`` says otherwise.
MAX_TEXT_CHARS = 20_000
#: Most results one call returns.
MAX_LIMIT = 50
#: Sentences of a long text that are matched (the first ones, after de-duplication),
#: unless ``FACTCHECK_MATCH_MAX_SENTENCES`` says otherwise.
MAX_SENTENCES = 40
#: Sentence splitting reads at most ``max_sentences() * 4`` times this many characters.
SCAN_CHARS_PER_SENTENCE = 1000
#: Sentences shorter than this (in words) are ignored when the text has longer ones.
MIN_SENTENCE_WORDS = 3
#: A multi-sentence text up to this long is also matched as a whole.
WHOLE_TEXT_MAX_CHARS = 600
#: ... if it is at most this long before cleaning (links and emoji go; a longer raw text
#: is not cleaned whole just to find it too long).
WHOLE_TEXT_SCAN_CHARS = 10 * WHOLE_TEXT_MAX_CHARS
#: Candidates asked of each channel, per unit.
DEPTH = 50
#: Lexical candidates per unit (each lexical hit costs a stored-document load and a
#: highlight in the backend); fewer per unit for long texts.
LEXICAL_DEPTH = 20
LEXICAL_DEPTH_LONG = 5
METHODS = ("hybrid", "vector", "lexical")
#: Hybrid order: ``cosine + LEXICAL_WEIGHT * bm25 / best bm25`` over the RRF pool
#: (measured on the dev set; ``docs/matching.md``).
LEXICAL_WEIGHT = 0.05
#: Lexical-only candidates (best BM25 first) whose cosine is computed in hybrid mode.
LEXICAL_COSINE_DEPTH = 20

_BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _positive_setting(name: str, default: int) -> int:
    from django.conf import settings

    try:
        value = int(getattr(settings, name))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def max_text_chars() -> int:
    """Longest text one call accepts: ``FACTCHECK_MATCH_MAX_CHARS`` (default 20,000)."""
    return _positive_setting("FACTCHECK_MATCH_MAX_CHARS", MAX_TEXT_CHARS)


def max_sentences() -> int:
    """Sentences one call embeds and queries: ``FACTCHECK_MATCH_MAX_SENTENCES`` (40)."""
    return _positive_setting("FACTCHECK_MATCH_MAX_SENTENCES", MAX_SENTENCES)


def too_long_message(length: int) -> str:
    return f"text is too long ({length:,} characters); the limit is {max_text_chars():,}"


def _clean_input(text: Any) -> str:
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    # Checked first: replacing bad characters keeps the length, and a huge text must
    # cost nothing more than this comparison.
    if len(text) > max_text_chars():
        raise ValueError(too_long_message(len(text)))
    text = _BAD_CHARS_RE.sub(" ", text)
    if not text.strip():
        raise ValueError("text is empty: send the post or claim to match")
    return text


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


@dataclass(slots=True)
class Units:
    """What is matched: ``texts`` (embedded and queried); the first ``n_sentences`` of
    them are sentences of the input, a trailing extra one is the whole cleaned text."""

    texts: list[str]
    n_sentences: int


def prepare_units(text: str, language: str | None = None) -> Units:
    """Sentences of ``text`` cleaned of social-media noise, deduplicated and capped."""
    text = _clean_input(text)
    cap = max_sentences()
    seen: set[str] = set()
    sentences: list[str] = []
    for raw in split_sentences(text[: cap * 4 * SCAN_CHARS_PER_SENTENCE], language):
        cleaned = clean_social_text(raw)
        key = cleaned.casefold()
        if not cleaned or not _WORD_RE.search(cleaned) or key in seen:
            continue
        seen.add(key)
        sentences.append(cleaned)
        if len(sentences) >= cap * 4:  # enough to choose the long ones from
            break
    long_enough = [s for s in sentences if _words(s) >= MIN_SENTENCE_WORDS]
    sentences = (long_enough or sentences)[:cap]
    texts = list(sentences)
    if len(sentences) > 1 and len(text) <= WHOLE_TEXT_SCAN_CHARS:
        whole = clean_social_text(text)
        if len(whole) <= WHOLE_TEXT_MAX_CHARS and whole.casefold() not in seen:
            texts.append(whole)
    return Units(texts=texts, n_sentences=len(sentences))


@dataclass(slots=True)
class _Candidate:
    id: str
    fields: dict[str, Any]
    cosines: dict[int, float] = field(default_factory=dict)  # unit index -> cosine
    lexical: float | None = None  # best BM25 over units
    lexical_rank: int | None = None
    vector_rank: int | None = None

    @property
    def cosine(self) -> float | None:
        return max(self.cosines.values()) if self.cosines else None


class MatchBackend(Protocol):
    """What the engine needs of a search backend (``search.backends.base``)."""

    def knn(
        self, vector: Sequence[float], *, k: int = 10, filters: dict[str, Any] | None = None
    ) -> list[Hit]: ...

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        filters: dict[str, Any] | None = None,
        limit: int = 10,
    ) -> SearchResults: ...


class MatchEmbedder(Protocol):
    """What the engine (and the embedding caches) need of an embedder."""

    model_id: str
    dim: int

    @property
    def cache_namespace(self) -> str: ...

    def embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray: ...


def vector_candidates(
    backend: MatchBackend,
    queries: Sequence[Sequence[float]],
    candidates: dict[str, _Candidate],
    *,
    filters: dict[str, Any] | None,
) -> list[str]:
    """kNN per unit vector: records each candidate's cosine per unit; returns the ids by
    best cosine over units, best first."""
    best: dict[str, float] = {}
    for u, vec in enumerate(queries):
        for hit in backend.knn(vec, k=DEPTH, filters=filters):
            cand = candidates.setdefault(hit.id, _Candidate(hit.id, hit.fields))
            cand.cosines[u] = max(cand.cosines.get(u, -2.0), float(hit.score))
            best[hit.id] = max(best.get(hit.id, -2.0), float(hit.score))
    return sorted(best, key=lambda d: -best[d])


def lexical_candidates(
    backend: MatchBackend,
    texts: Sequence[str],
    candidates: dict[str, _Candidate],
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
                candidates[hit.id] = _Candidate(hit.id, fields)
            if float(hit.score) > bm25.get(hit.id, float("-inf")):
                bm25[hit.id] = float(hit.score)
    order = sorted(bm25, key=lambda d: -bm25[d])
    top_bm25 = bm25[order[0]] if order else 1.0
    for doc_id, score in bm25.items():
        candidates[doc_id].lexical = score / top_bm25 if top_bm25 > 0 else 0.0
    return order


def fill_passage_cosines(
    need: Sequence[str],
    candidates: dict[str, _Candidate],
    queries: Sequence[Sequence[float]],
    *,
    embedder: MatchEmbedder,
) -> None:
    """Cosines of every unit against candidates that have none yet, from their
    :func:`search.types.passage_text` embedded as passages (through the cache)."""
    from search.embeddings import embed_cached

    texts = [passage_text(candidates[d].fields) for d in need]
    has_text = [i for i, t in enumerate(texts) if t]
    if not has_text:
        return
    passages = embed_cached([texts[i] for i in has_text], kind="passage", embedder=embedder)
    sims = np.asarray(queries) @ np.asarray(passages).T  # (units, docs)
    for col, i in enumerate(has_text):
        candidates[need[i]].cosines = {u: float(sims[u, col]) for u in range(len(queries))}


def rerank(fused: Sequence[str], candidates: dict[str, _Candidate]) -> list[str]:
    """The RRF pool ordered by ``cosine + LEXICAL_WEIGHT * lexical`` (the calibrated
    cosine plus a small bonus for lexical evidence: names, places, numbers, which e5
    under-weighs); ties keep the RRF order; candidates without a cosine go last."""

    def fused_score(doc_id: str) -> float:
        cand = candidates[doc_id]
        if cand.cosine is None:
            return float("-inf")
        return cand.cosine + LEXICAL_WEIGHT * (cand.lexical or 0.0)

    position = {d: i for i, d in enumerate(fused)}
    return sorted(fused, key=lambda d: (-fused_score(d), position[d]))


def _score_of(cand: _Candidate) -> float:
    cosine = cand.cosine
    return cosine if cosine is not None else 0.0


def runner_up_score(
    top_id: str, pool: Sequence[str], vector_order: Sequence[str], candidates: dict[str, _Candidate]
) -> float | None:
    """The best cosine of any candidate but the top one: the rest of the pool and the
    vector channel's best (the margin the decision is calibrated on)."""
    others = [_score_of(candidates[d]) for d in pool if d != top_id]
    if vector_order and vector_order[0] != top_id:
        others.append(_score_of(candidates[vector_order[0]]))
    return max(others) if others else None


def match_text(
    text: str,
    *,
    limit: int = 5,
    language: str | None = None,
    filters: dict[str, Any] | None = None,
    method: str = "hybrid",
    backend: MatchBackend | None = None,
    embedder: MatchEmbedder | None = None,
    decision: MatchDecision | None = None,
    fusion: str = "rerank",
) -> list[MatchResult]:
    """Rank fact-checks for ``text``; see the module docstring.  ``backend``,
    ``embedder`` and ``decision`` default to the configured ones (benchmarks pass their
    own); ``method`` picks the channels: ``"hybrid"`` (default), ``"vector"``,
    ``"lexical"``."""
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
    embedder = embedder or get_embedder()
    decision = decision or MatchDecision.load(embedder.model_id)
    queries = embed_cached(units.texts, kind="query", embedder=embedder)

    candidates: dict[str, _Candidate] = {}
    vector_order: list[str] = []
    lexical_order: list[str] = []
    if method in ("hybrid", "vector"):
        vector_order = vector_candidates(backend, queries, candidates, filters=filters)
    if method in ("hybrid", "lexical"):
        lexical_order = lexical_candidates(
            backend, units.texts, candidates, language=language, filters=filters
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
        fill_passage_cosines(need, candidates, queries, embedder=embedder)

    order = rerank(fused, candidates) if method == "hybrid" and fusion == "rerank" else fused
    shown = order[:limit]
    pool = order[: max(limit, 10) + 1]
    runner_up = runner_up_score(shown[0], pool, vector_order, candidates)

    results = []
    for position, doc_id in enumerate(shown):
        cand = candidates[doc_id]
        score = _score_of(cand)
        found_by = [
            n for n, r in (("lexical", cand.lexical_rank), ("vector", cand.vector_rank)) if r
        ]
        fields = dict(cand.fields)
        fields.update(
            runner_up_score=round(runner_up, 6)
            if position == 0 and runner_up is not None
            else None,
            lexical_rank=cand.lexical_rank,
            vector_rank=cand.vector_rank,
            lexical_score=round(cand.lexical, 4) if cand.lexical is not None else None,
        )
        results.append(
            MatchResult(
                id=doc_id,
                score=round(score, 6),
                is_match=position == 0 and decision.is_match(score, runner_up),
                matched_sentence=_matched_sentence(units, cand),
                method="hybrid" if len(found_by) == 2 else (found_by[0] if found_by else method),
                fields=fields,
            )
        )
    return results


def _matched_sentence(units: Units, cand: _Candidate) -> str:
    """The input sentence nearest the fact-check (never the whole-text unit)."""
    sentence_scores = {u: s for u, s in cand.cosines.items() if u < units.n_sentences}
    if sentence_scores:
        return units.texts[max(sentence_scores, key=lambda u: sentence_scores[u])]
    return units.texts[0] if units.texts else ""
