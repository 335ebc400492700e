"""The public search (the search page and ``/api/v1/search/``): lexical, plus the vector
channel, so a reader finds a debunk in a language they did not search in.

How a query is answered (``docs/architecture.md``, figures in ``docs/benchmarks.md``):

1. The lexical (BM25) search, as before: same spelling-, script- and diacritic-blind
   analysis, documents in the reader's language family boosted.
2. The vector channel, per ``settings.FACTCHECK_SEARCH_VECTOR``: ``always`` (default),
   ``weak`` (only when the lexical channel found fewer documents than the page shows) or
   ``off``. The query is embedded (the bounded in-memory query cache), the index's
   nearest :data:`VECTOR_DEPTH` fact-checks are taken, and only those at or above
   ``settings.FACTCHECK_SEARCH_MIN_COSINE`` and within :data:`RELATIVE_FLOOR` of the
   best are kept: an unrelated query finds nothing, and a close match does not bring
   its weak neighbours along.
3. The lexical order stands, and what the lexical channel missed is interleaved by
   reciprocal rank (:func:`search.fusion.rrf_fuse`, ties to the lexical one): vector hits
   it does not match at all, and those it ranks below its first :data:`FUSION_WINDOW`
   in another language than the query. In the vector ranking, other languages come first (the
   query's own language is the lexical channel's to find). A fact-check both channels
   found counts once: ``total`` and the facet counts are the lexical ones plus the
   vector hits the lexical search does not match, and a page is cut from the fused
   order, so counts and pages agree. Measured against plain RRF and other variants in
   ``docs/benchmarks.md``.

Each hit's ``fields`` gain ``channel`` (``lexical``, ``vector`` or ``both``) and
``other_language`` (the fact-check's language family is not the query's: the page says
"found in another language"). The query's language is the detector's guess when it is
sure, else the reader's.  A vector-only hit gets a ``<mark>`` snippet like any other:
built by :func:`search.backends.base.highlight`, HTML-escaped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from search.backends.base import highlight, query_tokens
from search.fusion import rrf_fuse
from search.normalize import language_family
from search.types import Hit, SearchResults

logger = logging.getLogger(__name__)

#: How many nearest fact-checks the vector channel looks at (before the cosine floor).
VECTOR_DEPTH = 50
MODES = ("always", "weak", "off")
#: In ``weak`` mode the vector channel runs when the lexical one finds fewer documents.
WEAK_BELOW = 10
#: Vector hits more than this below the best vector hit's cosine are dropped too.
RELATIVE_FLOOR = 0.05
#: Lexical ranks that keep their place in the fused order (see :func:`public_search`).
FUSION_WINDOW = 60
#: Below this detector confidence the query's language is taken to be the reader's.
QUERY_LANGUAGE_CONFIDENCE = 0.8


def vector_mode() -> str:
    mode = (settings.FACTCHECK_SEARCH_VECTOR or "always").lower()
    return mode if mode in MODES else "always"


def query_family(query: str, reader_language: str | None) -> str | None:
    """The language family the reader searched in: the detector's when it is sure."""
    from search.language import detect_language

    guess = detect_language(query, hints=[reader_language] if reader_language else ())
    if guess.language not in ("und", "") and guess.confidence >= QUERY_LANGUAGE_CONFIDENCE:
        return language_family(guess.language)
    return language_family(reader_language)


def vector_hits(query: str, filters: dict[str, Any] | None) -> list[Hit]:
    """The vector channel: nearest fact-checks at or above the cosine floor, best first.

    Never fails the search: an embedder that cannot load or an index without vectors
    gives no hits (logged), and the lexical results stand alone.
    """
    from search import embed_queries, get_backend

    floor = float(settings.FACTCHECK_SEARCH_MIN_COSINE)
    try:
        vector = embed_queries([query])[0]
        if not vector.any():
            return []
        hits = get_backend().knn(vector, k=VECTOR_DEPTH, filters=filters)
    except ValueError:
        raise  # a bad filter: the caller's mistake, as in the lexical search
    except Exception:
        logger.exception("search: the vector channel failed; answering lexically")
        return []
    if hits:
        # Also relative to the best: a strong top hit does not drag in weak neighbours.
        floor = max(floor, hits[0].score - RELATIVE_FLOOR)
    return [hit for hit in hits if hit.score >= floor]


