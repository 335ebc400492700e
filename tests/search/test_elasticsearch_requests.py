"""The exact requests the Elasticsearch backend sends, recorded at the transport node (no network)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

pytest.importorskip("elasticsearch")

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders, NodeConfig  # noqa: E402
from elastic_transport._node._base import NodeApiResponse  # noqa: E402
from elasticsearch import Elasticsearch  # noqa: E402

from search.backends.elasticsearch import ElasticsearchSearchBackend, index_body  # noqa: E402
from search.types import SearchDocument  # noqa: E402

ALIAS = "fc-factchecks"


class RecordingNode(BaseNode):
    """Answers like Elasticsearch 9 and records every request (method, path, JSON body)."""

    requests: list[tuple[str, str, Any]] = []
    alias_exists = False
    search_response: dict[str, Any] = {}

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        path = target.split("?")[0]
        parsed: Any = None
        if body:
            text = body.decode()
            if path.endswith("/_bulk"):
                parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                parsed = json.loads(text)
        type(self).requests.append((method, target, parsed))
        status, payload = self._answer(method, path, parsed)
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(
                {"X-Elastic-Product": "Elasticsearch", "Content-Type": "application/json"}
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, json.dumps(payload).encode() if method != "HEAD" else b"")

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        cls = type(self)
        if path == "/":
            return 200, {"version": {"number": "9.1.0"}, "tagline": "You Know, for Search"}
        if method == "HEAD" and path.startswith("/_alias/"):
            return (200 if cls.alias_exists else 404), {}
        if method == "GET" and path.startswith("/_alias/"):
            return 200, {"fc-factchecks-old": {"aliases": {ALIAS: {}}}}
        if path.endswith("/_bulk"):
            items = [
                {next(iter(line)): {"status": 201, "_id": line[next(iter(line))].get("_id")}}
                for line in body
                if next(iter(line)) in ("index", "delete")
            ]
            return 200, {"errors": False, "took": 1, "items": items}
        if path.endswith("/_search"):
            return 200, cls.search_response
        if path.endswith("/_count"):
            return 200, {"count": 3}
        return 200, {"acknowledged": True}


@pytest.fixture
def recorder():
    node_class = type("Recorder", (RecordingNode,), {"requests": [], "alias_exists": False})
    return node_class


def make_backend(recorder, *, alias_exists: bool = False) -> ElasticsearchSearchBackend:
    recorder.alias_exists = alias_exists
    client = Elasticsearch("http://es.test:9200", node_class=recorder)
    return ElasticsearchSearchBackend({"INDEX_PREFIX": "fc"}, client=client)


def doc(**kwargs) -> SearchDocument:
    base = dict(
        id="1",
        title="Вучић и вакцине",
        claim_reviewed="Вучић је рекао да вакцине садрже микрочипове",
        language="sr",
        rating_verdict="false",
        countries=["rs"],
        topics=["health"],
        published=date(2025, 3, 14),
        vector=[0.5] * 384,
    )
    return SearchDocument(**{**base, **kwargs})


def test_mapping_analyzers_and_dense_vector() -> None:
    body = index_body()
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["balkan_folded"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "asciifolding"],
    }
    props = body["mappings"]["properties"]
    assert body["mappings"]["dynamic"] == "strict"
    assert props["text_hbs"] == {"type": "text", "analyzer": "serbian"}
    assert props["text_folded"] == {"type": "text", "analyzer": "balkan_folded"}
    for name in ("title_norm", "claim_norm", "text_norm", "any_norm"):
        assert props[name] == {"type": "text", "analyzer": "whitespace"}
    assert props["vector"] == {
        "type": "dense_vector",
        "dims": 384,
        "index": True,
        "similarity": "cosine",
    }
    for name in ("rating_verdict", "language", "countries", "topics", "family", "id"):
        assert props[name] == {"type": "keyword"}
    assert props["published"] == {"type": "date"}


def test_first_start_creates_timestamped_index_behind_alias(recorder) -> None:
    make_backend(recorder)
    methods = [(m, t.split("?")[0]) for m, t, _ in recorder.requests]
    assert methods[0] == ("GET", "/")
    assert methods[1] == ("HEAD", f"/_alias/{ALIAS}")
    method, target, body = recorder.requests[2]
    assert method == "PUT" and re.fullmatch(rf"/{ALIAS}-\d{{20}}", target)
    assert body == index_body()
    assert recorder.requests[3][:2] == ("POST", "/_aliases")
    assert recorder.requests[3][2] == {
        "actions": [{"add": {"index": target[1:], "alias": ALIAS, "is_write_index": True}}]
    }


def test_bulk_body_holds_normalised_tokens_and_original_text(recorder) -> None:
    backend = make_backend(recorder, alias_exists=True)
    recorder.requests.clear()
    assert (
        backend.index_documents([doc(), doc(id="2", language="mk", title="ЌЕРКА", vector=None)])
        == 2
    )
    ((method, target, lines),) = recorder.requests
    assert (method, target.split("?")[0]) == ("PUT", "/_bulk")
    assert lines[0] == {"index": {"_index": ALIAS, "_id": "1"}}
    source = lines[1]
    assert source["claim_norm"] == "vucic rek vakcin sadrz mikrocip"
    assert source["title_norm"] == "vucic vakcin"
    assert source["text_hbs"].startswith(
        "Вучић и вакцине"
    )  # the serbian analyzer sees the original
    assert "text_folded" not in source
    assert source["countries"] == ["RS"] and source["published"] == "2025-03-14"
    assert source["vector"] == [0.5] * 384
    mk = lines[3]
    assert mk["title_norm"] == "kjerka" and "text_folded" in mk and "vector" not in mk


def test_search_body(recorder) -> None:
    backend = make_backend(recorder, alias_exists=True)
    RecordingNode.search_response = {}
    recorder.search_response = {
        "hits": {
            "total": {"value": 1, "relation": "eq"},
            "hits": [
                {
                    "_id": "1",
                    "_score": 3.5,
                    "_source": {
                        "id": "1",
                        "claim_reviewed": "Вучић је рекао",
                        "language": "sr",
                        "family": "hbs",
                        "body": "",
                    },
                }
            ],
        },
        "aggregations": {"language": {"buckets": [{"key": "sr", "doc_count": 1}]}},
    }
    recorder.requests.clear()
    results = backend.search(
        'vucic "AND (title:*',
        filters={"rating_verdict": "false", "countries": ["rs"], "published_from": "2025-01-01"},
        facets=["language"],
        limit=5,
        offset=10,
        reader_language="hr",
    )
    ((method, target, body),) = recorder.requests
    assert target.startswith(f"/{ALIAS}/_search")
    assert body["size"] == 5 and body["from"] == 10
    must = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert must[0]["multi_match"] == {
        # reader_language=hr analyses the query as hbs ("and" is no hbs stop word)
        "query": "vucic and titl",
        "fields": ["claim_norm^3", "title_norm^2", "text_norm"],
        "type": "most_fields",
    }
    # the language-agnostic form drops the union of all stop lists ("and")
    assert must[1] == {"match": {"any_norm": {"query": "vucic title"}}}
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"rating_verdict": ["false"]}},
        {"terms": {"countries": ["RS"]}},
        {"range": {"published": {"gte": "2025-01-01"}}},
    ]
    assert body["query"]["bool"]["should"] == [
        {"constant_score": {"filter": {"term": {"family": "hbs"}}, "boost": 0.5}}
    ]
    assert body["aggs"] == {"language": {"terms": {"field": "language", "size": 500}}}
    assert "_tokens" not in body
    assert results.total == 1 and results.facets == {"language": {"sr": 1}}
    assert results.hits[0].highlight == "<mark>Вучић</mark> је рекао"
    assert "family" not in results.hits[0].fields


def test_knn_body_and_cosine_score(recorder) -> None:
    backend = make_backend(recorder, alias_exists=True)
    recorder.search_response = {
        "hits": {
            "total": {"value": 1},
            "hits": [{"_id": "1", "_score": 0.9, "_source": {"id": "1"}}],
        }
    }
    recorder.requests.clear()
    hits = backend.knn([0.1] * 384, k=5, filters={"language": "hbs"})
    ((_, target, body),) = recorder.requests
    assert target.startswith(f"/{ALIAS}/_search")
    assert body["size"] == 5
    assert body["knn"]["field"] == "vector" and body["knn"]["k"] == 5
    assert body["knn"]["num_candidates"] == 100
    assert body["knn"]["query_vector"] == [0.1] * 384
    assert set(body["knn"]["filter"][0]["terms"]["language"]) == {
        "sr",
        "sr-latn",
        "sr-cyrl",
        "hr",
        "bs",
        "cnr",
    }
    assert hits[0].score == pytest.approx(0.8)  # (1 + cos) / 2 = 0.9


def test_rebuild_switches_alias_atomically(recorder) -> None:
    backend = make_backend(recorder, alias_exists=True)
    recorder.requests.clear()
    seen: list[int] = []
    assert (
        backend.rebuild([doc(id=str(i)) for i in range(3)], batch_size=2, progress=seen.append) == 3
    )
    assert seen == [2, 3]
    calls = [(m, t.split("?")[0]) for m, t, _ in recorder.requests]
    new = calls[0][1][1:]
    assert calls[0][0] == "PUT" and new.startswith(f"{ALIAS}-")
    assert calls[1:3] == [("PUT", "/_bulk"), ("PUT", "/_bulk")]
    first_bulk = recorder.requests[1][2]
    assert [line["index"]["_index"] for line in first_bulk[::2]] == [new, new]
    assert calls[3] == ("POST", f"/{new}/_refresh")
    alias_call = next(body for m, t, body in recorder.requests if t.startswith("/_aliases"))
    assert alias_call == {
        "actions": [
            {"remove": {"index": "fc-factchecks-old", "alias": ALIAS}},
            {"add": {"index": new, "alias": ALIAS, "is_write_index": True}},
        ]
    }
    assert calls[-1] == ("DELETE", "/fc-factchecks-old")


def test_rebuild_crash_deletes_new_index_and_leaves_alias(recorder) -> None:
    backend = make_backend(recorder, alias_exists=True)
    recorder.requests.clear()

    def crashing():
        yield doc()
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        backend.rebuild(crashing(), batch_size=10)
    calls = [(m, t.split("?")[0]) for m, t, _ in recorder.requests]
    new = calls[0][1]
    assert calls[-1] == ("DELETE", new)
    assert not any(t.startswith("/_aliases") for _, t in calls)


def test_delete_and_clear(recorder) -> None:
    backend = make_backend(recorder, alias_exists=True)
    recorder.requests.clear()
    backend.delete_documents(["a", "b"])
    backend.clear()
    (_, _, bulk), (method, target, body) = recorder.requests
    assert bulk == [
        {"delete": {"_index": ALIAS, "_id": "a"}},
        {"delete": {"_index": ALIAS, "_id": "b"}},
    ]
    assert target.startswith(f"/{ALIAS}/_delete_by_query") and body == {"query": {"match_all": {}}}


def test_node_config_type_is_the_public_one() -> None:
    # The recorder plugs into the client as a real transport node class.
    assert issubclass(RecordingNode, BaseNode) and NodeConfig is not None
