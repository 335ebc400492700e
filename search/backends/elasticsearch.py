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
  cosine, indexed for kNN, free in the Basic licence) with explicit ``index_options``:
  ``flat`` (exact kNN, the same cosine the match threshold in ``search/calibration.json``
  was fitted on) unless ``ELASTICSEARCH_VECTOR_INDEX`` picks another type; quantised
  types are searched with ``rescore_vector`` so the scores handed to the matcher are
  float cosines again (``docs/elasticsearch.md``). ES 9's own default for 384 dims is
  ``bbq_hnsw`` (1-bit, approximate), which is why the type is never left implicit.

Writes go through the alias ``<prefix>-factchecks`` with ``require_alias`` (a lost
alias fails loudly instead of auto-creating a dynamic-mapped index of that name).

``rebuild`` fills a new ``<prefix>-factchecks-<timestamp>`` index and switches the
alias in one ``_aliases`` call (atomic on the cluster), so searches never see a
half-built index. Writes made by other processes while it runs are not lost: the new
index is created with a second alias, ``<prefix>-factchecks-rebuilding``, and every
write is a dual write in one bulk request (to the live alias, and to the rebuilding
alias, whose items fail with 404 when no rebuild runs and are ignored). The rebuild's
own bulk uses ``create``, so it never overwrites what a live write already put there,
and a live delete leaves a *tombstone* (``{"id", "tombstone": true}``) in the new index
that blocks the rebuild's stale copy; tombstones are purged right after the swap and
are never counted or matched. No state outside the cluster, no extra round trip.

Indices are deleted by name, never by wildcard (``action.destructive_requires_name``
is on by default). Credentials (``api_key`` or basic auth) and ``ca_certs`` come from
``ELASTICSEARCH_API_KEY`` / ``ELASTICSEARCH_USERNAME`` + ``ELASTICSEARCH_PASSWORD`` /
``ELASTICSEARCH_CA_CERTS``; start-up needs no cluster privilege (no ``GET /``), only
index privileges on ``<prefix>-factchecks*`` and ``<prefix>-claims*``.

The claim queue's vectors live in their own index, ``<prefix>-claims`` (an alias, created
on the first claim written; a ``dense_vector`` per claim, exact cosine kNN): never
searched, counted or matched with the fact-checks (see "claim vectors" below).

Hybrid ranking is the shared Python RRF of ``base.py``: ES's RRF retriever needs an
Enterprise licence.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, dsl, helpers

from search.backends.base import (
    BaseSearchBackend,
    ProgressCallback,
    SearchBackendError,
    check_facets,
    clean_filters,
    doc_language,
    highlight,
    query_tokens,
)
from search.backends.elasticsearch_claims import (
    RESCORE_OVERSAMPLE,
    TOMBSTONES,
    ElasticsearchClaimVectors,
    vector_index_is_quantised,
)
from search.normalize import language_family, normalize
from search.types import VECTOR_DIMS, Hit, SearchDocument, SearchResults

logger = logging.getLogger(__name__)

FOLDED_ANALYZER = dsl.analyzer(
    "balkan_folded", tokenizer="standard", filter=["lowercase", "asciifolding"]
)
FACET_SIZE = 500
READER_LANGUAGE_BONUS = 0.5

#: ``dense_vector`` ``index_options.type`` values accepted by ``ELASTICSEARCH_VECTOR_INDEX``.
VECTOR_INDEX_TYPES = (
    "flat",
    "hnsw",
    "int8_flat",
    "int8_hnsw",
    "int4_flat",
    "int4_hnsw",
    "bbq_flat",
    "bbq_hnsw",
)
#: Exact brute-force kNN on float vectors: the scores the match calibration was fitted on.
DEFAULT_VECTOR_INDEX = "flat"
DEFAULT_SHARDS = 1


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
    origin = dsl.Keyword()
    group = dsl.Keyword()  # same-hoax group (translations): search.types.SearchDocument
    published = dsl.Date()
    vector = dsl.DenseVector(
        dims=VECTOR_DIMS,
        index=True,
        similarity="cosine",
        index_options={"type": DEFAULT_VECTOR_INDEX},
    )
    # Set only on the placeholder a delete leaves in an index being rebuilt.
    tombstone = dsl.Boolean()

    class Meta:
        dynamic = dsl.MetaField("strict")


