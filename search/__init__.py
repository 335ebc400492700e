"""Search across Balkan languages and scripts: the only names other apps use.

``claims``, ``ingest``, ``sources`` and ``factcheck`` import from ``search`` and never
from its inner modules (``tests/test_architecture.py`` enforces it). What is here:

* documents and results: :class:`SearchDocument`, :class:`Hit`, :class:`SearchResults`,
  :class:`MatchResult`, ``VERDICTS``, ``FACET_FIELDS``, ``VECTOR_DIMS``,
  :func:`passages` (claim, headline, summary: what a fact-check is matched by) and
  :func:`passage_text` (the first of them: the text its stored vector is embedded from);
* the index and queries: :func:`index_documents`, :func:`delete_documents`,
  :func:`rebuild`, :func:`query`, :func:`knn`, :func:`hybrid`, :func:`match`,
  :func:`get_backend`, :func:`reset_backends`, :func:`register_facet_labels`;
* text: :func:`fold`, :func:`to_latin`, :func:`detect_script`, :func:`detect_language`
  (language, script and confidence, honouring hints) and :func:`site_locale`;
* embeddings: :func:`embed_queries`, :func:`embed_passages`, :func:`get_embedder`,
  :func:`get_embedding_cache`, :func:`embedding_cache_path`;
* claim-to-claim similarity: :func:`claim_vector`, the claim vector index
  (:func:`index_claims`, :func:`delete_claims`, :func:`rebuild_claims`,
  :func:`count_claims`, :func:`nearest_claims`: the backend's, apart from the
  fact-checks), :func:`claim_join` (with :class:`ClaimCandidate`, :class:`ClaimJoin`).

Imports stay light: the engine (tantivy, numpy, the Elasticsearch client, the language
detector) is loaded by the first call that needs it, inside these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from search.backends.base import BaseSearchBackend
    from search.embeddings import Embedder, EmbeddingCache
    from search.language import LanguageGuess
    from search.similarity import ClaimCandidate, ClaimJoin

from search.types import (
    FACET_FIELDS,
    VECTOR_DIMS,
    VERDICTS,
    Hit,
    MatchResult,
    SearchDocument,
    SearchResults,
    passage_text,
    passages,
)

__all__ = [
    "FACET_FIELDS",
    "ClaimCandidate",
    "ClaimJoin",
    "VECTOR_DIMS",
    "VERDICTS",
    "Hit",
    "LanguageGuess",
    "MatchResult",
    "SearchDocument",
    "SearchResults",
    "claim_join",
    "claim_vector",
    "count_claims",
    "delete_claims",
    "delete_documents",
    "detect_language",
    "detect_script",
    "embed_passages",
    "embed_queries",
    "embedding_cache_path",
    "fold",
    "get_backend",
    "get_embedder",
    "get_embedding_cache",
    "hybrid",
    "index_claims",
    "index_documents",
    "knn",
    "match",
    "nearest_claims",
    "passage_text",
    "passages",
    "query",
    "rebuild",
    "rebuild_claims",
    "register_facet_labels",
    "register_publisher_lookup",
    "reset_backends",
    "site_locale",
    "to_latin",
]

K = TypeVar("K", bound=Hashable)


def __getattr__(name: str) -> Any:
    # ``search.LanguageGuess`` without importing the language module up front.
    if name == "LanguageGuess":
        from search.language import LanguageGuess

        return LanguageGuess
    if name in ("ClaimCandidate", "ClaimJoin"):
        from search import similarity

        return getattr(similarity, name)
    raise AttributeError(f"module 'search' has no attribute {name!r}")


def get_backend() -> BaseSearchBackend:
    """The configured backend (``settings.FACTCHECK_SEARCH_BACKEND``), one per process."""
    from search.backends import get_search_backend

    return get_search_backend()


def reset_backends() -> None:
    """Drop the per-process backends, so the next call builds them from settings again."""
    from search.backends import reset_search_backends

    reset_search_backends()


def register_publisher_lookup(lookup: Callable[[list[str]], dict[str, dict[str, str]]]) -> None:
    """Register ``lookup(ids) -> {id: {"name": ..., "url": ...}}``: who published each
    fact-check, for the match API's credit (``claims`` registers one)."""
    from search.api.match import register_publisher_lookup as register

    register(lookup)


