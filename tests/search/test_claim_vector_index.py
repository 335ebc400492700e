"""The claim vector index: the embedded engine's segment store, and the exact requests the
Elasticsearch backend sends for it (recorded at the transport node, no network).

The claim queue's vectors have their own index in both engines (``<root>/claims/``;
``<prefix>-claims``), never the fact-check index: claims are never searched or matched.
:class:`KnnCluster` is the in-memory Elasticsearch of ``test_elasticsearch_requests``
that also answers kNN searches (cosine, ``ids`` exclusion), so the backend contract
(``test_backend_contract.py``) runs the claim-vector tests against it as well.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

pytest.importorskip("elasticsearch")

from elasticsearch import Elasticsearch  # noqa: E402
from test_elasticsearch_requests import (  # noqa: E402
    ALIAS,
    FakeCluster,
    calls,
    live_docs,
    seed,
)

import search.backends.claim_vectors as claim_vectors  # noqa: E402
from search.backends import load_backend  # noqa: E402
from search.backends.base import SearchBackendError  # noqa: E402
from search.backends.elasticsearch import ElasticsearchSearchBackend  # noqa: E402
from search.similarity import vector_bytes  # noqa: E402
from search.types import SearchDocument  # noqa: E402

CLAIMS = "fc-claims"
CLAIMS_REBUILDING = "fc-claims-rebuilding"
CLAIMS_INDEX = re.compile(rf"{CLAIMS}-\d{{20}}")


def unit(seed_: int) -> np.ndarray:
    vector = np.random.default_rng(seed_).normal(size=384).astype(np.float32)
    return vector / np.linalg.norm(vector)


class KnnCluster(FakeCluster):
    """:class:`FakeCluster` that evaluates a kNN search (exact cosine over ``vector``,
    ``bool.must_not.ids``), the way Elasticsearch scores it: ``(1 + cos) / 2``."""

    def _answer(self, method, path, params, body):
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[1] == "_search" and body and "knn" in body:
            indices = self._expand(parts[0])
            if not indices:
                return 404, {
                    "error": {"type": "index_not_found_exception", "reason": parts[0]},
                    "status": 404,
                }
            return 200, self._knn(indices, body)
        return super()._answer(method, path, params, body)

    def _knn(self, indices: list[str], body: dict[str, Any]) -> dict[str, Any]:
        knn = body["knn"]
        query = np.asarray(knn["query_vector"], dtype=np.float64)
        excluded: set[str] = set()
        for clause in knn.get("filter", {}).get("bool", {}).get("must_not", []):
            excluded.update(clause["ids"]["values"])
        scored = []
        for index in indices:
            for doc_id, source in type(self).indices[index].items():
                vector = source.get("vector")
                if vector is None or doc_id in excluded:
                    continue
                vector = np.asarray(vector, dtype=np.float64)
                cosine = float(vector @ query / np.linalg.norm(vector) / np.linalg.norm(query))
                scored.append(((1.0 + cosine) / 2.0, doc_id))
        scored.sort(key=lambda item: (-item[0], item[1]))
        hits = [{"_id": doc_id, "_score": score} for score, doc_id in scored[: knn["k"]]]
        return {"hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits}}


def new_cluster() -> type[KnnCluster]:
    return type(
        "Cluster",
        (KnnCluster,),
        {
            "requests": [],
            "indices": {},
            "bodies": {},
            "aliases": {},
            "auto_created": [],
            "search_response": {},
        },
    )


def recorded_backend(cluster: type[KnnCluster], **params) -> ElasticsearchSearchBackend:
    """An Elasticsearch backend whose transport node is ``cluster`` (a fact-check index
    already behind its alias, as a deployment has it)."""
    if ALIAS not in cluster.aliases:
        seed(cluster)
    client = Elasticsearch("http://es.test:9200", node_class=cluster)
    return ElasticsearchSearchBackend({"INDEX_PREFIX": "fc", **params}, client=client)


@pytest.fixture
def cluster() -> type[KnnCluster]:
    return new_cluster()


def claims_docs(cluster) -> dict[str, dict[str, Any]]:
    (index,) = cluster.aliases[CLAIMS]
    return cluster.indices[index]


# --- Elasticsearch: requests --------------------------------------------------------


def test_the_claims_index_is_created_on_the_first_claim_write(cluster) -> None:
    backend = recorded_backend(cluster)
    assert CLAIMS not in cluster.aliases  # starting up creates no claims index
    cluster.requests.clear()
    assert backend.index_claim_vectors([(7, vector_bytes(unit(1)))]) == 1
    made = calls(cluster)
    assert made[0] == ("HEAD", f"/_alias/{CLAIMS}")
    method, target, body, _ = cluster.requests[1]
    assert method == "PUT" and CLAIMS_INDEX.fullmatch(target[1:])
    assert body == {
        "settings": {"number_of_shards": 1},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                # Exact kNN and the cosine the calibrated decision was fitted on.
                "vector": {
                    "type": "dense_vector",
                    "dims": 384,
                    "index": True,
                    "similarity": "cosine",
                    "index_options": {"type": "flat"},
                },
                "tombstone": {"type": "boolean"},
            },
        },
    }
    assert cluster.requests[2][:3] == (
        "POST",
        "/_aliases",
        {"actions": [{"add": {"index": target[1:], "alias": CLAIMS, "is_write_index": True}}]},
    )
    method, target, lines, _ = cluster.requests[3]
    assert (method, target.split("?")[0]) == ("PUT", "/_bulk")
    assert "require_alias=true" in target  # a lost alias fails, never a dynamic index
    assert "refresh=true" in target  # the next item ingested may repeat this claim
    assert lines[0] == {"index": {"_index": CLAIMS, "_id": "7"}}
    assert lines[2] == {"index": {"_index": CLAIMS_REBUILDING, "_id": "7"}}
    assert lines[1] == lines[3] and list(lines[1]) == ["vector"]
    assert lines[1]["vector"] == pytest.approx(unit(1).tolist(), abs=1e-6)
    # The next write is the bulk alone, and the fact-check index never saw a claim.
    cluster.requests.clear()
    backend.index_claim_vectors([(8, unit(2).tolist())])
    assert [t.split("?")[0] for _, t, _, _ in cluster.requests] == ["/_bulk"]
    assert sorted(claims_docs(cluster)) == ["7", "8"]
    assert live_docs(cluster) == {} and cluster.auto_created == []


def test_delete_and_empty_vectors_remove_claims_and_leave_tombstones_for_a_rebuild(
    cluster,
) -> None:
    backend = recorded_backend(cluster)
    backend.index_claim_vectors([(1, unit(1)), (2, unit(2)), (3, unit(3))])
    cluster.requests.clear()
    backend.delete_claim_vectors([1])
    backend.index_claim_vectors([(2, b"")])  # no embedding any more: out of the index
    (_, _, first, _), (_, _, second, _) = cluster.requests
    assert first == [
        {"delete": {"_index": CLAIMS, "_id": "1"}},
        {"index": {"_index": CLAIMS_REBUILDING, "_id": "1"}},
        {"tombstone": True},
    ]
    assert second[0] == {"delete": {"_index": CLAIMS, "_id": "2"}}
    assert sorted(claims_docs(cluster)) == ["3"]
    assert backend.claim_vector_count() == 1


def test_nearest_claims_body_and_cosines(cluster) -> None:
    backend = recorded_backend(cluster)
    backend.index_claim_vectors([(i, unit(i)) for i in range(1, 6)])
    query = unit(3) + 0.2 * unit(4)
    cluster.requests.clear()
    found = backend.nearest_claim_vectors(query.tolist(), k=3, exclude_ids=[5, 1])
    ((method, target, body, _),) = cluster.requests
    assert (method, target.split("?")[0]) == ("POST", f"/{CLAIMS}/_search")
    expected_query = (query / np.linalg.norm(query)).astype(np.float32)
    assert body == {
        "knn": {
            "field": "vector",
            "query_vector": pytest.approx(expected_query.tolist(), abs=1e-6),
            "k": 3,
            "num_candidates": 100,
            "filter": {"bool": {"must_not": [{"ids": {"values": ["1", "5"]}}]}},
        },
        "size": 3,
        "_source": False,
    }
    cosines = {i: float(unit(i) @ expected_query) for i in (2, 3, 4)}  # 1 and 5 excluded
    assert [key for key, _cos in found] == sorted(cosines, key=lambda i: -cosines[i])
    # Elasticsearch scores (1 + cos) / 2; the backend gives the cosine back.
    for key, cosine in found:
        assert cosine == pytest.approx(cosines[key], abs=1e-5)


def test_quantised_vector_index_rescores_claims(cluster, settings) -> None:
    settings.FACTCHECK_ELASTICSEARCH_VECTOR_INDEX = "int8_hnsw"
    backend = recorded_backend(cluster)
    backend.index_claim_vectors([(1, unit(1))])
    (index,) = cluster.aliases[CLAIMS]
    assert cluster.bodies[index]["mappings"]["properties"]["vector"]["index_options"] == {
        "type": "int8_hnsw"
    }
    body = backend.claims_knn_body(unit(1).tolist(), k=20)
    assert body["knn"]["rescore_vector"] == {"oversample": 3.0}
    assert body["knn"]["num_candidates"] == 200 and "filter" not in body["knn"]


def test_nothing_written_yet_is_no_neighbours_not_an_error(cluster) -> None:
    backend = recorded_backend(cluster)
    assert backend.nearest_claim_vectors(unit(1), k=5) == []
    assert backend.claim_vector_count() == 0
    backend.clear_claim_vectors()  # nothing to clear: no error either
    assert cluster.auto_created == [] and CLAIMS not in cluster.aliases


def test_claims_rebuild_swaps_atomically_and_keeps_live_writes(cluster) -> None:
    rebuilder = recorded_backend(cluster)
    web = recorded_backend(cluster)  # another process: its own client, the same cluster
    rebuilder.index_claim_vectors([(1, unit(1)), (2, unit(2)), (3, unit(3))])
    (old,) = cluster.aliases[CLAIMS]

    def from_the_database():
        # Read lazily: 1 is copied before the live writes; 2 and 3 are read (stale)
        # before them but reach the new index after them.
        yield 1, vector_bytes(unit(1))
        stale = [(2, vector_bytes(unit(2))), (3, vector_bytes(unit(3)))]
        assert len([i for i in cluster.indices if CLAIMS_INDEX.fullmatch(i)]) == 2
        web.index_claim_vectors([(2, unit(20)), (4, unit(4))])
        web.delete_claim_vectors([3])
        yield from stale

    cluster.requests.clear()
    assert rebuilder.rebuild_claim_vectors(from_the_database(), batch_size=1) == 3
    new = next(t[1:] for m, t in calls(cluster) if m == "PUT" and t != "/_bulk")
    assert CLAIMS_INDEX.fullmatch(new) and new != old
    assert cluster.requests[0][0] == "GET"  # looked for an abandoned claims rebuild
    create = next(body for m, t, body, _ in cluster.requests if t == f"/{new}")
    assert create["aliases"] == {CLAIMS_REBUILDING: {}}
    first_bulk = next(body for m, t, body, _ in cluster.requests if t.startswith("/_bulk"))
    assert first_bulk[0] == {"create": {"_index": new, "_id": "1"}}
    swap = [body for m, t, body, _ in cluster.requests if t.startswith("/_aliases")][-1]
    assert swap == {
        "actions": [
            {"remove": {"index": new, "alias": CLAIMS_REBUILDING, "must_exist": True}},
            {"remove": {"index": old, "alias": CLAIMS}},
            {"add": {"index": new, "alias": CLAIMS, "is_write_index": True}},
        ]
    }
    assert ("DELETE", f"/{old}") in calls(cluster) and old not in cluster.indices
    docs = claims_docs(cluster)
    assert sorted(docs) == ["1", "2", "4"]  # 3 stays deleted; no tombstone is left
    assert docs["2"]["vector"] == pytest.approx(unit(20).tolist(), abs=1e-6)  # the live write
    assert CLAIMS_REBUILDING not in cluster.aliases
    # The fact-check index was not touched by any of it.
    assert cluster.aliases[ALIAS] and live_docs(cluster) == {}


def test_a_crashed_claims_rebuild_leaves_the_old_index_serving(cluster) -> None:
    backend = recorded_backend(cluster)
    backend.index_claim_vectors([(1, unit(1))])
    (old,) = cluster.aliases[CLAIMS]

    def crashing():
        yield 2, unit(2)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        backend.rebuild_claim_vectors(crashing(), batch_size=1)
    assert cluster.aliases[CLAIMS] == {old: True}
    assert [i for i in cluster.indices if CLAIMS_INDEX.fullmatch(i)] == [old]
    assert [key for key, _ in backend.nearest_claim_vectors(unit(1), k=5)] == [1]


def test_fact_check_writes_rebuild_and_clear_leave_claims_alone(cluster) -> None:
    backend = recorded_backend(cluster)
    backend.index_claim_vectors([(1, unit(1))])
    doc = SearchDocument(id="1", title="Вучић", language="sr", vector=unit(1).tolist())
    backend.index_documents([doc])
    backend.rebuild([doc])
    backend.clear()
    assert sorted(claims_docs(cluster)) == ["1"]
    # ...and claims never enter the fact-check index.
    assert all(CLAIMS not in t for _, t, _, _ in cluster.requests if "factchecks" in t)
    backend.drop_all()  # tests' clean-up: both indices, by name
    assert not [i for i in cluster.indices if i.startswith("fc-")]


def test_a_claim_vector_of_another_size_is_refused(cluster) -> None:
    backend = recorded_backend(cluster)
    with pytest.raises(ValueError, match="384"):
        backend.index_claim_vectors([(1, vector_bytes([1.0, 2.0]))])
    with pytest.raises(ValueError, match="384"):
        backend.nearest_claim_vectors([0.5] * 10, k=1)


def test_a_lost_claims_alias_fails_loudly(cluster) -> None:
    backend = recorded_backend(cluster)
    backend.index_claim_vectors([(1, unit(1))])
    del cluster.aliases[CLAIMS]  # someone deleted it by hand
    with pytest.raises(SearchBackendError, match="rejected"):
        backend.index_claim_vectors([(2, unit(2))])
    assert cluster.auto_created == []


# --- embedded: the segment store --------------------------------------------------------


@pytest.fixture
def embedded(settings, tmp_path):
    settings.FACTCHECK_VAR_DIR = tmp_path
    return lambda: load_backend("embedded")


def test_many_small_writes_stay_a_few_segments_and_match_an_exact_scan(
    embedded, monkeypatch, tmp_path
) -> None:
    """Writes of one claim at a time (the queue's pattern) from two processes: the store
    keeps O(log n) segments, folds them into a base, and every answer equals an exact
    scan of what was written last."""
    monkeypatch.setattr(claim_vectors, "MIN_COMPACT_ROWS", 64)
    first, second = embedded(), embedded()
    rng = np.random.default_rng(7)
    expected: dict[int, np.ndarray] = {}
    for step in range(400):
        writer = first if step % 2 else second
        key = int(rng.integers(0, 150))
        if rng.random() < 0.25:
            writer.delete_claim_vectors([key])
            expected.pop(key, None)
        else:
            vector = unit(10_000 + step)
            writer.index_claim_vectors([(key, vector_bytes(vector))])
            expected[key] = vector
        segments = list((tmp_path / "search" / "claims").glob("seg-*.npz"))
        assert len(segments) <= 2 * (claim_vectors.MAX_DELTAS + 1)
    keys = sorted(expected)
    matrix = np.stack([expected[k] for k in keys])
    for reader in (first, second, embedded()):
        assert reader.claim_vector_count() == len(expected)
        for probe in range(5):
            query = unit(probe)
            scores = matrix @ query
            want = [keys[i] for i in np.argsort(-scores, kind="stable")[:10]]
            got = reader.nearest_claim_vectors(query, k=10)
            assert [key for key, _ in got] == want
            assert got[0][1] == pytest.approx(float(scores.max()), abs=1e-5)


def test_claims_survive_a_fact_check_rebuild_and_clear(embedded) -> None:
    backend = embedded()
    backend.index_claim_vectors([(1, unit(1)), (2, unit(2))])
    backend.index_documents([SearchDocument(id="x", title="Šešelj", language="sr")])
    backend.rebuild([SearchDocument(id="y", title="Šešelj", language="sr")])
    backend.clear()
    assert backend.claim_vector_count() == 2
    assert backend.count() == 0
    assert [key for key, _ in backend.nearest_claim_vectors(unit(2), k=1)] == [2]
