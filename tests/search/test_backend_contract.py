"""One contract, every configured engine: embedded always, Elasticsearch when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from search.backends import get_search_backend, load_backend, reset_search_backends
from search.types import SearchDocument

ES_URL = os.environ.get("ELASTICSEARCH_URL")
needs_es = pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set")


def _vec(seed: int) -> list[float]:
    return list(np.random.default_rng(seed).normal(size=384).astype(float))


def corpus() -> list[SearchDocument]:
    return [
        SearchDocument(
            id="sr-cyr",
            title="Вучић и вакцине",
            claim_reviewed="Вучић је рекао да вакцине садрже микрочипове",
            summary="Тврдња да вакцине садрже микрочипове је нетачна.",
            language="sr",
            rating_verdict="false",
            countries=["RS"],
            topics=["health"],
            published=date(2025, 3, 14),
            vector=_vec(1),
        ),
        SearchDocument(
            id="hr-lat",
            title="Đoković i cjepivo",
            claim_reviewed="Đoković tvrdi da cjepivo sadrži mikročip",
            body="Novak Đoković nikada nije rekao da cjepivo sadrži mikročip.",
            language="hr",
            rating_verdict="misleading",
            countries=["HR"],
            topics=["health", "sport"],
            published=date(2024, 11, 2),
            vector=_vec(2),
        ),
        SearchDocument(
            id="mk",
            title="ЌЕРКА на министерот",
            claim_reviewed="Ќерката на министерот добила станови",
            language="mk",
            rating_verdict="false",
            countries=["MK"],
            topics=["politics"],
            published=date(2025, 1, 5),
            vector=_vec(3),
        ),
        SearchDocument(
            id="sq",
            title="Tarifat e studentëve",
            claim_reviewed="Studentët në Shqipëri do të paguajnë tarifa të dyfishta",
            language="sq",
            rating_verdict="mostly-false",
            countries=["AL"],
            topics=["education"],
            published=None,
            vector=None,
        ),
    ]


def _embedded(settings, tmp_path):
    settings.FACTCHECK_VAR_DIR = tmp_path
    return load_backend("embedded")


def _elasticsearch(settings, tmp_path):
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    return load_backend("elasticsearch", {"URL": ES_URL, "INDEX_PREFIX": prefix, "REFRESH": True})


@pytest.fixture(
    params=[
        pytest.param(_embedded, id="embedded"),
        pytest.param(_elasticsearch, id="elasticsearch", marks=needs_es),
    ]
)
def make_backend(request, settings, tmp_path):
    created = []

    def make():
        backend = request.param(settings, tmp_path)
        created.append(backend)
        return backend

    yield make
    for backend in created:
        if hasattr(backend, "drop_all"):
            backend.drop_all()


@pytest.fixture
def backend(make_backend):
    backend = make_backend()
    backend.index_documents(corpus())
    backend.refresh()
    return backend


def ids(results) -> list[str]:
    return [hit.id for hit in (results.hits if hasattr(results, "hits") else results)]


# --- writes --------------------------------------------------------------------------


def test_index_count_delete_clear(backend) -> None:
    assert backend.count() == 4
    backend.index_documents([corpus()[0]])  # same id again replaces, does not duplicate
    backend.refresh()
    assert backend.count() == 4
    backend.delete_documents(["mk", "no-such-id"])
    backend.refresh()
    assert backend.count() == 3
    assert "mk" not in ids(backend.search("kjerka"))
    assert "mk" not in ids(backend.knn(_vec(3), k=4))
    backend.clear()
    backend.refresh()
    assert backend.count() == 0
    assert backend.search("vucic").hits == []
    assert backend.knn(_vec(1), k=3) == []


# --- scripts and spellings meet ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vucic vakcine", "sr-cyr"),  # Latin, no diacritics -> Cyrillic doc
        ("Vučić vakcina", "sr-cyr"),
        ("Вучић", "sr-cyr"),
        ("ђоковић цјепиво", "hr-lat"),  # Cyrillic -> Latin doc
        ("Dokovic", "hr-lat"),
        ("djokovic", "hr-lat"),
        ("kjerka ministerot", "mk"),  # Latin typed Macedonian -> Cyrillic doc
        ("studentet tarifa", "sq"),  # Albanian without ë
    ],
)
def test_found_across_scripts_and_diacritics(backend, query: str, expected: str) -> None:
    assert ids(backend.search(query))[:1] == [expected]


def test_ijekavian_query_finds_ekavian_stem_docs(backend) -> None:
    # "mikročip" (hr) and "микрочипове" (sr) share a stem: both documents match.
    assert set(ids(backend.search("mikročipovi"))) == {"sr-cyr", "hr-lat"}


def test_highlight_in_original_script(backend) -> None:
    hit = backend.search("vucic vakcine").hits[0]
    assert "<mark>Вучић</mark>" in hit.highlight
    assert "<mark>вакцине</mark>" in hit.highlight
    hit = backend.search("Ђоковић").hits[0]
    assert "<mark>Đoković</mark>" in hit.highlight


def test_highlight_escapes_html(make_backend) -> None:
    backend = make_backend()
    backend.index_documents(
        [SearchDocument(id="x", claim_reviewed="<script>alert(1)</script> Vučić", language="sr")]
    )
    backend.refresh()
    snippet = backend.search("vucic").hits[0].highlight
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>Vučić</mark>" in snippet


# --- filters and facets --------------------------------------------------------------


def test_filters(backend) -> None:
    assert ids(backend.search("mikrocip", filters={"rating_verdict": "false"})) == ["sr-cyr"]
    assert ids(backend.search("mikrocip", filters={"countries": ["hr"]})) == ["hr-lat"]
    assert ids(backend.search("mikrocip", filters={"language": "hbs", "topics": ["sport"]})) == [
        "hr-lat"
    ]
    dated = backend.search("mikrocip", filters={"published_from": date(2025, 1, 1)})
    assert ids(dated) == ["sr-cyr"]
    with pytest.raises(ValueError, match="unknown search filter"):
        backend.search("x", filters={"colour": "red"})


def test_facets_count_all_matches(backend) -> None:
    results = backend.search("mikrocip", facets=["rating_verdict", "language", "topics"], limit=1)
    assert results.total == 2 and len(results.hits) == 1
    assert results.facets["rating_verdict"] == {"false": 1, "misleading": 1}
    assert results.facets["language"] == {"sr": 1, "hr": 1}
    assert results.facets["topics"] == {"health": 2, "sport": 1}


def test_paging(backend) -> None:
    first = ids(backend.search("mikrocip", limit=1))
    second = ids(backend.search("mikrocip", limit=1, offset=1))
    assert len(first) == len(second) == 1 and first != second


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"vucic',
        "*",
        "vucic*",
        "(",
        ")",
        ":",
        "title:vucic",
        "AND",
        "OR NOT",
        "a AND (b OR",
        "\\",
        "[1 TO 2]",
        "~2",
        "^3",
        "+-!",
        "",
        "   ",
        "x" * 5000,
        "🦠",
        "\x00",
    ],
)
def test_operator_characters_never_raise(backend, query: str) -> None:
    results = backend.search(query, facets=["language"])
    assert results.total >= 0
    if "vucic" in query:
        assert ids(results)[:1] == ["sr-cyr"]


# --- vectors ---------------------------------------------------------------------------


def test_knn_orders_by_cosine(backend) -> None:
    query = np.array(_vec(2)) + 0.3 * np.array(_vec(1))
    hits = backend.knn(list(query), k=3)
    assert ids(hits) == ["hr-lat", "sr-cyr", "mk"]
    assert hits[0].score > hits[1].score > hits[2].score
    assert ids(backend.knn(list(query), k=3, filters={"countries": "MK"})) == ["mk"]


def test_knn_rejects_wrong_dimensions(backend) -> None:
    with pytest.raises(ValueError, match="384"):
        backend.knn([0.1, 0.2], k=1)


def test_hybrid_fuses_lexical_and_vector(backend) -> None:
    # Lexically only hr-lat matches "djokovic"; by vector mk is nearest. Both must come
    # back, and a document found by both lists beats one found by either alone.
    fused = backend.hybrid("djokovic", _vec(3), k=3)
    assert ids(fused)[0] in {"hr-lat", "mk"}
    assert {"hr-lat", "mk"} <= set(ids(fused))
    both = backend.hybrid("djokovic", _vec(2), k=3)
    assert ids(both)[0] == "hr-lat"
    assert both[0].fields["lexical_rank"] == 1 and both[0].fields["vector_rank"] == 1


# --- rebuild and multi-process ---------------------------------------------------------


def test_rebuild_swaps_atomically_and_survives_a_crash(backend) -> None:
    def crashing():
        yield corpus()[0]
        raise RuntimeError("worker killed mid-rebuild")

    with pytest.raises(RuntimeError):
        backend.rebuild(crashing(), batch_size=1)
    backend.refresh()
    assert backend.count() == 4  # the old index still serves, untouched
    assert ids(backend.search("kjerka")) == ["mk"]

    seen: list[int] = []
    new = [SearchDocument(id="only", title="Šešelj", language="sr", vector=_vec(9))]
    assert backend.rebuild(new, batch_size=1, progress=seen.append) == 1
    backend.refresh()
    assert backend.count() == 1 and seen == [1]
    assert ids(backend.search("Шешељ")) == ["only"]
    assert ids(backend.knn(_vec(9), k=5)) == ["only"]


def test_writes_during_a_rebuild_are_kept(backend, make_backend) -> None:
    """Another process indexes, updates and deletes while ``rebuild`` runs (between
    "create the new index" and "swap"): after the swap the index has all of it."""
    other = make_backend()  # another process, as far as the engine is concerned
    if hasattr(backend, "index_prefix"):
        other = backend.__class__({**backend.params})
    docs = {d.id: d for d in corpus()}
    corrected = replace(docs["hr-lat"], claim_reviewed="Đoković tvrdi ispravka cjepivo")
    finished = threading.Event()
    failures: list[BaseException] = []

    def live_writes() -> None:
        try:
            other.index_documents([corrected])
            other.index_documents(
                [SearchDocument(id="new", title="Šešelj", language="sr", vector=_vec(7))]
            )
            other.delete_documents(["mk"])
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            finished.set()

    writer = threading.Thread(target=live_writes)

    def from_the_database():
        yield docs["sr-cyr"]
        stale = [docs["hr-lat"], docs["mk"], docs["sq"]]  # read before the writes
        writer.start()
        # Elasticsearch takes the writes at once; the embedded engine's writers wait for
        # its write lock, i.e. for the swap, and then write to the new generation.
        finished.wait(timeout=0.2 if type(backend).__name__ == "EmbeddedSearchBackend" else 60)
        yield from stale

    assert backend.rebuild(from_the_database(), batch_size=1) == 4
    writer.join(timeout=60)
    assert finished.is_set() and not failures, failures
    backend.refresh()
    assert ids(backend.search("ispravka")) == ["hr-lat"]  # the update, not the stale copy
    assert ids(backend.search("seselj")) == ["new"]
    assert ids(backend.search("kjerka")) == []  # the delete, not the stale copy
    assert "mk" not in ids(backend.knn(_vec(3), k=5))
    assert backend.count() == 4  # sr-cyr, hr-lat, sq, new


def test_second_instance_sees_commits_after_refresh(backend, make_backend) -> None:
    other = make_backend()  # another process, as far as the engine is concerned
    if hasattr(backend, "index_prefix"):
        other = backend.__class__({**backend.params})
    assert other.count() == 4
    backend.index_documents(
        [SearchDocument(id="new", title="Šešelj", language="sr", vector=_vec(7))]
    )
    other.refresh()
    assert ids(other.search("seselj")) == ["new"]
    assert ids(other.knn(_vec(7), k=1)) == ["new"]
    backend.rebuild(corpus()[:1])
    other.refresh()
    assert other.count() == 1


# --- loader ------------------------------------------------------------------------------


def test_loader_resolves_and_caches(settings, tmp_path) -> None:
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_SEARCH_BACKEND = "embedded"
    reset_search_backends()
    try:
        first = get_search_backend()
        assert first is get_search_backend()
        assert type(first).__name__ == "EmbeddedSearchBackend"
        assert type(get_search_backend("search.backends.embedded")) is type(first)
    finally:
        reset_search_backends()


@pytest.mark.parametrize("name", ["nope", "search.backends.nope", "search.types"])
def test_loader_bad_name_is_improperly_configured(name: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="FACTCHECK_SEARCH_BACKEND"):
        load_backend(name)


def test_unreachable_elasticsearch_is_improperly_configured() -> None:
    pytest.importorskip("elasticsearch")
    with pytest.raises(ImproperlyConfigured, match="unusable"):
        load_backend("elasticsearch", {"URL": "http://127.0.0.1:9", "TIMEOUT": 1})


# --- claim vectors: the claim queue's own index, apart from the fact-checks -----------------


def _recorded_elasticsearch(settings, tmp_path):
    """Elasticsearch through the recorded-request fake that also answers kNN
    (``test_claim_vector_index.KnnCluster``): the claim contract without a cluster."""
    pytest.importorskip("elasticsearch")
    from test_claim_vector_index import new_cluster, recorded_backend

    cluster = new_cluster()
    backend = recorded_backend(cluster)
    # "Another process": its own client on the same cluster.
    backend.another = lambda: recorded_backend(cluster)
    return backend


@pytest.fixture(
    params=[
        pytest.param(_embedded, id="embedded"),
        pytest.param(_recorded_elasticsearch, id="elasticsearch-recorded"),
        pytest.param(_elasticsearch, id="elasticsearch", marks=needs_es),
    ]
)
def claim_backend(request, settings, tmp_path):
    backend = request.param(settings, tmp_path)
    if not hasattr(backend, "another"):  # another process, as far as the engine is concerned
        if hasattr(backend, "index_prefix"):
            backend.another = lambda: backend.__class__({**backend.params})
        else:
            backend.another = lambda: load_backend("embedded")
    yield backend
    if hasattr(backend, "drop_all"):
        backend.drop_all()


def _claim_vec(seed: int) -> np.ndarray:
    vector = np.asarray(_vec(seed), dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_claim_vectors_nearest_by_cosine_with_exclusions(claim_backend) -> None:
    from search.similarity import vector_bytes

    claim_backend.index_claim_vectors(
        [(i, vector_bytes(_claim_vec(i))) for i in range(1, 6)]  # bytes, as Claim.vector
    )
    claim_backend.index_claim_vectors([(6, list(_claim_vec(6)))])  # or floats
    query = _claim_vec(2) + 0.4 * _claim_vec(4)
    unit = query / np.linalg.norm(query)
    found = claim_backend.nearest_claim_vectors(list(query), k=3)
    cosines = {i: float(_claim_vec(i) @ unit) for i in range(1, 7)}
    best = sorted(cosines, key=lambda i: -cosines[i])
    assert [key for key, _ in found] == best[:3] and best[:2] == [2, 4]
    for key, cosine in found:
        assert cosine == pytest.approx(cosines[key], abs=1e-4)
    assert all(isinstance(key, int) for key, _ in found)
    without = claim_backend.nearest_claim_vectors(list(query), k=2, exclude_ids=[2])
    assert [key for key, _ in without] == [4, best[2]]
    assert claim_backend.claim_vector_count() == 6
    assert claim_backend.nearest_claim_vectors(b"", k=3) == []


def test_claim_vectors_replace_delete_and_clear(claim_backend) -> None:
    claim_backend.index_claim_vectors([(1, _claim_vec(1)), (2, _claim_vec(2))])
    claim_backend.index_claim_vectors([(1, _claim_vec(9))])  # same key: replaced
    assert claim_backend.claim_vector_count() == 2
    assert [k for k, _ in claim_backend.nearest_claim_vectors(_claim_vec(9), k=1)] == [1]
    assert claim_backend.nearest_claim_vectors(_claim_vec(9), k=1)[0][1] == pytest.approx(
        1.0, abs=1e-4
    )
    claim_backend.delete_claim_vectors([1, 404])
    assert [k for k, _ in claim_backend.nearest_claim_vectors(_claim_vec(9), k=5)] == [2]
    claim_backend.index_claim_vectors([(2, b"")])  # no vector any more: removed
    assert claim_backend.nearest_claim_vectors(_claim_vec(2), k=5) == []
    claim_backend.index_claim_vectors([(3, _claim_vec(3))])
    claim_backend.clear_claim_vectors()
    assert claim_backend.claim_vector_count() == 0
    assert claim_backend.nearest_claim_vectors(_claim_vec(3), k=5) == []


def test_claims_never_reach_the_fact_check_index(claim_backend) -> None:
    """Claims share no index with fact-checks: search, kNN, hybrid and count never see
    them, and a fact-check rebuild or clear does not drop them."""
    claim_backend.index_documents(corpus()[:1])
    claim_backend.refresh()
    claim_backend.index_claim_vectors([(7, _claim_vec(1)), (8, _claim_vec(2))])
    if type(claim_backend).__name__ == "EmbeddedSearchBackend":  # the fake answers no text
        assert ids(claim_backend.search("vucic")) == ["sr-cyr"]
        assert ids(claim_backend.knn(_vec(1), k=10)) == ["sr-cyr"]
        assert ids(claim_backend.hybrid("vucic", _vec(2), k=10)) == ["sr-cyr"]
    assert claim_backend.count() == 1
    claim_backend.rebuild(corpus()[1:2])
    claim_backend.clear()
    assert claim_backend.claim_vector_count() == 2


def test_claim_vectors_rebuild_swaps_and_keeps_writes_made_meanwhile(claim_backend) -> None:
    claim_backend.index_claim_vectors([(1, _claim_vec(1)), (2, _claim_vec(2)), (3, _claim_vec(3))])
    other = claim_backend.another()
    finished = threading.Event()
    failures: list[BaseException] = []

    def live_writes() -> None:
        try:
            other.index_claim_vectors([(2, _claim_vec(20)), (4, _claim_vec(4))])
            other.delete_claim_vectors([3])
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            finished.set()

    writer = threading.Thread(target=live_writes)

    def from_the_database():
        yield 1, _claim_vec(1)
        stale = [(2, _claim_vec(2)), (3, _claim_vec(3))]  # read before the writes
        writer.start()
        # The embedded engine's writers wait for its write lock, i.e. for the swap.
        embedded = type(claim_backend).__name__ == "EmbeddedSearchBackend"
        finished.wait(timeout=0.2 if embedded else 60)
        yield from stale

    seen: list[int] = []
    assert (
        claim_backend.rebuild_claim_vectors(from_the_database(), batch_size=1, progress=seen.append)
        == 3
    )
    writer.join(timeout=60)
    assert finished.is_set() and not failures, failures
    assert seen == [1, 2, 3]
    assert claim_backend.claim_vector_count() == 3  # 1, 2 (the live version) and 4
    assert [k for k, _ in claim_backend.nearest_claim_vectors(_claim_vec(20), k=1)] == [2]
    assert 3 not in [k for k, _ in claim_backend.nearest_claim_vectors(_claim_vec(3), k=5)]
    reader = claim_backend.another()
    assert [k for k, _ in reader.nearest_claim_vectors(_claim_vec(4), k=1)] == [4]

    def crashing():
        yield 9, _claim_vec(9)
        raise RuntimeError("worker killed mid-rebuild")

    with pytest.raises(RuntimeError):
        claim_backend.rebuild_claim_vectors(crashing(), batch_size=1)
    assert claim_backend.claim_vector_count() == 3  # the old set still serves
    assert 9 not in [k for k, _ in claim_backend.nearest_claim_vectors(_claim_vec(9), k=5)]


def test_another_instance_sees_claim_writes(claim_backend) -> None:
    other = claim_backend.another()
    assert other.nearest_claim_vectors(_claim_vec(5), k=1) == []
    claim_backend.index_claim_vectors([(5, _claim_vec(5))])
    other.refresh()
    assert [k for k, _ in other.nearest_claim_vectors(_claim_vec(5), k=1)] == [5]
    claim_backend.delete_claim_vectors([5])
    other.refresh()
    assert other.nearest_claim_vectors(_claim_vec(5), k=1) == []
