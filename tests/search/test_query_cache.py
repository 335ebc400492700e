"""Query embeddings (anyone's text) cannot grow the embedding cache without bound.

The on-disk cache keeps passages (what we index, bounded by our content); queries go
through a bounded in-process LRU (``FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE``).
"""

from __future__ import annotations

import numpy as np
import pytest

from search.embeddings import embed_cached, get_cache, get_embedder, query_cache


class CountingEmbedder:
    """The test embedder, counting the texts that reach it."""

    def __init__(self) -> None:
        self._real = get_embedder("test")
        self.embedded = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def embed(self, texts, kind="passage"):
        self.embedded += len(texts)
        return self._real.embed(texts, kind)


@pytest.fixture
def embedder(settings, tmp_path):
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE = 500
    query_cache().clear()
    yield CountingEmbedder()
    query_cache().clear()


def test_10000_distinct_queries_leave_the_caches_bounded(embedder):
    disk_before = get_cache().count()
    for start in range(0, 10_000, 1_000):
        texts = [f"Tvrdnja broj {i} o cijeni struje" for i in range(start, start + 1_000)]
        vectors = embed_cached(texts, "query", embedder=embedder)
        assert vectors.shape == (1_000, embedder.dim)
    assert embedder.embedded == 10_000
    assert get_cache().count() == disk_before  # nothing of the queries reached the disk
    assert len(query_cache()) <= 500


def test_repeated_queries_are_served_from_memory_and_equal_the_model(embedder):
    texts = [
        "Struja poskupljuje 40 posto",
        "Benzin će koštati 3 eura",
        "Struja poskupljuje 40 posto",
    ]
    first = embed_cached(texts, "query", embedder=embedder)
    assert embedder.embedded == 2  # the duplicate inside the call is embedded once
    again = embed_cached(texts, "query", embedder=embedder)
    assert embedder.embedded == 2
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, embedder.embed_queries(texts), rtol=1e-6)


def test_the_least_recently_used_query_goes_first(embedder, settings):
    settings.FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE = 2
    embed_cached(["prvi upit"], "query", embedder=embedder)
    embed_cached(["drugi upit"], "query", embedder=embedder)
    embed_cached(["prvi upit"], "query", embedder=embedder)  # now the most recent
    embed_cached(["treći upit"], "query", embedder=embedder)  # evicts "drugi upit"
    assert embedder.embedded == 3
    embed_cached(["prvi upit"], "query", embedder=embedder)
    assert embedder.embedded == 3
    embed_cached(["drugi upit"], "query", embedder=embedder)
    assert embedder.embedded == 4


def test_passages_still_persist_on_disk(embedder):
    embed_cached(["Cjepiva ne sadrže mikročipove"], "passage", embedder=embedder)
    assert get_cache().count() == 1
    embed_cached(["Cjepiva ne sadrže mikročipove"], "passage", embedder=embedder)
    assert embedder.embedded == 1
