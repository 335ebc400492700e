"""The exact requests the Elasticsearch backend sends, recorded at the transport node (no network).

The node is a small in-memory Elasticsearch 9 (:class:`FakeCluster`): indices, aliases
(with ``is_write_index``), bulk ``index``/``create``/``delete`` with ``require_alias``,
auto-creation of a missing index, and ``action.destructive_requires_name`` (a wildcard
delete is refused). Tests assert both the requests and the state they leave, so "a write
during a rebuild is not lost" is checked, not just "a request was sent".
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

pytest.importorskip("elasticsearch")

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders  # noqa: E402
from elastic_transport._node._base import NodeApiResponse  # noqa: E402
from elasticsearch import Elasticsearch  # noqa: E402

import search.backends.elasticsearch as es_module  # noqa: E402
from search.backends import load_backend  # noqa: E402
from search.backends.base import SearchBackendError  # noqa: E402
from search.backends.elasticsearch import ElasticsearchSearchBackend, index_body  # noqa: E402
from search.types import SearchDocument  # noqa: E402

ALIAS = "fc-factchecks"
REBUILDING = "fc-factchecks-rebuilding"
OLD = "fc-factchecks-20250101000000000000"
INDEX_NAME = re.compile(rf"{ALIAS}-\d{{20}}")


def _error(status: int, kind: str, reason: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"type": kind, "reason": reason}, "status": status}


class FakeCluster(BaseNode):
    """Answers like Elasticsearch 9 and records every request (method, target, body, headers).

    State is per test (a subclass per test, see the ``cluster`` fixture): ``indices``
    maps an index name to ``{id: source}``, ``aliases`` maps an alias to
    ``{index: is_write_index}``. ``auto_created`` lists indices a bulk created because a
    write named an index that did not exist (what a missing alias would cause).
    """

    requests: list[tuple[str, str, Any, dict[str, str]]]
    indices: dict[str, dict[str, dict[str, Any]]]
    bodies: dict[str, dict[str, Any]]
    aliases: dict[str, dict[str, bool]]
    auto_created: list[str]
    search_response: dict[str, Any]

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        path, _, query = target.partition("?")
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        parsed: Any = None
        if body:
            text = body.decode()
            if path.endswith("/_bulk"):
                parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                parsed = json.loads(text)
        cls = type(self)
        cls.requests.append(
            (method, target, parsed, {k.lower(): v for k, v in (headers or {}).items()})
        )
        status, payload = self._answer(method, path, params, parsed)
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

    # --- name resolution ---------------------------------------------------------------

    def _concrete(self, name: str) -> list[str]:
        cls = type(self)
        if name in cls.aliases:
            return sorted(cls.aliases[name])
        return [name] if name in cls.indices else []

    def _write_target(self, name: str) -> str | None:
        cls = type(self)
        if name in cls.aliases:
            members = cls.aliases[name]
            if len(members) == 1:
                return next(iter(members))
            writers = [index for index, is_write in members.items() if is_write]
            return writers[0] if len(writers) == 1 else None
        return name if name in cls.indices else None

    def _expand(self, expression: str) -> list[str]:
        cls = type(self)
        found: set[str] = set()
        for part in expression.split(","):
            if "*" in part:
                found.update(i for i in cls.indices if fnmatch.fnmatchcase(i, part))
                for alias in cls.aliases:
                    if fnmatch.fnmatchcase(alias, part):
                        found.update(cls.aliases[alias])
            else:
                found.update(self._concrete(part))
        return sorted(found)

    # --- API -------------------------------------------------------------------------

    def _answer(self, method: str, path: str, params: dict[str, str], body: Any):
        cls = type(self)
        parts = [unquote(p) for p in path.strip("/").split("/")] if path != "/" else []
        if not parts:
            return 200, {"version": {"number": "9.1.0"}, "tagline": "You Know, for Search"}
        if parts[0] == "_alias":
            name = parts[1]
            if name not in cls.aliases:
                return _error(404, "aliases_not_found_exception", f"aliases [{name}] missing")
            return 200, {index: {"aliases": {name: {}}} for index in cls.aliases[name]}
        if len(parts) == 2 and parts[1] == "_alias" and method == "GET":
            return 200, {
                index: {
                    "aliases": {a: {} for a, members in cls.aliases.items() if index in members}
                }
                for index in self._expand(parts[0])
            }
        if parts[0] == "_aliases":
            return self._update_aliases(body["actions"])
        if parts[-1] == "_bulk":
            return self._bulk(body, require_alias=params.get("require_alias") == "true")
        if len(parts) == 1 and method == "PUT":
            return self._create(parts[0], body or {})
        if len(parts) == 1 and method == "DELETE":
            return self._delete(parts[0], params)
        indices = self._expand(parts[0])
        if not indices:
            return _error(404, "index_not_found_exception", f"no such index [{parts[0]}]")
        if parts[1] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if parts[1] == "_count":
            docs = [s for i in indices for s in cls.indices[i].values()]
            return 200, {"count": sum(1 for s in docs if self._matches(s, body or {}))}
        if parts[1] == "_delete_by_query":
            deleted = 0
            for index in indices:
                for doc_id, source in list(cls.indices[index].items()):
                    if self._matches(source, body):
                        del cls.indices[index][doc_id]
                        deleted += 1
            return 200, {"deleted": deleted, "failures": []}
        if parts[1] == "_search":
            return 200, cls.search_response
        return _error(400, "unsupported", f"the fake cluster does not know {method} {path}")

    @staticmethod
    def _matches(source: dict[str, Any], body: dict[str, Any]) -> bool:
        query = body.get("query", {"match_all": {}})
        if "match_all" in query:
            return True
        if "term" in query:
            ((field, value),) = query["term"].items()
            return source.get(field) == value
        if "bool" in query:
            return not any(
                FakeCluster._matches(source, {"query": q}) for q in query["bool"]["must_not"]
            )
        raise AssertionError(f"the fake cluster does not evaluate {query}")

    def _create(self, name: str, body: dict[str, Any]):
        cls = type(self)
        if name in cls.indices or name in cls.aliases:
            return _error(400, "resource_already_exists_exception", f"[{name}] exists")
        cls.indices[name] = {}
        cls.bodies[name] = {k: v for k, v in body.items() if k != "aliases"}
        for alias, options in (body.get("aliases") or {}).items():
            cls.aliases.setdefault(alias, {})[name] = bool(options.get("is_write_index"))
        return 200, {"acknowledged": True, "index": name}

    def _delete(self, expression: str, params: dict[str, str]):
        cls = type(self)
        names = expression.split(",")
        if any("*" in n or n == "_all" for n in names):
            # action.destructive_requires_name: true is the default since 8.0
            return _error(
                400,
                "illegal_argument_exception",
                "Wildcard expressions or all indices are not allowed",
            )
        missing = [n for n in names if n not in cls.indices]
        if missing and params.get("ignore_unavailable") != "true":
            return _error(404, "index_not_found_exception", f"no such index [{missing[0]}]")
        for name in names:
            cls.indices.pop(name, None)
            cls.bodies.pop(name, None)
            for alias in list(cls.aliases):
                cls.aliases[alias].pop(name, None)
                if not cls.aliases[alias]:
                    del cls.aliases[alias]
        return 200, {"acknowledged": True}

    def _update_aliases(self, actions: list[dict[str, Any]]):
        cls = type(self)
        aliases = {alias: dict(members) for alias, members in cls.aliases.items()}
        for action in actions:
            ((kind, spec),) = action.items()
            index, alias = spec["index"], spec["alias"]
            if index not in cls.indices:
                return _error(404, "index_not_found_exception", f"no such index [{index}]")
            if kind == "add":
                aliases.setdefault(alias, {})[index] = bool(spec.get("is_write_index"))
            elif index in aliases.get(alias, {}):
                del aliases[alias][index]
                if not aliases[alias]:
                    del aliases[alias]
            elif spec.get("must_exist"):
                return _error(404, "aliases_not_found_exception", f"aliases [{alias}] missing")
        cls.aliases = aliases  # all or nothing, like the real cluster
        return 200, {"acknowledged": True, "errors": False}

    def _bulk(self, lines: list[dict[str, Any]], *, require_alias: bool):
        cls = type(self)
        items = []
        i = 0
        while i < len(lines):
            ((op, meta),) = lines[i].items()
            source = lines[i + 1] if op != "delete" else None
            i += 1 if op == "delete" else 2
            name, doc_id = meta["_index"], meta["_id"]
            result: dict[str, Any] = {"_index": name, "_id": doc_id}
            if name not in cls.aliases and (require_alias or meta.get("require_alias")):
                reason = f"no such index [{name}] and [require_alias] request flag is [true]"
                result.update(
                    status=404, error={"type": "index_not_found_exception", "reason": reason}
                )
                items.append({op: result})
                continue
            target = self._write_target(name)
            if target is None and name in cls.aliases:
                result.update(status=400, error={"type": "illegal_argument_exception"})
                items.append({op: result})
                continue
            if target is None:
                cls.indices[name] = {}
                cls.auto_created.append(name)
                target = name
            docs = cls.indices[target]
            result["_index"] = target
            if op == "delete":
                result["status"] = 200 if docs.pop(doc_id, None) is not None else 404
            elif op == "create" and doc_id in docs:
                result.update(status=409, error={"type": "version_conflict_engine_exception"})
            else:
                result["status"] = 200 if doc_id in docs else 201
                docs[doc_id] = source
            items.append({op: result})
        errors = any(next(iter(item.values()))["status"] >= 300 for item in items)
        return 200, {"errors": errors, "took": 1, "items": items}


@pytest.fixture
def cluster():
    return type(
        "Cluster",
        (FakeCluster,),
        {
            "requests": [],
            "indices": {},
            "bodies": {},
            "aliases": {},
            "auto_created": [],
            "search_response": {},
        },
    )


def seed(cluster, docs: dict[str, dict[str, Any]] | None = None) -> None:
    """A live index ``OLD`` behind the alias, as an earlier deployment left it."""
    cluster.indices[OLD] = dict(docs or {})
    cluster.aliases[ALIAS] = {OLD: True}


def make_backend(cluster, *, existing: bool = True, **params) -> ElasticsearchSearchBackend:
    if existing and not cluster.aliases:
        seed(cluster)
    client = Elasticsearch("http://es.test:9200", node_class=cluster)
    return ElasticsearchSearchBackend({"INDEX_PREFIX": "fc", **params}, client=client)


def calls(cluster) -> list[tuple[str, str]]:
    return [(m, unquote(t.split("?")[0])) for m, t, _, _ in cluster.requests]


def live_docs(cluster) -> dict[str, dict[str, Any]]:
    (index,) = cluster.aliases[ALIAS]
    return cluster.indices[index]


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


# --- mapping and index settings ------------------------------------------------------


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
    # Explicit exact kNN: ES 9's implicit default for 384 dims is bbq_hnsw (quantised,
    # approximate), which would move scores off the calibrated match threshold.
    assert props["vector"] == {
        "type": "dense_vector",
        "dims": 384,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "flat"},
    }
    for name in ("rating_verdict", "language", "countries", "topics", "family", "id"):
        assert props[name] == {"type": "keyword"}
    assert props["published"] == {"type": "date"}
    assert props["tombstone"] == {"type": "boolean"}
    assert body["settings"]["number_of_shards"] == 1
    assert "number_of_replicas" not in body["settings"]  # the cluster's default


def test_shards_replicas_and_vector_index_come_from_the_environment(cluster, settings) -> None:
    settings.FACTCHECK_ELASTICSEARCH_SHARDS = "3"
    settings.FACTCHECK_ELASTICSEARCH_REPLICAS = "0"
    settings.FACTCHECK_ELASTICSEARCH_VECTOR_INDEX = "int8_hnsw"
    backend = make_backend(cluster, existing=False)
    ((name, body),) = cluster.bodies.items()
    assert body["settings"]["number_of_shards"] == 3
    assert body["settings"]["number_of_replicas"] == 0
    assert body["mappings"]["properties"]["vector"]["index_options"] == {"type": "int8_hnsw"}
    # A rebuild creates its index with the same settings.
    backend.rebuild([doc()])
    ((new, body),) = cluster.bodies.items()
    assert new != name and body["settings"]["number_of_shards"] == 3
    # Quantised: the top candidates are re-scored on the float vectors, so the matcher
    # gets float cosines again.
    knn = backend.knn_body([0.1] * 384, k=5, filters={})["knn"]
    assert knn["rescore_vector"] == {"oversample": 3.0}


def test_exact_vector_index_sends_no_rescoring(cluster) -> None:
    knn = make_backend(cluster).knn_body([0.1] * 384, k=5, filters={})["knn"]
    assert "rescore_vector" not in knn


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SHARDS", "0", "ELASTICSEARCH_SHARDS"),
        ("SHARDS", "two", "ELASTICSEARCH_SHARDS"),
        ("REPLICAS", "-1", "ELASTICSEARCH_REPLICAS"),
        ("VECTOR_INDEX", "hnws", "ELASTICSEARCH_VECTOR_INDEX"),
    ],
)
def test_bad_index_settings_name_the_variable(cluster, settings, name, value, message) -> None:
    setattr(settings, f"FACTCHECK_ELASTICSEARCH_{name}", value)
    with pytest.raises(SearchBackendError, match=message):
        make_backend(cluster)


# --- credentials and TLS ---------------------------------------------------------------


@pytest.fixture
def recorded_client(monkeypatch, cluster):
    """Build backends through the real constructor, with the fake cluster as the node."""

    def client(*args, **kwargs):
        return Elasticsearch(*args, node_class=cluster, **kwargs)

    monkeypatch.setattr(es_module, "Elasticsearch", client)
    return cluster


def test_api_key_from_the_environment(recorded_client, settings) -> None:
    settings.FACTCHECK_ELASTICSEARCH_URL = "https://es.test:9243"
    settings.FACTCHECK_ELASTICSEARCH_API_KEY = (
        "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
    )
    backend = load_backend("elasticsearch", {"INDEX_PREFIX": "fc"})
    backend.count()
    headers = [h for _, _, _, h in recorded_client.requests]
    assert headers and all(
        h["authorization"] == "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
        for h in headers
    )
    # "id:key" as created by the API is encoded by the client.
    settings.FACTCHECK_ELASTICSEARCH_API_KEY = "key-id:key-secret"
    recorded_client.requests.clear()
    load_backend("elasticsearch", {"INDEX_PREFIX": "fc"})
    expected = "ApiKey " + base64.b64encode(b"key-id:key-secret").decode()
    assert recorded_client.requests[0][3]["authorization"] == expected


def test_basic_auth_and_ca_certs_from_the_environment(recorded_client, settings, tmp_path) -> None:
    ca = tmp_path / "http_ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings.FACTCHECK_ELASTICSEARCH_URL = "https://es.test:9243"
    settings.FACTCHECK_ELASTICSEARCH_USERNAME = "factcheck"
    settings.FACTCHECK_ELASTICSEARCH_PASSWORD = "s3cret:with-colon"
    settings.FACTCHECK_ELASTICSEARCH_CA_CERTS = str(ca)
    backend = load_backend("elasticsearch", {"INDEX_PREFIX": "fc"})
    expected = "Basic " + base64.b64encode(b"factcheck:s3cret:with-colon").decode()
    assert recorded_client.requests
    assert all(h["authorization"] == expected for _, _, _, h in recorded_client.requests)
    (node,) = backend.client.transport.node_pool.all()
    assert node.config.ca_certs == str(ca) and node.config.scheme == "https"


def test_no_cluster_privilege_is_needed_to_start(recorded_client, settings) -> None:
    settings.FACTCHECK_ELASTICSEARCH_URL = "https://es.test:9243"
    load_backend("elasticsearch", {"INDEX_PREFIX": "fc"})
    # GET / needs the cluster "monitor" privilege, which an index-scoped API key lacks.
    assert ("GET", "/") not in calls(recorded_client)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"API_KEY": "k", "USERNAME": "u", "PASSWORD": "p"}, "not both"),
        ({"USERNAME": "u"}, "must be set together"),
        ({"CA_CERTS": "/no/such/ca.pem"}, "ELASTICSEARCH_CA_CERTS"),
    ],
)
def test_bad_credentials_are_improperly_configured(
    recorded_client, settings, options, message
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.FACTCHECK_ELASTICSEARCH_URL = "https://es.test:9243"
    for name, value in options.items():
        setattr(settings, f"FACTCHECK_ELASTICSEARCH_{name}", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        load_backend("elasticsearch", {"INDEX_PREFIX": "fc"})
    assert recorded_client.requests == []  # nothing was sent with half a configuration


# --- requests ------------------------------------------------------------------------


def test_first_start_creates_timestamped_index_behind_alias(cluster) -> None:
    make_backend(cluster, existing=False)
    assert calls(cluster)[0] == ("HEAD", f"/_alias/{ALIAS}")
    method, target, body, _ = cluster.requests[1]
    assert method == "PUT" and re.fullmatch(rf"/{ALIAS}-\d{{20}}", target)
    assert body == index_body()
    assert cluster.requests[2][:2] == ("POST", "/_aliases")
    assert cluster.requests[2][2] == {
        "actions": [{"add": {"index": target[1:], "alias": ALIAS, "is_write_index": True}}]
    }


def test_bulk_body_holds_normalised_tokens_and_original_text(cluster) -> None:
    backend = make_backend(cluster)
    cluster.requests.clear()
    assert (
        backend.index_documents([doc(), doc(id="2", language="mk", title="ЌЕРКА", vector=None)])
        == 2
    )
    ((method, target, lines, _),) = cluster.requests
    assert (method, target.split("?")[0]) == ("PUT", "/_bulk")
    # require_alias: a lost alias fails the write instead of auto-creating an index.
    assert "require_alias=true" in target
    # Every write is also sent to the rebuilding alias (ignored while no rebuild runs).
    assert lines[0] == {"index": {"_index": ALIAS, "_id": "1"}}
    assert lines[2] == {"index": {"_index": REBUILDING, "_id": "1"}}
    assert lines[1] == lines[3]
    source = lines[1]
    assert source["claim_norm"] == "vucic rek vakcin sadrz mikrocip"
    assert source["title_norm"] == "vucic vakcin"
    assert source["text_hbs"].startswith(
        "Вучић и вакцине"
    )  # the serbian analyzer sees the original
    assert "text_folded" not in source
    assert source["countries"] == ["RS"] and source["published"] == "2025-03-14"
    assert source["vector"] == [0.5] * 384
    mk = lines[5]
    assert mk["title_norm"] == "kjerka" and "text_folded" in mk and "vector" not in mk
    assert sorted(live_docs(cluster)) == ["1", "2"]
    assert cluster.auto_created == []


def test_write_after_the_alias_was_lost_fails_loudly(cluster) -> None:
    backend = make_backend(cluster)
    cluster.aliases.clear()  # someone deleted the index by hand
    with pytest.raises(SearchBackendError, match="rejected"):
        backend.index_documents([doc()])
    assert cluster.auto_created == []


def test_search_body(cluster) -> None:
    backend = make_backend(cluster)
    cluster.search_response = {
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
    cluster.requests.clear()
    results = backend.search(
        'vucic "AND (title:*',
        filters={"rating_verdict": "false", "countries": ["rs"], "published_from": "2025-01-01"},
        facets=["language"],
        limit=5,
        offset=10,
        reader_language="hr",
    )
    ((method, target, body, _),) = cluster.requests
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


def test_knn_body_and_cosine_score(cluster) -> None:
    backend = make_backend(cluster)
    cluster.search_response = {
        "hits": {
            "total": {"value": 1},
            "hits": [{"_id": "1", "_score": 0.9, "_source": {"id": "1"}}],
        }
    }
    cluster.requests.clear()
    hits = backend.knn([0.1] * 384, k=5, filters={"language": "hbs"})
    ((_, target, body, _),) = cluster.requests
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


# --- rebuild -----------------------------------------------------------------------------


def test_rebuild_switches_alias_atomically(cluster) -> None:
    backend = make_backend(cluster)
    cluster.requests.clear()
    seen: list[int] = []
    assert (
        backend.rebuild([doc(id=str(i)) for i in range(3)], batch_size=2, progress=seen.append) == 3
    )
    assert seen == [2, 3]
    made = calls(cluster)
    create = next(i for i, (m, t) in enumerate(made) if m == "PUT" and t != "/_bulk")
    new = made[create][1][1:]
    assert INDEX_NAME.fullmatch(new)
    # Born with the rebuilding alias, so live writes reach it from the first moment.
    assert cluster.requests[create][2]["aliases"] == {REBUILDING: {}}
    bulks = [body for m, t, body, _ in cluster.requests if t.startswith("/_bulk")]
    assert len(bulks) == 2
    # ``create``: the rebuild never overwrites what a live write already put there.
    assert [line["create"]["_index"] for line in bulks[0][::2]] == [new, new]
    assert ("POST", f"/{new}/_refresh") in made
    alias_call = next(body for m, t, body, _ in cluster.requests if t.startswith("/_aliases"))
    assert alias_call == {
        "actions": [
            {"remove": {"index": new, "alias": REBUILDING, "must_exist": True}},
            {"remove": {"index": OLD, "alias": ALIAS}},
            {"add": {"index": new, "alias": ALIAS, "is_write_index": True}},
        ]
    }
    assert made[-1] == ("DELETE", f"/{OLD}")
    assert cluster.aliases == {ALIAS: {new: True}}
    assert sorted(cluster.indices) == [new] and sorted(cluster.indices[new]) == ["0", "1", "2"]


def test_rebuild_crash_deletes_new_index_and_leaves_alias(cluster) -> None:
    backend = make_backend(cluster)
    cluster.requests.clear()

    def crashing():
        yield doc()
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        backend.rebuild(crashing(), batch_size=10)
    made = calls(cluster)
    new = next(t for m, t in made if m == "PUT" and t != "/_bulk")
    assert made[-1] == ("DELETE", new)
    assert not any(t.startswith("/_aliases") for _, t in made)
    assert cluster.aliases == {ALIAS: {OLD: True}} and sorted(cluster.indices) == [OLD]


def test_writes_during_a_rebuild_end_up_in_the_new_index(cluster) -> None:
    """Another process indexes, updates and deletes between "create index" and "swap"."""
    seed(
        cluster,
        {
            "1": {"id": "1", "title": "one v1"},
            "2": {"id": "2", "title": "two v1"},
            "3": {"id": "3", "title": "three v1"},
        },
    )
    rebuilder = make_backend(cluster)
    web = make_backend(cluster)  # another process: its own client, the same cluster

    def from_the_database():
        # The rebuild reads the database lazily, one page per batch here: "1" is copied
        # before the live writes; "2" and "3" are read (stale) before them but reach the
        # new index after them.
        yield doc(id="1", title="one v1")
        stale = [doc(id="2", title="two v1"), doc(id="3", title="three v1")]
        assert len(cluster.indices) == 2, "between 'create new index' and 'swap alias'"
        web.index_documents([doc(id="1", title="one v2"), doc(id="2", title="two v2")])
        web.index_documents([doc(id="4", title="four, new")])
        web.delete_documents(["3"])
        yield from stale

    assert rebuilder.rebuild(from_the_database(), batch_size=1) == 3
    docs = live_docs(cluster)
    assert sorted(docs) == ["1", "2", "4"]  # 3 stays deleted; no tombstone is left
    assert docs["1"]["title"] == "one v2"  # the update after the rebuild had copied it
    assert docs["2"]["title"] == "two v2"  # the rebuild's stale copy did not win
    assert docs["4"]["title"] == "four, new"
    assert not any(source.get("tombstone") for source in docs.values())
    assert REBUILDING not in cluster.aliases and OLD not in cluster.indices
    assert cluster.auto_created == []
    assert rebuilder.count() == 3


def test_tombstones_are_never_counted(cluster) -> None:
    backend = make_backend(cluster)
    live_docs(cluster)["x"] = {"id": "x", "tombstone": True}
    live_docs(cluster)["y"] = {"id": "y", "title": "real"}
    assert backend.count() == 1


def test_a_rebuild_killed_before_its_swap_is_cleaned_up_by_the_next(cluster) -> None:
    backend = make_backend(cluster)
    abandoned = "fc-factchecks-20250102000000000000"
    cluster.indices[abandoned] = {"9": {"id": "9"}}
    cluster.aliases[REBUILDING] = {abandoned: False}
    backend.rebuild([doc()])
    assert abandoned not in cluster.indices
    assert ("DELETE", f"/{abandoned}") in calls(cluster)
    assert sorted(live_docs(cluster)) == ["1"]


def test_delete_and_clear(cluster) -> None:
    backend = make_backend(cluster)
    backend.index_documents([doc(id="a")])
    cluster.requests.clear()
    backend.delete_documents(["a", "b"])
    backend.clear()
    (_, bulk_target, bulk, _), (method, target, body, _) = cluster.requests
    assert "require_alias=true" in bulk_target
    assert bulk == [
        {"delete": {"_index": ALIAS, "_id": "a"}},
        {"index": {"_index": REBUILDING, "_id": "a"}},
        {"id": "a", "tombstone": True},
        {"delete": {"_index": ALIAS, "_id": "b"}},
        {"index": {"_index": REBUILDING, "_id": "b"}},
        {"id": "b", "tombstone": True},
    ]
    assert target.startswith(f"/{ALIAS}/_delete_by_query") and body == {"query": {"match_all": {}}}
    assert live_docs(cluster) == {}


def test_drop_all_deletes_indices_by_name(cluster) -> None:
    backend = make_backend(cluster)
    backend.rebuild([doc()])  # one live index
    leftover = "fc-factchecks-20250103000000000000"
    cluster.indices[leftover] = {}
    other = "fc-factchecks-archive"  # not a name this backend makes: never touched
    cluster.indices[other] = {}
    backend.drop_all()
    deletes = [t for m, t in calls(cluster) if m == "DELETE"]
    assert deletes and not any("*" in t for t in deletes)
    assert sorted(cluster.indices) == [other]


@pytest.mark.parametrize("batch_size", [2, 3])
def test_rebuild_with_a_repeated_id_keeps_the_last_copy(cluster, batch_size) -> None:
    backend = make_backend(cluster)
    docs = [doc(id="1", title="first"), doc(id="2"), doc(id="1", title="last")]
    assert backend.rebuild(docs, batch_size=batch_size) == 3
    assert live_docs(cluster)["1"]["title"] == "last" and sorted(live_docs(cluster)) == ["1", "2"]


def test_lexical_matches_body(cluster) -> None:
    """The public search asks which vector hits the lexical query matches: the same text
    query and filters, restricted to those ids, without sources or totals."""
    backend = make_backend(cluster)
    cluster.search_response = {"hits": {"hits": [{"_id": "2", "_score": 1.0}]}}
    cluster.requests.clear()
    found = backend.lexical_matches(
        "vucic", ["1", "2", "2"], filters={"origin": "partner"}, reader_language="hr"
    )
    ((_, target, body, _),) = cluster.requests
    assert target.startswith(f"/{ALIAS}/_search")
    assert body["size"] == 2 and body["_source"] is False
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"origin": ["partner"]}},
        {"ids": {"values": ["1", "2"]}},
    ]
    assert body["query"]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]["query"] == "vucic"
    assert "aggs" not in body and "_tokens" not in body
    assert found == {"2"}
    cluster.requests.clear()
    assert backend.lexical_matches("", ["1"]) == set() and cluster.requests == []
