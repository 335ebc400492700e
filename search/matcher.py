"""The match engine behind :func:`search.match`: which earlier fact-checks does a text repeat?

One call does this:

1. **Validate.** Empty or whitespace-only text, and text over :data:`MAX_TEXT_CHARS`
   characters, raise ``ValueError`` with a message fit for an API 400.  Lone surrogates
   and control characters are dropped first, so any ``str`` is safe.
2. **Units.** The text is split into sentences (:func:`search.matching.split_sentences`,
   line breaks always end one) and each is cleaned of social-media noise
   (:func:`search.matching.clean_social_text`: URLs, @mentions, emoji, hashtags, shouting,
   ``!!!``).  Sentences of fewer than :data:`MIN_SENTENCE_WORDS` words are dropped when
   longer ones exist; duplicates go; the first :data:`MAX_SENTENCES` are kept.  A
   short multi-sentence post is also tried whole (one more unit).
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
   (:func:`passage_text`, embedded as a passage through the cache).  ``is_match`` is the
   calibrated :class:`search.matching.MatchDecision` on the top result's score and its
   margin over the best cosine of any *other* candidate; only the first result can match.

``docs/matching.md`` records how the decision was fitted and on which data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.matching import MatchDecision, clean_social_text, rrf_fuse, split_sentences
from search.types import MatchResult

__all__ = [
    "DEPTH",
    "MAX_LIMIT",
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "METHODS",
    "MatchResult",
    "match_text",
    "passage_text",
    "prepare_units",
]

#: Longest text accepted (characters, after dropping control characters).
MAX_TEXT_CHARS = 20_000
#: Most results one call returns.
MAX_LIMIT = 50
#: Sentences of a long text that are matched (the first ones, after de-duplication).
MAX_SENTENCES = 40
#: Sentences shorter than this (in words) are ignored when the text has longer ones.
MIN_SENTENCE_WORDS = 3
#: A multi-sentence text up to this long is also matched as a whole.
WHOLE_TEXT_MAX_CHARS = 600
#: Candidates asked of each channel, per unit.
DEPTH = 50
#: Lexical candidates per unit (each lexical hit costs a stored-document load and a
#: highlight in the backend); fewer per unit for long texts.
LEXICAL_DEPTH = 20
LEXICAL_DEPTH_LONG = 5
#: The RRF constant (Cormack et al. 2009), as in ``search.backends.base``.
RRF_K = 60
METHODS = ("hybrid", "vector", "lexical")
#: Hybrid order: ``cosine + LEXICAL_WEIGHT * bm25 / best bm25`` over the RRF pool
#: (measured on the dev set; ``docs/matching.md``).
LEXICAL_WEIGHT = 0.05
#: Lexical-only candidates (best BM25 first) whose cosine is computed in hybrid mode.
LEXICAL_COSINE_DEPTH = 20

_BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def passage_text(fields: dict[str, Any]) -> str:
    """The text of a fact-check that is embedded as its passage vector: the claim, or the
    title when the claim is empty.  The indexer embeds the same text, so a cosine computed
    here for a lexical-only candidate is on the scale of the stored vectors."""
    return (fields.get("claim_reviewed") or fields.get("title") or "").strip()


def _clean_input(text: Any) -> str:
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    text = _BAD_CHARS_RE.sub(" ", text)
    if not text.strip():
        raise ValueError("text is empty: send the post or claim to match")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            f"text is too long ({len(text):,} characters); the limit is {MAX_TEXT_CHARS:,}"
        )
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
    seen: set[str] = set()
    sentences: list[str] = []
    for raw in split_sentences(text, language):
        cleaned = clean_social_text(raw)
        key = cleaned.casefold()
        if not cleaned or not _WORD_RE.search(cleaned) or key in seen:
            continue
        seen.add(key)
        sentences.append(cleaned)
        if len(sentences) >= MAX_SENTENCES * 4:  # enough to choose the long ones from
            break
    long_enough = [s for s in sentences if _words(s) >= MIN_SENTENCE_WORDS]
    sentences = (long_enough or sentences)[:MAX_SENTENCES]
    texts = list(sentences)
    if len(sentences) > 1:
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


def match_text(
    text: str,
    *,
    limit: int = 5,
    language: str | None = None,
    filters: dict[str, Any] | None = None,
    method: str = "hybrid",
    backend: Any = None,
    embedder: Any = None,
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
        best: dict[str, float] = {}
        for u, vec in enumerate(queries):
            for hit in backend.knn(vec, k=DEPTH, filters=filters):
                cand = candidates.setdefault(hit.id, _Candidate(hit.id, hit.fields))
                cand.cosines[u] = max(cand.cosines.get(u, -2.0), float(hit.score))
                best[hit.id] = max(best.get(hit.id, -2.0), float(hit.score))
        vector_order = sorted(best, key=lambda d: -best[d])
    if method in ("hybrid", "lexical"):
        bm25: dict[str, float] = {}
        depth = LEXICAL_DEPTH if len(units.texts) <= 5 else LEXICAL_DEPTH_LONG
        for unit in units.texts:
            for hit in backend.search(unit, language=language, filters=filters, limit=depth).hits:
                if hit.id not in candidates:
                    fields = {k: v for k, v in hit.fields.items() if k != "body"}
                    candidates[hit.id] = _Candidate(hit.id, fields)
                if float(hit.score) > bm25.get(hit.id, float("-inf")):
                    bm25[hit.id] = float(hit.score)
        lexical_order = sorted(bm25, key=lambda d: -bm25[d])
        top_bm25 = bm25[lexical_order[0]] if lexical_order else 1.0
        for doc_id, score in bm25.items():
            candidates[doc_id].lexical = score / top_bm25 if top_bm25 > 0 else 0.0
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
    # ones get theirs from their stored claim (cached passage embeddings); the best
    # LEXICAL_COSINE_DEPTH of them in hybrid mode, the shown ones in lexical mode.
    if method == "hybrid":
        need = [d for d in lexical_order if not candidates[d].cosines][:LEXICAL_COSINE_DEPTH]
    else:
        need = [d for d in fused[: max(limit, 10) + 1] if not candidates[d].cosines]
    if need:
        texts = [passage_text(candidates[d].fields) for d in need]
        has_text = [i for i, t in enumerate(texts) if t]
        if has_text:
            passages = embed_cached([texts[i] for i in has_text], kind="passage", embedder=embedder)
            sims = np.asarray(queries) @ np.asarray(passages).T  # (units, docs)
            for col, i in enumerate(has_text):
                cand = candidates[need[i]]
                cand.cosines = {u: float(sims[u, col]) for u in range(len(units.texts))}

    if method == "hybrid" and fusion == "rerank":
        # RRF pools the two channels; the order is the calibrated cosine plus a small
        # bonus for lexical evidence (names, places, numbers: what e5 under-weighs).
        def fused_score(doc_id: str) -> float:
            cand = candidates[doc_id]
            if cand.cosine is None:
                return float("-inf")
            return cand.cosine + LEXICAL_WEIGHT * (cand.lexical or 0.0)

        position = {d: i for i, d in enumerate(fused)}
        order = sorted(fused, key=lambda d: (-fused_score(d), position[d]))
    else:
        order = fused
    shown = order[:limit]
    pool = order[: max(limit, 10) + 1]

    def score_of(doc_id: str) -> float:
        cosine = candidates[doc_id].cosine
        return cosine if cosine is not None else 0.0

    top_id = shown[0]
    others = [score_of(d) for d in pool if d != top_id]
    if vector_order and vector_order[0] != top_id:
        others.append(score_of(vector_order[0]))
    runner_up = max(others) if others else None

    results = []
    for position, doc_id in enumerate(shown):
        cand = candidates[doc_id]
        score = score_of(doc_id)
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
