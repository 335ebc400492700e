"""Step 2b of a match (off by default): cross-language query expansion for the lexical
channel, built from the vector channel's best hits.

BM25 cannot reach a debunk written in another language: the post and the debunk share
almost no words.  The vector channel can, so the best vector hits *in languages other
than the post's* lend their own words to a second lexical query, one per language, run
in that language's analysis.  Its hits join the lexical candidates with a normalised
score scaled by :data:`EXPANSION_WEIGHT`, so a hit found only through expansion counts
less than a direct one (a direct hit keeps its own score when that is higher).

Bounded: at most :data:`EXPANSION_HITS` hits are read, :data:`MAX_TERMS_PER_HIT` words
of each (from the first :data:`SCAN_CHARS` characters of its passage), at most
:data:`MAX_TERMS` words in all, and one backend query per language among them (so at
most :data:`EXPANSION_HITS` queries).  Text with no content words (only stop words,
emoji, punctuation) adds nothing.

Measured side by side in ``bench/match.py`` (row ``+expansion``); the figures and why it
is off by default are in ``docs/benchmarks.md`` ("Query expansion (2026-12-03)").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.matching.candidates import LEXICAL_DEPTH, Candidate
from search.matching.protocols import MatchBackend
from search.normalize import language_family, tokens
from search.types import passage_text

__all__ = [
    "EXPANSION_HITS",
    "EXPANSION_WEIGHT",
    "MAX_TERMS",
    "MAX_TERMS_PER_HIT",
    "expand_lexical",
    "expansion_queries",
    "expansion_terms",
    "post_family",
]

#: Best vector hits in other languages whose words make the expansion queries.
EXPANSION_HITS = 3
#: Words taken from one hit's passage, and from all of them together.
MAX_TERMS_PER_HIT = 12
MAX_TERMS = 30
#: Characters of a hit's passage read for its words.
SCAN_CHARS = 1000
#: An expansion hit's lexical evidence, relative to a direct hit with the same
#: normalised BM25 (the best expansion hit of a query counts as a direct hit half as
#: good as the call's best).
EXPANSION_WEIGHT = 0.5


def post_family(texts: Sequence[str], language: str | None) -> str | None:
    """The language family (``search.normalize.language_family``) of the post: from
    ``language`` when given, else detected (``search.language.detect_language``);
    ``None`` when it cannot be told."""
    if language:
        return language_family(language)
    from search.language import detect_language

    guess = detect_language(" ".join(texts)[:2000])
    if guess.language == "und":
        return None
    return language_family(guess.language)


def expansion_terms(
    text: str, language: str | None, max_terms: int = MAX_TERMS_PER_HIT
) -> list[str]:
    """The content words of ``text`` (in its own spelling, first come first), at most
    ``max_terms``: words whose analysis in ``language`` leaves a token (stop words,
    emoji and punctuation leave none).  Never raises on any ``str``."""
    if max_terms <= 0 or not text:
        return []
    out: list[str] = []
    seen: set[str] = set()
    for word in text[:SCAN_CHARS].split():
        analysed = tokens(word, language)
        if not analysed:
            continue
        key = " ".join(analysed)
        if key in seen:
            continue
        seen.add(key)
        out.append(word)
        if len(out) >= max_terms:
            break
    return out


def expansion_queries(
    vector_order: Sequence[str],
    candidates: dict[str, Candidate],
    family: str | None,
) -> dict[str, str]:
    """``{language: query}``: the words of the best :data:`EXPANSION_HITS` vector hits
    whose language family is not ``family``, one query per language, :data:`MAX_TERMS`
    words in all.  Empty when the post's family is unknown."""
    if family is None:
        return {}
    words: dict[str, list[str]] = {}
    total = read = 0
    for doc_id in vector_order:
        if read >= EXPANSION_HITS or total >= MAX_TERMS:
            break
        fields = candidates[doc_id].fields
        hit_language = str(fields.get("language") or "")
        if not hit_language or language_family(hit_language) == family:
            continue
        read += 1
        budget = min(MAX_TERMS_PER_HIT, MAX_TERMS - total)
        terms = expansion_terms(passage_text(fields), hit_language, budget)
        if terms:
            words.setdefault(hit_language, []).extend(terms)
            total += len(terms)
    return {lang: " ".join(ws) for lang, ws in words.items()}


def expand_lexical(
    backend: MatchBackend,
    vector_order: Sequence[str],
    candidates: dict[str, Candidate],
    lexical_order: Sequence[str],
    *,
    family: str | None,
    filters: dict[str, Any] | None,
    weight: float | None = None,
) -> list[str]:
    """Run :func:`expansion_queries` and join their hits to the lexical candidates.

    An expansion hit's evidence is ``weight`` (default :data:`EXPANSION_WEIGHT`) ``* BM25 / (its query's best BM25)``; a
    candidate's ``lexical`` becomes the larger of that and its direct evidence.  Returns
    the lexical order (direct hits and expansion hits by that evidence, best first; ties
    keep the direct order)."""
    weight = EXPANSION_WEIGHT if weight is None else weight
    queries = expansion_queries(vector_order, candidates, family)
    if not queries:
        return list(lexical_order)
    evidence = {d: candidates[d].lexical or 0.0 for d in lexical_order}
    for hit_language, query in queries.items():
        hits = backend.search(
            query, language=hit_language, filters=filters, limit=LEXICAL_DEPTH
        ).hits
        top = max((float(h.score) for h in hits), default=0.0)
        if top <= 0:
            continue
        for hit in hits:
            if hit.id not in candidates:
                fields = {k: v for k, v in hit.fields.items() if k != "body"}
                candidates[hit.id] = Candidate(hit.id, fields)
            value = weight * float(hit.score) / top
            if value > evidence.get(hit.id, float("-inf")):
                evidence[hit.id] = value
    for doc_id, value in evidence.items():
        candidates[doc_id].lexical = value
    position = {d: i for i, d in enumerate(lexical_order)}
    return sorted(evidence, key=lambda d: (-evidence[d], position.get(d, len(position))))