def index_body(
    *,
    shards: int = DEFAULT_SHARDS,
    replicas: int | None = None,
    vector_index: str = DEFAULT_VECTOR_INDEX,
) -> dict[str, Any]:
    """``settings`` and ``mappings`` for a new index, generated from the dsl Document.

    ``replicas=None`` leaves ``number_of_replicas`` to the cluster (1 by default).
    """
    if vector_index not in VECTOR_INDEX_TYPES:
        raise ValueError(
            f"unknown vector index type {vector_index!r}; use one of {', '.join(VECTOR_INDEX_TYPES)}"
        )
    mapping = FactCheckDocument._doc_type.mapping
    settings: dict[str, Any] = {"number_of_shards": shards}
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    settings["analysis"] = mapping._collect_analysis()
    mappings = mapping.to_dict()
    mappings["properties"]["vector"]["index_options"] = {"type": vector_index}
    return {"settings": settings, "mappings": mappings}


class ElasticsearchSearchBackend(ElasticsearchClaimVectors, BaseSearchBackend):
    """Elasticsearch 9 via ``elasticsearch.dsl``; fusion and highlighting shared in Python."""

    def __init__(
        self, params: dict[str, Any] | None = None, *, client: Elasticsearch | None = None
    ):
        super().__init__(params)
        from django.conf import settings

        url = self.params.get("URL") or settings.FACTCHECK_ELASTICSEARCH_URL
        prefix = self.params.get("INDEX_PREFIX") or settings.FACTCHECK_ELASTICSEARCH_INDEX_PREFIX
        self.index_prefix = str(prefix)
        self.alias = f"{self.index_prefix}-factchecks"
        #: Points at the index a running ``rebuild`` fills; absent otherwise.
        self.rebuild_alias = f"{self.alias}-rebuilding"
        self._index_name = re.compile(rf"{re.escape(self.alias)}-\d{{20}}")
        #: The claim queue's vectors: their own index, never searched or matched.
        self.claims_alias = f"{self.index_prefix}-claims"
        self.claims_rebuild_alias = f"{self.claims_alias}-rebuilding"
        self._claims_index_name = re.compile(rf"{re.escape(self.claims_alias)}-\d{{20}}")
        self._claims_ready = False
        # Tests and small deployments want read-your-writes; production relies on the
        # refresh interval (``wait_for`` makes every bulk wait for it).
        self.refresh_writes = "wait_for" if self.params.get("REFRESH") else False
        self.shards = self._int_option("SHARDS", minimum=1) or DEFAULT_SHARDS
        self.replicas = self._int_option("REPLICAS", minimum=0)
        self.vector_index = str(self._option("VECTOR_INDEX") or DEFAULT_VECTOR_INDEX).strip()
        if self.vector_index not in VECTOR_INDEX_TYPES:
            raise SearchBackendError(
                f"ELASTICSEARCH_VECTOR_INDEX={self.vector_index!r} is not one of "
                f"{', '.join(VECTOR_INDEX_TYPES)}"
            )
        if client is None:
            if not url:
                raise SearchBackendError("ELASTICSEARCH_URL is not set")
            try:
                client = Elasticsearch(url, **self.client_options())
            except ValueError as exc:  # e.g. TLS options on an http:// URL
                raise SearchBackendError(f"Elasticsearch client options: {exc}") from exc
        self.client = client
        try:
            # No ``GET /`` (needs the cluster ``monitor`` privilege): the alias check is
            # the reachability test and needs only index privileges.
            self._ensure_alias()
        except ApiError as exc:
            raise SearchBackendError(
                f"Elasticsearch at {url or 'client'} refused the request "
                f"(HTTP {exc.meta.status}): {exc}; check ELASTICSEARCH_API_KEY or "
                "ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD and the index privileges"
            ) from exc
        except TransportError as exc:
            raise SearchBackendError(
                f"Elasticsearch at {url or 'client'} is unreachable: {exc}"
            ) from exc

    # --- configuration ----------------------------------------------------------------

    def _option(self, name: str) -> Any:
        """``params[name]``, else ``settings.FACTCHECK_ELASTICSEARCH_<name>`` (from env)."""
        from django.conf import settings

        value = self.params.get(name)
        if value is None or value == "":
            value = getattr(settings, f"FACTCHECK_ELASTICSEARCH_{name}")
        return None if value == "" else value

    def _int_option(self, name: str, *, minimum: int) -> int | None:
        value = self._option(name)
        if value is None:
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = minimum - 1
        if number < minimum:
            raise SearchBackendError(
                f"ELASTICSEARCH_{name}={value!r} must be a whole number >= {minimum}"
            )
        return number

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``Elasticsearch(url, ...)``: timeouts, credentials, CA."""
        options: dict[str, Any] = {
            "request_timeout": float(self.params.get("TIMEOUT", 10)),
            "max_retries": int(self.params.get("MAX_RETRIES", 2)),
            "retry_on_timeout": True,
        }
        api_key = self._option("API_KEY")
        username, password = self._option("USERNAME"), self._option("PASSWORD")
        if api_key and (username or password):
            raise SearchBackendError(
                "set either ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/"
                "ELASTICSEARCH_PASSWORD, not both"
            )
        if api_key:
            api_key = str(api_key).strip()
            # "id:api_key" (as created) or the base64 "encoded" form Kibana shows.
            options["api_key"] = tuple(api_key.split(":", 1)) if ":" in api_key else api_key
        elif username or password:
            if not (username and password):
                raise SearchBackendError(
                    "ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD must be set together"
                )
            options["basic_auth"] = (str(username), str(password))
        ca_certs = self._option("CA_CERTS")
        if ca_certs:
            path = Path(str(ca_certs)).expanduser()
            if not path.is_file():
                raise SearchBackendError(f"ELASTICSEARCH_CA_CERTS={ca_certs!r}: no such file")
            options["ca_certs"] = str(path)
        return options

    # --- index management -----------------------------------------------------------

    def _new_index_name(self) -> str:
        return f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1_000_000:06d}"

    def index_body(self) -> dict[str, Any]:
        """:func:`index_body` with this deployment's shards, replicas and vector index."""
        return index_body(
            shards=self.shards, replicas=self.replicas, vector_index=self.vector_index
        )

    def _create_index(self, name: str, *, aliases: dict[str, Any] | None = None) -> None:
        body = self.index_body()
        extra: dict[str, Any] = {"aliases": aliases} if aliases else {}
        self.client.indices.create(
            index=name, settings=body["settings"], mappings=body["mappings"], **extra
        )

    def _delete_indices(self, names: Iterable[str]) -> None:
        """Delete indices by their exact names (never a wildcard: clusters refuse those)."""
        names = sorted(set(names))
        for name in names:
            if not (self._index_name.fullmatch(name) or self._claims_index_name.fullmatch(name)):
                raise SearchBackendError(f"refusing to delete {name!r}: not an index of ours")
        if names:
            self.client.indices.delete(index=",".join(names), ignore_unavailable=True)

    def _ensure_alias(self) -> None:
        if self.client.indices.exists_alias(name=self.alias):
            return
        name = self._new_index_name()
        self._create_index(name)
        self.client.indices.update_aliases(
            actions=[{"add": {"index": name, "alias": self.alias, "is_write_index": True}}]
        )

    def _alias_indices(self, alias: str | None = None) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias or self.alias).body)
        except NotFoundError:
            return []

    def _own_indices(self) -> list[str]:
        """Every index named like ours (listing by pattern is allowed; deleting is not)."""
        try:
            found = self.client.indices.get_alias(index=f"{self.alias}-*").body
        except NotFoundError:
            return []
        return sorted(name for name in found if self._index_name.fullmatch(name))

    def drop_all(self) -> None:
        """Delete every index of this prefix, by name (tests; never called by the application)."""
        self._delete_indices(self._own_indices())
        self._delete_indices(self._own_claims_indices())
        self._claims_ready = False

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

    def _actions(
        self, docs: Iterable[SearchDocument], index: str, *, op_type: str = "index"
    ) -> Iterator[dict[str, Any]]:
        for doc in docs:
            yield {
                "_op_type": op_type,
                "_index": index,
                "_id": doc.id,
                "_source": self._source(doc),
            }

    def _ignorable(self, error: dict[str, Any]) -> bool:
        """Bulk item failures that are expected, not errors."""
        op_type, item = next(iter(error.items()))
        status = item.get("status")
        if op_type == "delete" and status == 404:
            return True  # deleting a missing id
        if item.get("_index") in (self.rebuild_alias, self.claims_rebuild_alias) and status == 404:
            return True  # the dual write when no rebuild runs (require_alias)
        # The rebuild's ``create`` lost to a live write: the live one is newer.
        return op_type == "create" and status == 409

    def _bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        refresh: Any = None,
        require_alias: bool = False,
    ) -> int:
        extra = {"require_alias": True} if require_alias else {}
        ok, errors = helpers.bulk(
            self.client,
            actions,
            chunk_size=500,
            raise_on_error=False,
            refresh=self.refresh_writes if refresh is None else refresh,
            **extra,
        )
        if isinstance(errors, list) and errors:  # a list unless stats_only=True
            real = [e for e in errors if not self._ignorable(e)]
            if real:
                raise SearchBackendError(f"Elasticsearch rejected {len(real)} actions: {real[:3]}")
        return ok

    def index_documents(self, docs: Iterable[SearchDocument]) -> int:
        def dual() -> Iterator[dict[str, Any]]:
            for action in self._actions(docs, self.alias):
                yield action
                yield {**action, "_index": self.rebuild_alias}
                written.append(action["_id"])

        written: list[str] = []
        self._bulk(dual(), require_alias=True)
        return len(written)

    def delete_documents(self, ids: Iterable[str]) -> None:
        def dual() -> Iterator[dict[str, Any]]:
            for doc_id in map(str, ids):
                yield {"_op_type": "delete", "_index": self.alias, "_id": doc_id}
                # A rebuild may still hold (or still be about to copy) this document.
                yield {
                    "_op_type": "index",
                    "_index": self.rebuild_alias,
                    "_id": doc_id,
                    "_source": {"id": doc_id, "tombstone": True},
                }

        self._bulk(dual(), require_alias=True)

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
        self._drop_abandoned_rebuilds()
        new = self._new_index_name()
        # Born with the rebuilding alias: from now on every live write also lands here.
        self._create_index(new, aliases={self.rebuild_alias: {}})
        copied: set[str] = set()

        def write(batch: dict[str, SearchDocument]) -> None:
            # ``create``: a live write that got there first is newer than this copy. An
            # id repeated in ``docs`` replaces the rebuild's own earlier copy (last wins,
            # like the embedded engine).
            docs_ = list(batch.values())
            fresh = [d for d in docs_ if d.id not in copied]
            again = [d for d in docs_ if d.id in copied]
            actions = [
                *self._actions(fresh, new, op_type="create"),
                *self._actions(again, new, op_type="index"),
            ]
            self._bulk(actions, refresh=False)
            copied.update(batch)

        return self._fill_and_swap(
            new,
            ((doc.id, doc) for doc in docs),  # a repeat within a batch: the last one wins
            write,
            alias=self.alias,
            rebuild_alias=self.rebuild_alias,
            batch_size=batch_size,
            progress=progress,
        )

    def _fill_and_swap(
        self,
        new: str,
        pairs: Iterable[tuple[Any, Any]],
        write: Callable[[dict[Any, Any]], None],
        *,
        alias: str,
        rebuild_alias: str,
        batch_size: int,
        progress: ProgressCallback | None,
    ) -> int:
        """A rebuild's second half, for the fact-check and the claims index alike: write
        ``pairs`` (key, value; a key repeated within a batch: the last wins) into ``new``
        in batches through ``write``, then move ``alias`` to it in one atomic request and
        drop the old indices; on any failure the half-built index is deleted and the
        alias still points at the old one. Returns how many pairs were written."""
        count = 0
        try:
            batch: dict[Any, Any] = {}
            pending = 0
            for key, value in pairs:
                batch[key] = value
                pending += 1
                if pending >= batch_size:
                    write(batch)
                    count += pending
                    batch, pending = {}, 0
                    if progress is not None:
                        progress(count)
            if pending:
                write(batch)
                count += pending
                if progress is not None:
                    progress(count)
            self.client.indices.refresh(index=new)
            old = self._alias_indices(alias)
            actions: list[dict[str, Any]] = [
                # must_exist: fails the swap if another rebuild took over this one.
                {"remove": {"index": new, "alias": rebuild_alias, "must_exist": True}},
                *({"remove": {"index": name, "alias": alias}} for name in old),
                {"add": {"index": new, "alias": alias, "is_write_index": True}},
            ]
            # One request: Elasticsearch applies all alias actions atomically, so every
            # write lands in the new index, through one alias or the other.
            self.client.indices.update_aliases(actions=actions)
        except BaseException:
            # The alias still points at the old index; drop the half-built one.
            try:
                self._delete_indices([new])
            except Exception:  # the original error is the one to report
                logger.exception("could not delete the half-built index %s", new)
            raise
        self._purge_tombstones(new)
        self._delete_indices(name for name in old if name != new)
        return count

    def _drop_abandoned_rebuilds(self) -> None:
        """Delete an index left behind by a rebuild that was killed before its swap."""
        live = set(self._alias_indices())
        stale = [name for name in self._alias_indices(self.rebuild_alias) if name not in live]
        if stale:
            logger.warning("deleting the index of an abandoned rebuild: %s", ", ".join(stale))
            self._delete_indices(stale)

    def _purge_tombstones(self, index: str) -> None:
        try:
            self.client.indices.refresh(index=index)
            self.client.delete_by_query(
                index=index, query=TOMBSTONES, refresh=True, conflicts="proceed"
            )
        except (TransportError, ApiError):
            # Harmless: tombstones are never counted or matched; the next rebuild drops them.
            logger.exception("could not purge rebuild tombstones from %s", index)

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)

    # --- reads --------------------------------------------------------------------

    def count(self) -> int:
        query = {"bool": {"must_not": [TOMBSTONES]}}
        return int(self.client.count(index=self.alias, query=query)["count"])

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
        highlights: bool = True,
    ) -> SearchResults:
        cleaned = clean_filters(filters)
        check_facets(facets)
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
            snippet = (
                highlight(source, wanted, language=source.get("language")) if highlights else ""
            )
            if highlights:
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

    def lexical_matches(
        self,
        query: str,
        ids: Iterable[str],
        *,
        language: str | None = None,
        reader_language: str | None = None,
        filters: dict[str, Any] | None = None,
    ) -> set[str]:
        ids = list(dict.fromkeys(str(i) for i in ids))
        body = self.search_body(
            query,
            language=language,
            filters=clean_filters(filters),
            facets=(),
            reader_language=reader_language,
        )
        if body is None or not ids:
            return set()
        body.pop("_tokens")
        body["query"]["bool"]["filter"].append({"ids": {"values": ids}})
        body["_source"] = False
        body["track_total_hits"] = False
        response = self.client.search(index=self.alias, size=len(ids), **body)
        return {raw["_id"] for raw in response["hits"]["hits"]}

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
        if vector_index_is_quantised(self.vector_index):
            # Re-score the top candidates on the float vectors: the matcher's threshold
            # is a float-cosine threshold.
            knn["rescore_vector"] = {"oversample": RESCORE_OVERSAMPLE}
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
