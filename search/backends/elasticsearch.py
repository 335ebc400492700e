"""Elasticsearch 9 engine (scale-out), through the client's built-in ``elasticsearch.dsl``.

Not the deprecated ``elasticsearch-dsl`` package: since client 8.18 the DSL ships in
the client, and the 8.18 shim pins ``elasticsearch<9``.

Index design (``FactCheckDocument``):

* ``*_norm`` / ``any_norm``: our :mod:`search.normalize` tokens, analysed by the
  ``whitespace`` analyzer only, so this engine matches exactly like the embedded one;
* ``text_hbs`` (built-in ``serbian`` analyzer) or ``text_folded`` (standard +
  lowercase + asciifolding, for mk/sq/en/others): ES's own analysis as a second
  opinion, chosen by the document's language family;
* keyword facets, a ``published`` date, and ``vector`` as ``dense_vector`` (384,
  cosine, indexed for kNN, free in the Basic licence).

Writes go through the alias ``<prefix>-factchecks``; ``rebuild`` fills a new
``<prefix>-factchecks-<timestamp>`` index and switches the alias in one
``_aliases`` call (atomic on the cluster), so searches never see a half-built index.
Hybrid ranking is the shared Python RRF of ``base.py``: ES's RRF retriever needs an
Enterprise licence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, dsl, helpers

from search.backends.base import (
    BaseSearchBackend,
    ProgressCallback,
    SearchBackendError,
    clean_filters,
    doc_language,
    highlight,
    query_tokens,
)
from search.normalize import language_family, normalize
from search.types import FACET_FIELDS, VECTOR_DIMS, Hit, SearchDocument, SearchResults

logger = logging.getLogger(__name__)

FOLDED_ANALYZER = dsl.analyzer(
    "balkan_folded", tokenizer="standard", filter=["lowercase", "asciifolding"]
)
FACET_SIZE = 500
READER_LANGUAGE_BONUS = 0.5


class FactCheckDocument(dsl.Document):
    """The mapping of one fact-check in Elasticsearch (explicit: no dynamic fields)."""

    id = dsl.Keyword()
    title = dsl.Text(index=False)
    claim_reviewed = dsl.Text(index=False)
    claimant = dsl.Text(index=False)
    summary = dsl.Text(index=False)
    body = dsl.Text(index=False)
    url = dsl.Keyword(index=False)
    rating_label = dsl.Keyword(index=False)
    # Our normalised tokens: whitespace analysis keeps them exactly as produced.
    title_norm = dsl.Text(analyzer="whitespace")
    claim_norm = dsl.Text(analyzer="whitespace")
    text_norm = dsl.Text(analyzer="whitespace")
    any_norm = dsl.Text(analyzer="whitespace")
    # The engine's own per-language analysis.
    text_hbs = dsl.Text(analyzer="serbian")
    text_folded = dsl.Text(analyzer=FOLDED_ANALYZER)
    rating_verdict = dsl.Keyword()
    language = dsl.Keyword()
    family = dsl.Keyword()
    countries = dsl.Keyword()
    topics = dsl.Keyword()
    published = dsl.Date()
    vector = dsl.DenseVector(dims=VECTOR_DIMS, index=True, similarity="cosine")

    class Meta:
        dynamic = dsl.MetaField("strict")


def index_body() -> dict[str, Any]:
    """``settings`` and ``mappings`` for a new index, generated from the dsl Document."""
    mapping = FactCheckDocument._doc_type.mapping
    return {
        "settings": {
            "number_of_shards": 1,
            "analysis": mapping._collect_analysis(),
        },
        "mappings": mapping.to_dict(),
    }


class ElasticsearchSearchBackend(BaseSearchBackend):
    """Elasticsearch 9 via ``elasticsearch.dsl``; fusion and highlighting shared in Python."""

    def __init__(
        self, params: dict[str, Any] | None = None, *, client: Elasticsearch | None = None
    ):
        super().__init__(params)
        from django.conf import settings

        url = self.params.get("URL") or getattr(settings, "FACTCHECK_ELASTICSEARCH_URL", None)
        prefix = self.params.get("INDEX_PREFIX") or getattr(
            settings, "FACTCHECK_ELASTICSEARCH_INDEX_PREFIX", "factcheck"
        )
        self.index_prefix = str(prefix)
        self.alias = f"{self.index_prefix}-factchecks"
        # Tests and small deployments want read-your-writes; production relies on the
        # refresh interval (``wait_for`` makes every bulk wait for it).
        self.refresh_writes = "wait_for" if self.params.get("REFRESH") else False
        if client is None:
            if not url:
                raise SearchBackendError("ELASTICSEARCH_URL is not set")
            client = Elasticsearch(
                url,
                request_timeout=float(self.params.get("TIMEOUT", 10)),
                max_retries=int(self.params.get("MAX_RETRIES", 2)),
                retry_on_timeout=True,
            )
        self.client = client
        try:
            self.client.info()
            self._ensure_alias()
        except (TransportError, ApiError) as exc:
            raise SearchBackendError(
                f"Elasticsearch at {url or 'client'} is unreachable: {exc}"
            ) from exc

    # --- index management -----------------------------------------------------------

    def _new_index_name(self) -> str:
        return f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1_000_000:06d}"

    def _create_index(self, name: str) -> None:
        body = index_body()
        self.client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])

    def _ensure_alias(self) -> None:
        if self.client.indices.exists_alias(name=self.alias):
            return
        name = self._new_index_name()
        self._create_index(name)
        self.client.indices.update_aliases(
            actions=[{"add": {"index": name, "alias": self.alias, "is_write_index": True}}]
        )

    def _alias_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def drop_all(self) -> None:
        """Delete every index of this prefix (tests; never called by the application)."""
        self.client.indices.delete(index=f"{self.alias}-*", ignore_unavailable=True)

    # --- writes -------------------------------------------------------------------

    def _source(self, doc: SearchDocument) -> dict[str, Any]:
        lang = doc_language(doc.language)
        family = language_family(lang) or ""
        all_text = " ".join((doc.title, doc.claim_reviewed, doc.claimant, doc.summary, doc.body))
        source: dict[str, Any] = {
            **doc.stored_fields(),
            "body": doc.body,
            "language": lang,
            "family": family,
            "countries": [c.upper() for c in doc.countries],
            "title_norm": normalize(doc.title, lang),
            "claim_norm": normalize(doc.claim_reviewed, lang),
            "text_norm": normalize(" ".join((doc.claimant, doc.summary, doc.body)), lang),
            "any_norm": normalize(all_text, None),
            "text_hbs" if family == "hbs" else "text_folded": all_text,
        }
        if doc.vector is not None:
            if len(doc.vector) != VECTOR_DIMS:
                raise ValueError(
                    f"vectors must have {VECTOR_DIMS} dimensions, got {len(doc.vector)}"
                )
            source["vector"] = [float(x) for x in doc.vector]
        if source["published"] is None:
            del source["published"]
        return source

    def _actions(self, docs: Iterable[SearchDocument], index: str) -> Iterator[dict[str, Any]]:
        for doc in docs:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": doc.id,
                "_source": self._source(doc),
            }

    def _bulk(self, actions: Iterable[dict[str, Any]], *, refresh: Any = None) -> int:
        ok, errors = helpers.bulk(
            self.client,
            actions,
            chunk_size=500,
            raise_on_error=False,
            refresh=self.refresh_writes if refresh is None else refresh,
        )
        if errors:
            # Deleting a missing id is not an error for us; anything else is.
            real = [e for e in errors if e.get("delete", {}).get("status") != 404]
            if real:
                raise SearchBackendError(f"Elasticsearch rejected {len(real)} actions: {real[:3]}")
        return ok

    def index_documents(self, docs: Iterable[SearchDocument]) -> int:
        return self._bulk(self._actions(docs, self.alias))

    def delete_documents(self, ids: Iterable[str]) -> None:
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in ids)
        self._bulk(actions)

    def clear(self) -> None:
        self.client.delete_by_query(
            index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed"
        )

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        *,
        batch_size: int = 1000,
        progress: ProgressCallback | None = None,
    ) -> int:
        new = self._new_index_name()
        self._create_index(new)
        count = 0
        try:
            batch: list[SearchDocument] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= batch_size:
                    count += self._bulk(self._actions(batch, new), refresh=False)
                    batch = []
                    if progress is not None:
                        progress(count)
            if batch:
                count += self._bulk(self._actions(batch, new), refresh=False)
                if progress is not None:
                    progress(count)
            self.client.indices.refresh(index=new)
        except BaseException:
            # The alias still points at the old index; drop the half-built one.
            self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        old = self._alias_indices()
        actions: list[dict[str, Any]] = [
            {"remove": {"index": name, "alias": self.alias}} for name in old
        ]
        actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
        # One request: Elasticsearch applies all alias actions atomically.
        self.client.indices.update_aliases(actions=actions)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        return count

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)

    # --- reads --------------------------------------------------------------------

    def count(self) -> int:
        return int(self.client.count(index=self.alias)["count"])

    @staticmethod
    def filter_clauses(filters: dict[str, Any]) -> list[dict[str, Any]]:
        clauses: list[dict[str, Any]] = []
        for field, values in filters.items():
            if field in ("published_from", "published_to"):
                continue
            if field == "countries":
                values = [v.upper() for v in values]
            clauses.append({"terms": {field: values}})
        low, high = filters.get("published_from"), filters.get("published_to")
        if low or high:
            bounds = {}
            if low:
                bounds["gte"] = low.isoformat()
            if high:
                bounds["lte"] = high.isoformat()
            clauses.append({"range": {"published": bounds}})
        return clauses

    def search_body(
        self,
        query: str,
        *,
        language: str | None,
        filters: dict[str, Any],
        facets: Sequence[str],
        reader_language: str | None,
    ) -> dict[str, Any] | None:
        """The request body for :meth:`search` (``None`` when nothing is left to search)."""
        lang_tokens, agnostic = query_tokens(query, language or reader_language)
        if not lang_tokens and not agnostic:
            return None
        should: list[dict[str, Any]] = []
        if lang_tokens:
            should.append(
                {
                    "multi_match": {
                        "query": " ".join(lang_tokens),
                        "fields": ["claim_norm^3", "title_norm^2", "text_norm"],
                        "type": "most_fields",
                    }
                }
            )
        if agnostic:
            should.append({"match": {"any_norm": {"query": " ".join(agnostic)}}})
        bool_query: dict[str, Any] = {
            "must": [{"bool": {"should": should, "minimum_should_match": 1}}],
            "filter": self.filter_clauses(filters),
        }
        family = language_family(reader_language)
        if family:
            bool_query["should"] = [
                {
                    "constant_score": {
                        "filter": {"term": {"family": family}},
                        "boost": READER_LANGUAGE_BONUS,
                    }
                }
            ]
        body: dict[str, Any] = {
            "query": {"bool": bool_query},
            "track_total_hits": True,
            "_source": {"excludes": ["vector", "*_norm", "text_hbs", "text_folded"]},
        }
        if facets:
            body["aggs"] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in facets}
        body["_tokens"] = sorted(set(lang_tokens) | set(agnostic))
        return body

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        filters: dict[str, Any] | None = None,
        facets: Sequence[str] | None = None,
        limit: int = 10,
        offset: int = 0,
        reader_language: str | None = None,
    ) -> SearchResults:
        cleaned = clean_filters(filters)
        for name in facets or ():
            if name not in FACET_FIELDS:
                raise ValueError(f"unknown facet {name!r}; use one of: {', '.join(FACET_FIELDS)}")
        body = self.search_body(
            query,
            language=language,
            filters=cleaned,
            facets=facets or (),
            reader_language=reader_language,
        )
        if body is None:
            return SearchResults(facets={name: {} for name in facets or ()})
        wanted = set(body.pop("_tokens"))
        response = self.client.search(
            index=self.alias, size=max(0, min(int(limit), 1000)), from_=max(0, int(offset)), **body
        )
        hits = []
        for raw in response["hits"]["hits"]:
            source = dict(raw["_source"])
            snippet = highlight(source, wanted, language=source.get("language"))
            source.pop("body", None)
            source.pop("family", None)
            hits.append(
                Hit(
                    id=raw["_id"],
                    score=float(raw["_score"] or 0.0),
                    highlight=snippet,
                    fields=source,
                )
            )
        facet_counts = {
            name: {
                b["key"]: int(b["doc_count"])
                for b in response.get("aggregations", {}).get(name, {}).get("buckets", [])
            }
            for name in facets or ()
        }
        total = response["hits"]["total"]["value"]
        return SearchResults(hits=hits, total=int(total), facets=facet_counts)

    def knn_body(
        self, vector: Sequence[float], *, k: int, filters: dict[str, Any]
    ) -> dict[str, Any]:
        """The request body for :meth:`knn`."""
        if len(vector) != VECTOR_DIMS:
            raise ValueError(f"vectors must have {VECTOR_DIMS} dimensions, got {len(vector)}")
        knn: dict[str, Any] = {
            "field": "vector",
            "query_vector": [float(x) for x in vector],
            "k": k,
            "num_candidates": max(100, k * 10),
        }
        clauses = self.filter_clauses(filters)
        if clauses:
            knn["filter"] = clauses
        return {
            "knn": knn,
            "size": k,
            "_source": {"excludes": ["vector", "*_norm", "text_hbs", "text_folded", "body"]},
        }

    def knn(
        self, vector: Sequence[float], *, k: int = 10, filters: dict[str, Any] | None = None
    ) -> list[Hit]:
        body = self.knn_body(vector, k=k, filters=clean_filters(filters))
        if k <= 0:
            return []
        response = self.client.search(index=self.alias, **body)
        hits = []
        for raw in response["hits"]["hits"]:
            source = dict(raw["_source"])
            source.pop("family", None)
            # ES reports cosine similarity as (1 + cos) / 2; give back the cosine.
            cosine = 2.0 * float(raw["_score"]) - 1.0
            hits.append(Hit(id=raw["_id"], score=cosine, fields=source))
        return hits


SearchBackend = ElasticsearchSearchBackend
