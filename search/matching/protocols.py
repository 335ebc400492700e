"""What the match engine needs of a search backend and of an embedder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from search.embeddings import EmbedderLike
from search.types import Hit, SearchResults

__all__ = ["MatchBackend", "MatchEmbedder"]


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


#: What the engine (and the embedding caches) need of an embedder.
MatchEmbedder = EmbedderLike