def _other_language(hit: Hit, family: str | None) -> bool:
    doc_family = language_family(hit.fields.get("language"))
    return bool(family and doc_family and doc_family != family)


def _mark(hit: Hit, channel: str, family: str | None) -> Hit:
    hit.fields["channel"] = channel
    hit.fields["other_language"] = _other_language(hit, family)
    return hit


def public_search(
    query: str,
    *,
    reader_language: str | None = None,
    language: str | None = None,
    filters: dict[str, Any] | None = None,
    facets: Sequence[str] | None = None,
    limit: int = 10,
    offset: int = 0,
    mode: str | None = None,
) -> SearchResults:
    """Lexical and (per :func:`vector_mode`) vector results, fused; see the module doc.

    Arguments as in :func:`search.query`; ``mode`` overrides the setting (benchmarks).
    Raises ``ValueError`` for an unknown filter or facet.
    """
    from search import get_backend

    backend = get_backend()
    mode = mode if mode in MODES else vector_mode()
    facets = list(facets or ())
    lexical_args: dict[str, Any] = {
        "language": language,
        "reader_language": reader_language,
        "filters": filters,
    }
    family = query_family(query, reader_language)
    first = None
    semantic: list[Hit] = []
    if mode == "always":
        semantic = vector_hits(query, filters)
    if not semantic:
        first = backend.search(query, facets=facets, limit=limit, offset=offset, **lexical_args)
        if mode == "weak" and first.total < WEAK_BELOW:
            semantic = vector_hits(query, filters)
    if not semantic:
        assert first is not None
        for hit in first.hits:
            _mark(hit, "lexical", family)
        return first

    if family:
        # Same-language documents are the lexical channel's to find; in the vector
        # ranking the other languages come first, so templated near-duplicates in the
        # query's own language cannot crowd out a debunk written in another one.
        semantic.sort(key=lambda hit: not _other_language(hit, family))
    ids = [hit.id for hit in semantic]
    try:
        found_lexically = backend.lexical_matches(query, ids, **lexical_args)
    except NotImplementedError:  # a third-party engine without the hook: may count twice
        found_lexically = set()
    # One lexical search deep enough for the page (snippets only for the page's hits).
    depth = max(FUSION_WINDOW, offset + limit + len(ids))
    lexical = backend.search(
        query, facets=facets, limit=depth, offset=0, highlights=False, **lexical_args
    )
    by_id = {hit.id: hit for hit in semantic}
    by_id.update({hit.id: hit for hit in lexical.hits})
    # The lexical order stands; the vector channel adds, interleaved by its rank, what
    # the lexical one missed: documents it does not match at all, and those it ranks
    # below the first FUSION_WINDOW in another language than the query. The window is
    # fixed, so every page is cut from the same fused order.
    head = {hit.id for hit in lexical.hits[:FUSION_WINDOW]}
    added = [
        doc_id
        for doc_id in ids
        if doc_id not in head
        and (doc_id not in found_lexically or _other_language(by_id[doc_id], family))
    ]
    moved = set(added)
    fused = rrf_fuse([[hit.id for hit in lexical.hits if hit.id not in moved], added])

    extra = [hit for hit in semantic if hit.id not in found_lexically]
    facet_counts = {name: dict(lexical.facets.get(name, {})) for name in facets}
    for hit in extra:
        for name in facets:
            values = hit.fields.get(name)
            for value in values if isinstance(values, list) else [values or "other"]:
                value = value.upper() if name == "countries" else value
                facet_counts[name][value] = facet_counts[name].get(value, 0) + 1

    lang_tokens, agnostic = query_tokens(query, language or reader_language)
    wanted = set(lang_tokens) | set(agnostic)
    vector_ids = set(ids)
    page = []
    for doc_id, score in fused[offset : offset + limit]:
        fields = dict(by_id[doc_id].fields)
        snippet = highlight(fields, wanted, language=fields.get("language"))
        fields.pop("body", None)
        lexical_hit = doc_id in found_lexically or doc_id in head
        channel = (
            "both"
            if lexical_hit and doc_id in vector_ids
            else ("lexical" if lexical_hit else "vector")
        )
        hit = Hit(id=doc_id, score=score, highlight=snippet, fields=fields)
        page.append(_mark(hit, channel, family))
    return SearchResults(hits=page, total=lexical.total + len(extra), facets=facet_counts)
