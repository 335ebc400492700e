"""The Elasticsearch backend's claim vector index (``search.index_claims`` and friends).

A mixin of :class:`search.backends.elasticsearch.ElasticsearchSearchBackend`: it uses the
backend's client, bulk writer, alias helpers and ``_fill_and_swap``. Kept apart so the
fact-check index and the claims index each read on their own.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, NotFoundError

from search.backends.base import ClaimVector, ProgressCallback, claim_vector_array
from search.types import VECTOR_DIMS

logger = logging.getLogger(__name__)

#: For quantised types: ``k * oversample`` candidates are re-scored on the float vectors.
RESCORE_OVERSAMPLE = 3.0
#: A live delete during a rebuild leaves this marker in the new index (purged after it).
TOMBSTONES = {"term": {"tombstone": True}}


def vector_index_is_quantised(index_type: str) -> bool:
    return index_type not in ("flat", "hnsw")


class ElasticsearchClaimVectors:
    """Claim vectors for :class:`ElasticsearchSearchBackend` (see the module docstring)."""

    # Set by the backend's __init__ / provided by the backend class.
    client: Any
    index_prefix: str
    claims_alias: str
    claims_rebuild_alias: str
    shards: int
    replicas: int | None
    vector_index: str
    refresh_writes: Any
    _claims_ready: bool
    _claims_index_name: Any

    if TYPE_CHECKING:  # the backend's own helpers, which this mixin uses

        def _delete_indices(self, names: Iterable[str]) -> None: ...

        def _alias_indices(self, alias: str | None = None) -> list[str]: ...

        def _bulk(
            self,
            actions: Iterable[dict[str, Any]],
            *,
            refresh: Any = None,
            require_alias: bool = False,
        ) -> int: ...

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
        ) -> int: ...

    # --- claim vectors ----------------------------------------------------------------
    #
    # ``<prefix>-claims``: an alias over one ``<prefix>-claims-<timestamp>`` index holding
    # a vector per claim (``_id`` = the claim's key), created on the first claim write.
    # Writes and rebuilds follow the fact-check index's rules: ``require_alias``, a dual
    # write to ``<prefix>-claims-rebuilding``, ``create`` in the rebuild, tombstones for
    # live deletes, an atomic alias swap. Nothing else reads this index.

    def claims_index_body(self) -> dict[str, Any]:
        """``settings`` and ``mappings`` of a claims index: the fact-checks' vector type
        (``ELASTICSEARCH_VECTOR_INDEX``, exact ``flat`` by default) and shards."""
        settings: dict[str, Any] = {"number_of_shards": self.shards}
        if self.replicas is not None:
            settings["number_of_replicas"] = self.replicas
        return {
            "settings": settings,
            "mappings": {
                "dynamic": "strict",
                "properties": {
                    "vector": {
                        "type": "dense_vector",
                        "dims": VECTOR_DIMS,
                        "index": True,
                        "similarity": "cosine",
                        "index_options": {"type": self.vector_index},
                    },
                    "tombstone": {"type": "boolean"},
                },
            },
        }

    def _new_claims_index_name(self) -> str:
        return (
            f"{self.claims_alias}-{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1_000_000:06d}"
        )

    def _create_claims_index(self, name: str, *, aliases: dict[str, Any] | None = None) -> None:
        body = self.claims_index_body()
        extra: dict[str, Any] = {"aliases": aliases} if aliases else {}
        self.client.indices.create(
            index=name, settings=body["settings"], mappings=body["mappings"], **extra
        )

    def _ensure_claims_alias(self) -> None:
        """Create the claims index behind its alias on first use (once per instance)."""
        if self._claims_ready:
            return
        if not self.client.indices.exists_alias(name=self.claims_alias):
            name = self._new_claims_index_name()
            self._create_claims_index(name)
            try:
                self.client.indices.update_aliases(
                    actions=[
                        {"add": {"index": name, "alias": self.claims_alias, "is_write_index": True}}
                    ]
                )
            except ApiError:
                # Another process created it at the same moment: use theirs.
                self._delete_indices([name])
                if not self.client.indices.exists_alias(name=self.claims_alias):
                    raise
        self._claims_ready = True

    def _own_claims_indices(self) -> list[str]:
        try:
            found = self.client.indices.get_alias(index=f"{self.claims_alias}-*").body
        except NotFoundError:
            return []
        return sorted(name for name in found if self._claims_index_name.fullmatch(name))

    @staticmethod
    def _claim_source(vector: Any) -> dict[str, Any]:
        return {"vector": [float(x) for x in vector]}

    def _write_claims(self, ops: dict[int, Any]) -> None:
        def dual() -> Iterator[dict[str, Any]]:
            for key, vector in ops.items():
                doc_id = str(key)
                if vector is None:
                    yield {"_op_type": "delete", "_index": self.claims_alias, "_id": doc_id}
                    # A running rebuild may still copy this claim: block its stale copy.
                    source: dict[str, Any] = {"tombstone": True}
                else:
                    source = self._claim_source(vector)
                    yield {
                        "_op_type": "index",
                        "_index": self.claims_alias,
                        "_id": doc_id,
                        "_source": source,
                    }
                yield {
                    "_op_type": "index",
                    "_index": self.claims_rebuild_alias,
                    "_id": doc_id,
                    "_source": source,
                }

        if not ops:
            return
        self._ensure_claims_alias()
        # ``refresh=true``: the next item ingested may repeat this claim, and must find it
        # (the fact-check index waits for its interval; this one is small and written
        # once per new claim, not per sighting).
        self._bulk(dual(), require_alias=True, refresh=True)

    def index_claim_vectors(self, items: Iterable[tuple[int, ClaimVector]]) -> int:
        ops = {int(key): claim_vector_array(vector) for key, vector in items}
        self._write_claims(ops)
        return sum(v is not None for v in ops.values())

    def delete_claim_vectors(self, ids: Iterable[int]) -> None:
        self._write_claims(dict.fromkeys((int(i) for i in ids), None))

    def claims_knn_body(
        self, vector: Sequence[float], *, k: int, exclude_ids: Iterable[int] = ()
    ) -> dict[str, Any]:
        """The request body for :meth:`nearest_claim_vectors` (``vector`` at unit length)."""
        knn: dict[str, Any] = {
            "field": "vector",
            "query_vector": [float(x) for x in vector],
            "k": k,
            "num_candidates": max(100, k * 10),
        }
        if vector_index_is_quantised(self.vector_index):
            knn["rescore_vector"] = {"oversample": RESCORE_OVERSAMPLE}
        excluded = sorted({str(int(i)) for i in exclude_ids}, key=int)
        if excluded:
            knn["filter"] = {"bool": {"must_not": [{"ids": {"values": excluded}}]}}
        return {"knn": knn, "size": k, "_source": False}

    def nearest_claim_vectors(
        self, vector: ClaimVector, *, k: int = 20, exclude_ids: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        query = claim_vector_array(vector)
        if query is None or k < 1:
            return []
        body = self.claims_knn_body(query.tolist(), k=k, exclude_ids=exclude_ids)
        try:
            response = self.client.search(index=self.claims_alias, **body)
        except NotFoundError:
            return []  # no claim was written yet
        # ES reports cosine similarity as (1 + cos) / 2; give back the cosine.
        return [
            (int(raw["_id"]), 2.0 * float(raw["_score"]) - 1.0) for raw in response["hits"]["hits"]
        ]

    def clear_claim_vectors(self) -> None:
        with contextlib.suppress(NotFoundError):  # no claim was written yet
            self.client.delete_by_query(
                index=self.claims_alias, query={"match_all": {}}, refresh=True, conflicts="proceed"
            )

    def claim_vector_count(self) -> int:
        try:
            query = {"bool": {"must_not": [TOMBSTONES]}}
            return int(self.client.count(index=self.claims_alias, query=query)["count"])
        except NotFoundError:
            return 0

    def rebuild_claim_vectors(
        self,
        items: Iterable[tuple[int, ClaimVector]],
        *,
        batch_size: int = 1000,
        progress: ProgressCallback | None = None,
    ) -> int:
        live = set(self._alias_indices(self.claims_alias))
        stale = [n for n in self._alias_indices(self.claims_rebuild_alias) if n not in live]
        if stale:
            logger.warning("deleting the index of an abandoned claims rebuild: %s", stale)
            self._delete_indices(stale)
        new = self._new_claims_index_name()
        # Born with the rebuilding alias: from now on every live write also lands here.
        self._create_claims_index(new, aliases={self.claims_rebuild_alias: {}})
        copied: set[int] = set()

        def write(batch: dict[int, Any]) -> None:
            actions: list[dict[str, Any]] = []
            for key, vector in batch.items():
                if vector is None:
                    if key in copied:  # a repeated key, now without a vector
                        actions.append({"_op_type": "delete", "_index": new, "_id": str(key)})
                        copied.discard(key)
                    continue
                actions.append(
                    {
                        # ``create``: a live write that got there first is newer.
                        "_op_type": "index" if key in copied else "create",
                        "_index": new,
                        "_id": str(key),
                        "_source": self._claim_source(vector),
                    }
                )
                copied.add(key)
            if actions:
                self._bulk(actions, refresh=False)

        self._fill_and_swap(
            new,
            ((int(key), claim_vector_array(vector)) for key, vector in items),
            write,
            alias=self.claims_alias,
            rebuild_alias=self.claims_rebuild_alias,
            batch_size=batch_size,
            progress=progress,
        )
        self._claims_ready = True
        return len(copied)
