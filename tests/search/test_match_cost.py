"""One match call has a bounded cost, however long the text a client sends.

The real embedder and the real backend are wrapped to count what a call does: embedder
calls and texts embedded, kNN and lexical backend queries.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

import search
import search.embeddings
import search.matching.units
from search.backends import reset_search_backends
from search.embeddings import get_embedder
from search.matching import LEXICAL_COSINE_DEPTH, match_text, prepare_units
from search.matching.units import SCAN_CHARS_PER_SENTENCE, WHOLE_TEXT_SCAN_CHARS
from search.types import SearchDocument

CLAIMS = [
    "Cjepiva sadrže mikročipove kojima se prate građani",
    "Coca-Cola je priznala da njeni proizvodi sadrže alkohol",
    "Nove 5G antene šire virus i izazivaju masovna oboljenja",
]


def _huge_text(sentences: int = 50_000) -> str:
    """``sentences`` distinct sentences of four words; 50,000 of them are over 1 MB."""
    return " ".join(f"Cjepivo {i} sadrži čip." for i in range(sentences))


def test_the_huge_text_is_what_it_says():
    text = _huge_text()
    assert len(text.encode()) >= 1_000_000 and text.count(".") == 50_000


class CountingEmbedder:
    """The real embedder, counting calls and inputs of everything it embeds."""

    def __init__(self, real) -> None:
        self._real = real
        self.calls = 0
        self.inputs = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def embed(self, texts, kind="passage"):
        self.calls += 1
        self.inputs += len(texts)
        return self._real.embed(texts, kind)


class CountingBackend:
    """The real backend, counting the queries sent to it."""

    def __init__(self, real) -> None:
        self._real = real
        self.knn_calls = 0
        self.search_calls = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def knn(self, *args, **kwargs):
        self.knn_calls += 1
        return self._real.knn(*args, **kwargs)

    def search(self, *args, **kwargs):
        self.search_calls += 1
        return self._real.search(*args, **kwargs)

    @property
    def queries(self) -> int:
        return self.knn_calls + self.search_calls


@pytest.fixture
def counted(settings, tmp_path, monkeypatch):
    """Counting wrappers around the configured embedder and backend, with an index."""
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_SEARCH_PARAMS = {"PATH": str(tmp_path / "search")}
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    real = get_embedder("test")
    vectors = real.embed_passages(CLAIMS)
    search.index_documents(
        [
            SearchDocument(id=str(i), title=c, claim_reviewed=c, language="hr", vector=list(v))
            for i, (c, v) in enumerate(zip(CLAIMS, vectors, strict=True))
        ]
    )
    embedder = CountingEmbedder(real)
    backend = CountingBackend(search.get_backend())
    monkeypatch.setattr(search.embeddings, "get_embedder", lambda spec=None: embedder)
    monkeypatch.setattr(search, "get_backend", lambda: backend)
    yield embedder, backend
    reset_search_backends()


def _bound(sentences: int) -> tuple[int, int]:
    """(texts embedded, backend queries) one call may cost with ``sentences`` kept: each
    sentence and the whole text as queries, plus passages of lexical-only candidates;
    one kNN and one lexical query per unit."""
    units = sentences + 1
    return units + LEXICAL_COSINE_DEPTH, 2 * units


def test_a_1mb_text_is_refused_by_the_api_before_any_work(counted, db):
    embedder, backend = counted
    response = APIClient().post("/api/v1/match/", {"text": _huge_text()}, format="json")
    assert response.status_code == 400
    assert "too long" in response.json()["detail"]
    assert embedder.calls == 0 and backend.queries == 0


def test_the_api_honours_the_configured_maximum_length(counted, settings, db):
    settings.FACTCHECK_MATCH_MAX_CHARS = 100
    client = APIClient()
    response = client.post("/api/v1/match/", {"text": "cjepiva čipovi " * 10}, format="json")
    assert response.status_code == 400 and "the limit is 100" in response.json()["detail"]
    assert (
        client.post("/api/v1/match/", {"text": "cjepiva " * 12}, format="json").status_code == 200
    )


def test_a_1mb_text_of_50000_sentences_costs_a_bounded_amount(counted, settings):
    """Even where an operator accepts 2 MB texts, sentences embedded and queries are capped."""
    embedder, backend = counted
    settings.FACTCHECK_MATCH_MAX_CHARS = 2_000_000
    settings.FACTCHECK_MATCH_MAX_SENTENCES = 10
    results = match_text(_huge_text(), limit=5)
    assert results  # it still matches (the text is about vaccines)
    max_inputs, max_queries = _bound(10)
    assert embedder.calls <= 2  # one batch of queries, one of passages
    assert embedder.inputs <= max_inputs, embedder.inputs
    assert backend.knn_calls <= 11 and backend.search_calls <= 11
    assert backend.queries <= max_queries


def test_the_default_caps_hold_at_the_default_maximum_length(counted, settings):
    embedder, backend = counted
    assert settings.FACTCHECK_MATCH_MAX_SENTENCES == 40
    text = _huge_text(2_000)[: settings.FACTCHECK_MATCH_MAX_CHARS]
    match_text(text, limit=5)
    max_inputs, max_queries = _bound(40)
    assert embedder.calls <= 2 and embedder.inputs <= max_inputs
    assert backend.queries <= max_queries


def test_fewer_sentences_configured_means_fewer_queries(counted, settings):
    embedder, backend = counted
    settings.FACTCHECK_MATCH_MAX_SENTENCES = 3
    match_text(_huge_text(2_000)[:20_000], limit=5)
    max_inputs, max_queries = _bound(3)
    assert embedder.inputs <= max_inputs and backend.queries <= max_queries


def test_preparing_a_1mb_text_reads_a_bounded_prefix(settings, monkeypatch):
    """Splitting and cleaning touch a bounded number of characters, not the whole text."""
    settings.FACTCHECK_MATCH_MAX_CHARS = 2_000_000
    settings.FACTCHECK_MATCH_MAX_SENTENCES = 10
    read = {"split": 0, "clean": 0}
    real_split, real_clean = (
        search.matching.units.split_sentences,
        search.matching.units.clean_social_text,
    )

    def split(text, *args, **kwargs):
        read["split"] += len(text)
        return real_split(text, *args, **kwargs)

    def clean(text, *args, **kwargs):
        read["clean"] += len(text)
        return real_clean(text, *args, **kwargs)

    monkeypatch.setattr(search.matching.units, "split_sentences", split)
    monkeypatch.setattr(search.matching.units, "clean_social_text", clean)
    units = prepare_units(_huge_text())
    assert units.n_sentences == 10
    prefix = 10 * 4 * SCAN_CHARS_PER_SENTENCE
    assert read["split"] <= prefix
    assert read["clean"] <= prefix + WHOLE_TEXT_SCAN_CHARS