def register_facet_labels(provider: Callable[..., dict[str, dict[str, str]]]) -> None:
    """Register ``provider(language=...) -> {field: {value: label}}`` for the search page's
    facet labels (``claims`` registers its ratings, countries and topics)."""
    from search.views import register_facet_labels as register

    register(provider)


def index_documents(docs: Iterable[SearchDocument]) -> int:
    """Add or replace fact-checks in the index; returns how many were written."""
    return get_backend().index_documents(docs)


def delete_documents(ids: Iterable[str]) -> None:
    """Remove fact-checks (unpublished, deleted) by id."""
    get_backend().delete_documents(ids)


def query(
    q: str,
    *,
    language: str | None = None,
    reader_language: str | None = None,
    filters: dict[str, Any] | None = None,
    facets: Sequence[str] | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchResults:
    """Lexical search in any script/spelling; see ``BaseSearchBackend.search``."""
    return get_backend().search(
        q,
        language=language,
        reader_language=reader_language,
        filters=filters,
        facets=facets,
        limit=limit,
        offset=offset,
    )


def knn(
    vector: Sequence[float], *, k: int = 10, filters: dict[str, Any] | None = None
) -> list[Hit]:
    """Nearest fact-checks by embedding (cosine), best first."""
    return get_backend().knn(vector, k=k, filters=filters)


def hybrid(
    q: str,
    vector: Sequence[float] | None,
    *,
    k: int = 10,
    filters: dict[str, Any] | None = None,
    language: str | None = None,
) -> list[Hit]:
    """Lexical + vector candidates fused by reciprocal rank."""
    return get_backend().hybrid(q, vector, k=k, filters=filters, language=language)


def rebuild(
    docs: Iterable[SearchDocument],
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild the whole index from ``docs`` and swap it in atomically."""
    return get_backend().rebuild(docs, batch_size=batch_size, progress=progress)


def match(
    text: str,
    *,
    limit: int = 5,
    language: str | None = None,
    filters: dict[str, Any] | None = None,
    reader_language: str | None = None,
) -> list[MatchResult]:
    """Earlier fact-checks that ``text`` (a post, a claim, an article) repeats, best first.

    Lexical (normalised BM25) and vector (e5 kNN) candidates from the configured backend,
    fused by reciprocal rank; long texts are matched sentence by sentence (the first
    ``FACTCHECK_MATCH_MAX_SENTENCES``, 40) and each result names the sentence that
    matched.  Translations of one fact-check (one same-hoax group) are one result, shown
    in ``reader_language`` when there is a version in it (the others are in
    ``fields["same_hoax"]``).  ``MatchResult.is_match`` is the calibrated decision (score
    and margin over the best *other* hoax; ``docs/matching.md``).  Raises ``ValueError`` for empty text, text
    over ``FACTCHECK_MATCH_MAX_CHARS`` (20,000) characters, a ``limit`` outside 1..50 or
    an unknown filter.
    """
    from search.matching import match_text

    return match_text(
        text, limit=limit, language=language, filters=filters, reader_language=reader_language
    )


# --- text -----------------------------------------------------------------------------


def fold(text: str, language: str | None = None) -> str:
    """Cyrillic to Latin, ``đ -> dj``, lowercase, no diacritics: ``Вучић -> vucic``."""
    from search.normalize import fold as _fold

    return _fold(text, language)


def to_latin(text: str, language: str | None = None) -> str:
    """Transliterate Cyrillic to Latin losslessly (``docs/languages.md``)."""
    from search.normalize import to_latin as _to_latin

    return _to_latin(text, language)


def detect_script(text: str) -> str:
    """``cyrillic``, ``latin``, ``mixed`` or ``""`` (no letters), from Unicode ranges."""
    from search.language import detect_script as _detect_script

    return _detect_script(text)


def detect_language(text: str, *, hints: Sequence[str] = ()) -> LanguageGuess:
    """Language, script and detector confidence of ``text``; ``hints`` (locale codes,
    best first) name the hbs variety. The rules: :mod:`search.language`."""
    from search.language import detect_language as _detect_language

    return _detect_language(text, hints=hints)


def site_locale(guess: LanguageGuess) -> str | None:
    """The site locale for a :func:`detect_language` guess (``sr``/``sr-latn`` by script)."""
    from search.language import site_locale as _site_locale

    return _site_locale(guess)


# --- embeddings -------------------------------------------------------------------------


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """e5 *query* vectors (posts, sentences, claims), unit length, through the query cache."""
    from search.embeddings import embed_cached

    return embed_cached(list(texts), "query")


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """e5 *passage* vectors (fact-checks: :func:`passage_text`), through the disk cache."""
    from search.embeddings import embed_cached

    return embed_cached(list(texts), "passage")


def get_embedder(spec: str | None = None) -> Embedder:
    """The configured embedder (``FACTCHECK_EMBEDDER``), one per process."""
    from search.embeddings import get_embedder as _get_embedder

    return _get_embedder(spec)


def get_embedding_cache(path: str | Path | None = None) -> EmbeddingCache:
    """The on-disk passage-embedding cache (default: :func:`embedding_cache_path`)."""
    from search.embeddings import get_cache

    return get_cache(path)


def embedding_cache_path() -> Path:
    """Where the passage-embedding cache lives (under ``FACTCHECK_VAR_DIR``)."""
    from search.embeddings import default_cache_path

    return default_cache_path()


# --- claim-to-claim similarity ----------------------------------------------------------


def claim_vector(text: str, *, kind: str = "passage") -> bytes:
    """A claim's unit vector as float32 bytes; ``b""`` for a zero vector.

    ``kind="passage"`` (default) is what ``Claim.vector`` stores, as fact-checks store
    their claims; ``kind="query"`` is what a new text is compared with (through the
    in-memory query cache). Passages of claims are not put in the on-disk cache: they
    are what anyone sends, not our own content. Raises whatever the embedder raises."""
    from search.embeddings import embed_cached, get_embedder
    from search.similarity import vector_bytes

    if kind == "query":
        return vector_bytes(embed_cached([text], "query")[0])
    if kind != "passage":
        raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
    return vector_bytes(get_embedder().embed_passages([text])[0])


def index_claims(items: Iterable[tuple[int, bytes | Sequence[float]]]) -> int:
    """Add or replace claims in the claim vector index: ``(key, vector)`` pairs, the
    vector as ``Claim.vector`` stores it (float32 passage bytes); an empty vector removes
    the key. Claims are kept apart from the fact-checks: no search, ``match()``, count or
    API ever returns them. Returns how many vectors were written."""
    return get_backend().index_claim_vectors(items)


def delete_claims(ids: Iterable[int]) -> None:
    """Remove claims (merged, deleted) from the claim vector index; unknown keys are ignored."""
    get_backend().delete_claim_vectors(ids)


def rebuild_claims(
    items: Iterable[tuple[int, bytes | Sequence[float]]],
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace the whole claim vector index with ``items`` (a lazy iterable over the
    database) and swap it in atomically; writes made meanwhile are kept. Returns the count."""
    return get_backend().rebuild_claim_vectors(items, batch_size=batch_size, progress=progress)


def count_claims() -> int:
    """How many claims the claim vector index holds."""
    return get_backend().claim_vector_count()


def nearest_claims(
    query: bytes | Sequence[float], *, k: int = 20, exclude: Iterable[int] = ()
) -> list[tuple[int, float]]:
    """The ``k`` indexed claims nearest ``query`` (a new text's *query* vector) by cosine,
    best first, as ``(key, cosine)``; keys in ``exclude`` are left out. An exact kNN in
    the backend's claim vector index over every claim it holds (:mod:`search.similarity`);
    ``[]`` for an empty vector."""
    return get_backend().nearest_claim_vectors(query, k=k, exclude_ids=exclude)


def claim_join(
    query: bytes, text: str, candidates: Sequence[ClaimCandidate[K]]
) -> ClaimJoin[K] | None:
    """Is ``text`` (query vector ``query``) the same claim as the best of ``candidates``?

    ``search.match()``'s calibrated decision (threshold and margin for the configured
    embedder) on query-passage cosines with the place/number/month conflicts; the
    runner-up is the best candidate that is not the same claim as the top one
    (:mod:`search.similarity`, docs/matching.md "Claim-to-claim")."""
    from search.similarity import claim_join as _claim_join

    return _claim_join(query, text, candidates)
