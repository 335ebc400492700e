"""Search across Balkan languages and scripts: the only functions other apps call.

Imports stay light: the engine (tantivy, numpy, the Elasticsearch client) is loaded
by the first call, through :func:`get_backend`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.backends.base import BaseSearchBackend
    from search.types import Hit, SearchDocument, SearchResults

from search.types import MatchResult

__all__ = [
    "delete_documents",
    "get_backend",
    "hybrid",
    "index_documents",
    "knn",
    "match",
    "MatchResult",
    "query",
    "rebuild",
]


def get_backend() -> BaseSearchBackend:
    """The configured backend (``settings.FACTCHECK_SEARCH_BACKEND``), one per process."""
    from search.backends import get_search_backend

    return get_search_backend()


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
) -> list[MatchResult]:
    """Earlier fact-checks that ``text`` (a post, a claim, an article) repeats, best first.

    Lexical (normalised BM25) and vector (e5 kNN) candidates from the configured backend,
    fused by reciprocal rank; long texts are matched sentence by sentence (the first 40)
    and each result names the sentence that matched.  ``MatchResult.is_match`` is the
    calibrated decision (score and margin over the runner-up; ``docs/matching.md``).
    Raises ``ValueError`` for empty text, text over 20,000 characters, a ``limit``
    outside 1..50 or an unknown filter.
    """
    from search.matcher import match_text

    return match_text(text, limit=limit, language=language, filters=filters)
