"""The default engine: a tantivy index plus an exact numpy vector matrix, under the var dir.

Layout of ``<FACTCHECK_VAR_DIR>/search/`` (or ``params["PATH"]``)::

    CURRENT                 name of the live generation (replaced atomically)
    write.lock              flock: exactly one writer process at a time
    gen-<time>-<pid>/
        index/              tantivy index (its own writer lock lives here too)
        VECTORS             name of the live vector version (replaced atomically)
        vectors-<v>.npy     float32, L2-normalised rows
        vectors-<v>.json    {"ids": [...], "meta": [...]} row by row
    claims/                 the claim queue's vectors, never searched or matched:
        STATE, seg-*.npz    a small log-structured store (``claim_vectors.py``), outside
                            the generations, so a fact-check rebuild leaves it alone

Why this shape:

* ``rebuild`` writes a whole new generation and only then replaces ``CURRENT``
  (``os.replace`` is atomic), so a crash mid-rebuild leaves the old generation
  serving; leftovers are removed by the next rebuild.
* Vectors are written as a new version file pair and a pointer, for the same reason:
  a reader never sees a matrix with the wrong id list.
* Readers (other processes) never take the lock: each read stats ``CURRENT``,
  tantivy's ``meta.json`` and ``VECTORS`` (microseconds) and reloads what changed.

Text is analysed by :mod:`search.normalize` in Python and indexed with tantivy's
``whitespace`` tokenizer, which only splits on spaces: it does not lowercase, fold or
stem, so tantivy cannot undo or alter our normalisation. Queries are built from our
tokens with ``Query.term_query``; tantivy's query parser is never used, so no user
input can be a syntax error.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np

from search.backends.base import (
    BaseSearchBackend,
    ClaimVector,
    ProgressCallback,
    SearchBackendError,
    check_facets,
    claim_vector_array,
    clean_filters,
    doc_language,
    highlight,
    query_tokens,
)
from search.backends.claim_vectors import ClaimVectorStore, Ops, unique_last
from search.normalize import language_family, normalize
from search.types import FACET_FIELDS, VECTOR_DIMS, Hit, SearchDocument, SearchResults

logger = logging.getLogger(__name__)

WRITER_HEAP = 64_000_000
# Boosts: the claim is what a reader searches for, then the title.
FIELD_BOOSTS = {"claim": 3.0, "title": 2.0, "text": 1.0}
AGNOSTIC_BOOST = 1.0
READER_LANGUAGE_BONUS = 0.5
FACET_SIZE = 500


def _schema():  # -> tantivy.Schema
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("title", "claim", "text", "any"):
        # "freq": BM25 needs term frequencies, not positions (no phrase queries).
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in (*FACET_FIELDS, "family"):
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_date_field("published", indexed=True, fast=True)
    sb.add_bytes_field("source", stored=True)
    return sb.build()


def _to_datetime(value: date) -> datetime:
    return datetime.combine(value, dtime.min, tzinfo=UTC)


class EmbeddedSearchBackend(BaseSearchBackend):
    """tantivy (BM25, filters, facets) + numpy (exact cosine kNN), one writer process."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        path = self.params.get("PATH")
        if path is None:
            from django.conf import settings

            path = Path(settings.FACTCHECK_VAR_DIR) / "search"
        self.root = Path(path)
        try:
            import tantivy  # noqa: F401  (fail early with a clear message)

            self.root.mkdir(parents=True, exist_ok=True)
        except (ImportError, OSError) as exc:
            raise SearchBackendError(f"cannot use {self.root}: {exc}") from exc
        self._schema = _schema()
        self._state_lock = threading.RLock()
        self._generation: str | None = None
        self._index: Any = None  # a tantivy.Index once refresh() opens one
        self._meta_stamp: tuple[int, int] | None = None
        self._vector_version: str | None = None
        self._matrix = np.zeros((0, VECTOR_DIMS), dtype=np.float32)
        self._vector_ids: list[str] = []
        self._vector_meta: list[dict[str, Any]] = []
        self._claims = ClaimVectorStore(self.root)
        self._ensure_initialised()
        try:
            self.refresh()
        except (SearchBackendError, ValueError, OSError) as exc:
            # Leave the broken index closed so `rebuild_search_index` can still replace it.
            logger.warning(
                "search index at %s is unreadable (%s); run manage.py rebuild_search_index",
                self.root,
                exc,
            )
            self._generation = None
            self._index = None

    # --- files and locks ----------------------------------------------------------

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        # flock is per open file description: two instances in one process exclude each
        # other too, like two processes. Released by the kernel if the process dies.
        with open(self.root / "write.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read_current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _write_pointer(self, path: Path, value: str) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def _new_generation(self) -> Path:
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        gen = self.root / name
        (gen / "index").mkdir(parents=True)
        return gen

    def _ensure_initialised(self) -> None:
        if self._read_current():
            return
        with self._write_lock():
            if self._read_current():
                return
            gen = self._new_generation()
            self._open_index(gen)
            self._write_pointer(self.root / "CURRENT", gen.name)

    def _open_index(self, gen: Path):  # -> tantivy.Index
        import tantivy

        return tantivy.Index(self._schema, path=str(gen / "index"), reuse=True)

    def _gen_path(self) -> Path:
        assert self._generation is not None
        return self.root / self._generation

    # --- refresh ------------------------------------------------------------------

    def refresh(self) -> None:
        """Pick up a swapped generation, new tantivy commits and a new vector version."""
        with self._state_lock:
            current = self._read_current()
            if current is None:
                raise SearchBackendError(f"search index at {self.root} has no CURRENT pointer")
            if current != self._generation:
                self._generation = current
                self._index = self._open_index(self._gen_path())
                self._meta_stamp = None
                self._vector_version = None
            meta = self._gen_path() / "index" / "meta.json"
            try:
                st = meta.stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                stamp = None
            if stamp != self._meta_stamp:
                self._index.reload()
                self._meta_stamp = stamp
            self._load_vectors()

    def _load_vectors(self) -> None:
        gen = self._gen_path()
        try:
            version = (gen / "VECTORS").read_text().strip()
        except FileNotFoundError:
            version = ""
        if version == self._vector_version:
            return
        if version:
            matrix = np.load(gen / f"vectors-{version}.npy")
            info = json.loads((gen / f"vectors-{version}.json").read_text())
            self._matrix, self._vector_ids, self._vector_meta = matrix, info["ids"], info["meta"]
        else:
            self._matrix = np.zeros((0, VECTOR_DIMS), dtype=np.float32)
            self._vector_ids, self._vector_meta = [], []
        self._vector_version = version

    def _searcher(self):  # -> tantivy.Searcher
        self.refresh()
        return self._index.searcher()

    # --- writes -------------------------------------------------------------------

    def _tantivy_doc(self, doc: SearchDocument):  # -> tantivy.Document
        import tantivy

        lang = doc_language(doc.language)
        stored = doc.stored_fields()
        stored["body"] = doc.body[:20_000]  # for highlighting; the full body is not needed
        fields: dict[str, Any] = {
            "id": doc.id,
            "title": normalize(doc.title, lang),
            "claim": normalize(doc.claim_reviewed, lang),
            "text": normalize(" ".join((doc.claimant, doc.summary, doc.body)), lang),
            "any": normalize(
                " ".join((doc.title, doc.claim_reviewed, doc.claimant, doc.summary, doc.body)),
                None,
            ),
            "rating_verdict": doc.rating_verdict or "other",
            "language": lang,
            "family": language_family(lang) or "",
            "origin": doc.origin or "own",
            "source": json.dumps(stored, ensure_ascii=False).encode(),
        }
        if doc.countries:
            fields["countries"] = [c.upper() for c in doc.countries]
        if doc.topics:
            fields["topics"] = list(doc.topics)
        if doc.published:
            fields["published"] = _to_datetime(doc.published)
        return tantivy.Document(**fields)

    @staticmethod
    def _vector_meta_for(doc: SearchDocument) -> dict[str, Any]:
        return {
            "rating_verdict": doc.rating_verdict or "other",
            "language": doc_language(doc.language),
            "countries": [c.upper() for c in doc.countries],
            "topics": list(doc.topics),
            "published": doc.published.isoformat() if doc.published else None,
            "origin": doc.origin or "own",
            "fields": doc.stored_fields(),
        }

    @staticmethod
    def _unit(vector: Sequence[float]) -> np.ndarray:
        arr = np.asarray(vector, dtype=np.float32).reshape(-1)
        if arr.shape[0] != VECTOR_DIMS:
            raise ValueError(f"vectors must have {VECTOR_DIMS} dimensions, got {arr.shape[0]}")
        norm = float(np.linalg.norm(arr))
        return arr / norm if norm > 0 else arr

    def _write_vectors(
        self, gen: Path, matrix: np.ndarray, ids: list[str], meta: list[dict[str, Any]]
    ) -> None:
        version = f"{time.time_ns()}"
        np.save(gen / f"vectors-{version}.npy", matrix.astype(np.float32, copy=False))
        (gen / f"vectors-{version}.json").write_text(
            json.dumps({"ids": ids, "meta": meta}, ensure_ascii=False)
        )
        previous = None
        with contextlib.suppress(FileNotFoundError):
            previous = (gen / "VECTORS").read_text().strip()
        self._write_pointer(gen / "VECTORS", version)
        # Keep the previous version one round so a reader that just read the old
        # pointer can still open its files; remove anything older.
        for stale in gen.glob("vectors-*.*"):
            if stale.stem.split("-", 1)[1] not in (version, previous):
                stale.unlink(missing_ok=True)

    def _update_vectors(
        self, upserts: dict[str, tuple[np.ndarray, dict[str, Any]]], deletes: set[str]
    ) -> None:
        self._load_vectors()
        ids = list(self._vector_ids)
        meta = list(self._vector_meta)
        matrix = self._matrix
        drop = (deletes | set(upserts)) & set(ids)
        if drop:
            keep = [i for i, doc_id in enumerate(ids) if doc_id not in drop]
            matrix = matrix[keep]
            ids = [ids[i] for i in keep]
            meta = [meta[i] for i in keep]
        if upserts:
            new_ids = list(upserts)
            matrix = np.vstack([matrix, np.stack([upserts[i][0] for i in new_ids])])
            ids.extend(new_ids)
            meta.extend(upserts[i][1] for i in new_ids)
        self._write_vectors(self._gen_path(), matrix, ids, meta)
        self._vector_version = None
        self._load_vectors()

    def index_documents(self, docs: Iterable[SearchDocument]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        with self._write_lock(), self._state_lock:
            self.refresh()
            writer = self._index.writer(WRITER_HEAP, 1)
            vectors: dict[str, tuple[np.ndarray, dict[str, Any]]] = {}
            deletes: set[str] = set()
            for doc in docs:
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(self._tantivy_doc(doc))
                if doc.vector is not None:
                    vectors[doc.id] = (self._unit(doc.vector), self._vector_meta_for(doc))
                else:
                    deletes.add(doc.id)
            writer.commit()
            writer.wait_merging_threads()
            if vectors or deletes & set(self._vector_ids):
                self._update_vectors(vectors, deletes)
            self.refresh()
        return len(docs)

    def delete_documents(self, ids: Iterable[str]) -> None:
        ids = {str(i) for i in ids}
        if not ids:
            return
        with self._write_lock(), self._state_lock:
            self.refresh()
            writer = self._index.writer(WRITER_HEAP, 1)
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
            writer.commit()
            writer.wait_merging_threads()
            if ids & set(self._vector_ids):
                self._update_vectors({}, ids)
            self.refresh()

    def clear(self) -> None:
        with self._write_lock(), self._state_lock:
            self.refresh()
            writer = self._index.writer(WRITER_HEAP, 1)
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
            self._write_vectors(self._gen_path(), np.zeros((0, VECTOR_DIMS), np.float32), [], [])
            self._vector_version = None
            self.refresh()

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        *,
        batch_size: int = 1000,
        progress: ProgressCallback | None = None,
    ) -> int:
        with self._write_lock():
            gen = self._new_generation()
            try:
                count = self._build_generation(gen, docs, batch_size, progress)
            except BaseException:
                # The live generation was never touched; drop the half-built one.
                shutil.rmtree(gen, ignore_errors=True)
                raise
            old = self._read_current()
            self._write_pointer(self.root / "CURRENT", gen.name)
            self._remove_stale_generations(keep={gen.name, old or ""})
        self.refresh()
        return count

    def _build_generation(
        self,
        gen: Path,
        docs: Iterable[SearchDocument],
        batch_size: int,
        progress: ProgressCallback | None,
    ) -> int:
        index = self._open_index(gen)
        # Two threads: the machines this runs on have few cores and serve requests too.
        writer = index.writer(WRITER_HEAP * 2, 2)
        chunks: list[np.ndarray] = []
        ids: list[str] = []
        meta: list[dict[str, Any]] = []
        seen: set[str] = set()
        count = 0
        try:
            for doc in docs:
                if doc.id in seen:
                    writer.delete_documents_by_term("id", doc.id)
                seen.add(doc.id)
                writer.add_document(self._tantivy_doc(doc))
                if doc.vector is not None:
                    chunks.append(self._unit(doc.vector))
                    ids.append(doc.id)
                    meta.append(self._vector_meta_for(doc))
                count += 1
                if progress is not None and count % batch_size == 0:
                    progress(count)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.rollback()
            raise
        if len(ids) != len(set(ids)):
            # Duplicate ids in the input: the last vector wins, like the text.
            last = {doc_id: i for i, doc_id in enumerate(ids)}
            order = sorted(last.values())
            chunks = [chunks[i] for i in order]
            ids = [ids[i] for i in order]
            meta = [meta[i] for i in order]
        matrix = np.stack(chunks) if chunks else np.zeros((0, VECTOR_DIMS), np.float32)
        self._write_vectors(gen, matrix, ids, meta)
        if progress is not None and count % batch_size:
            progress(count)
        return count

    def _remove_stale_generations(self, keep: set[str]) -> None:
        # The previous generation is kept one round: a reader in another process may
        # still have it open (mmap keeps deleted files readable on POSIX anyway).
        for path in self.root.glob("gen-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # --- reads --------------------------------------------------------------------

    def count(self) -> int:
        return self._searcher().num_docs

    def _filter_queries(self, filters: dict[str, Any]) -> list:
        import tantivy

        Query = tantivy.Query
        queries = []
        for field, values in filters.items():
            if field in ("published_from", "published_to"):
                continue
            if field == "countries":
                values = [v.upper() for v in values]
            queries.append(Query.term_set_query(self._schema, field, values))
        low, high = filters.get("published_from"), filters.get("published_to")
        if low or high:
            queries.append(
                Query.range_query(
                    self._schema,
                    "published",
                    tantivy.FieldType.Date,
                    _to_datetime(low) if low else None,
                    _to_datetime(high) if high else None,
                )
            )
        return queries

    def _full_query(
        self,
        lang_tokens: list[str],
        agnostic: list[str],
        cleaned: dict[str, Any],
        reader_language: str | None,
    ):  # -> tantivy.Query
        import tantivy

        Query, Occur = tantivy.Query, tantivy.Occur
        schema = self._schema
        should = []
        for token in lang_tokens:
            for field, boost in FIELD_BOOSTS.items():
                should.append(
                    (Occur.Should, Query.boost_query(Query.term_query(schema, field, token), boost))
                )
        for token in agnostic:
            term = Query.term_query(schema, "any", token)
            should.append((Occur.Should, Query.boost_query(term, AGNOSTIC_BOOST)))
        clauses = [(Occur.Must, Query.boolean_query(should))]
        clauses += [(Occur.Must, q) for q in self._filter_queries(cleaned)]
        reader_family = language_family(reader_language)
        if reader_family:
            bonus = Query.term_query(schema, "family", reader_family)
            clauses.append((Occur.Should, Query.const_score_query(bonus, READER_LANGUAGE_BONUS)))
        return Query.boolean_query(clauses)

    def lexical_matches(
        self,
        query: str,
        ids: Iterable[str],
        *,
        language: str | None = None,
        reader_language: str | None = None,
        filters: dict[str, Any] | None = None,
    ) -> set[str]:
        import tantivy

        ids = list(dict.fromkeys(str(i) for i in ids))
        lang_tokens, agnostic = query_tokens(query, language or reader_language)
        if not ids or (not lang_tokens and not agnostic):
            return set()
        text = self._full_query(lang_tokens, agnostic, clean_filters(filters), reader_language)
        only = tantivy.Query.term_set_query(self._schema, "id", ids)
        full = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), (tantivy.Occur.Must, only)])
        searcher = self._searcher()
        result = searcher.search(full, len(ids))
        return {searcher.doc(address).get_first("id") for _score, address in result.hits}

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
        lang_tokens, agnostic = query_tokens(query, language or reader_language)
        if not lang_tokens and not agnostic:
            return SearchResults(facets={name: {} for name in facets or ()})
        full = self._full_query(lang_tokens, agnostic, cleaned, reader_language)
        searcher = self._searcher()
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        result = searcher.search(full, limit, count=True, offset=offset) if limit else None
        wanted = set(lang_tokens) | set(agnostic)
        hits = []
        for score, address in result.hits if result else []:
            stored = searcher.doc(address)
            source = json.loads(bytes(stored.get_first("source")).decode())
            if not highlights:
                hits.append(Hit(id=source["id"], score=float(score), fields=source))
                continue
            text_for_highlight = source.pop("body", "")
            snippet = highlight(
                {**source, "body": text_for_highlight}, wanted, language=source.get("language")
            )
            hits.append(Hit(id=source["id"], score=float(score), highlight=snippet, fields=source))
        total = result.count if result else searcher.search(full, 1, count=True).count
        facet_counts: dict[str, dict[str, int]] = {}
        if facets:
            aggs = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in facets}
            raw = searcher.aggregate(full, aggs)
            for name in facets:
                buckets = raw.get(name, {}).get("buckets", [])
                facet_counts[name] = {b["key"]: int(b["doc_count"]) for b in buckets}
        return SearchResults(hits=hits, total=int(total or 0), facets=facet_counts)

    def knn(
        self, vector: Sequence[float], *, k: int = 10, filters: dict[str, Any] | None = None
    ) -> list[Hit]:
        cleaned = clean_filters(filters)
        self.refresh()
        matrix, ids, meta = self._matrix, self._vector_ids, self._vector_meta
        if not len(ids) or k <= 0:
            return []
        scores = matrix @ self._unit(vector)
        if cleaned:
            mask = np.fromiter((_meta_matches(m, cleaned) for m in meta), bool, len(meta))
            scores = np.where(mask, scores, -np.inf)
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            Hit(id=ids[i], score=float(scores[i]), fields=dict(meta[i]["fields"]))
            for i in top
            if np.isfinite(scores[i])
        ]

    # --- claim vectors ------------------------------------------------------------

    def _write_claims(self, ops: Ops) -> None:
        if not ops:
            return
        with self._write_lock(), self._state_lock:
            self._claims.write(ops)

    def index_claim_vectors(self, items: Iterable[tuple[int, ClaimVector]]) -> int:
        ops: Ops = {int(key): claim_vector_array(vector) for key, vector in items}
        self._write_claims(ops)
        return sum(v is not None for v in ops.values())

    def delete_claim_vectors(self, ids: Iterable[int]) -> None:
        self._write_claims(dict.fromkeys((int(i) for i in ids), None))

    def nearest_claim_vectors(
        self, vector: ClaimVector, *, k: int = 20, exclude_ids: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        query = claim_vector_array(vector)
        if query is None or k < 1:
            return []
        with self._state_lock:
            self._claims.refresh()
            return self._claims.nearest(query, k, exclude_ids)

    def clear_claim_vectors(self) -> None:
        with self._write_lock(), self._state_lock:
            self._claims.clear()

    def rebuild_claim_vectors(
        self,
        items: Iterable[tuple[int, ClaimVector]],
        *,
        batch_size: int = 1000,
        progress: ProgressCallback | None = None,
    ) -> int:
        # The write lock is held throughout: writers wait for the swap and then write on
        # top of it, so nothing they write is lost (as in ``rebuild``).
        with self._write_lock():
            keys: list[int] = []
            vectors: list[np.ndarray] = []
            count = 0
            for key, vector in items:
                array = claim_vector_array(vector)
                if array is not None:
                    keys.append(int(key))
                    vectors.append(array)
                count += 1
                if progress is not None and count % batch_size == 0:
                    progress(count)
            ids, matrix = unique_last(keys, vectors)
            with self._state_lock:
                self._claims.replace(ids, matrix)
            if progress is not None and count % batch_size:
                progress(count)
        return len(ids)

    def claim_vector_count(self) -> int:
        with self._state_lock:
            self._claims.refresh()
            return self._claims.count()


def _meta_matches(meta: dict[str, Any], filters: dict[str, Any]) -> bool:
    for field, values in filters.items():
        if field == "published_from":
            if not meta["published"] or meta["published"] < values.isoformat():
                return False
        elif field == "published_to":
            if not meta["published"] or meta["published"] > values.isoformat():
                return False
        else:
            have = meta.get(field)
            have = set(have) if isinstance(have, list) else {have}
            wanted = {v.upper() for v in values} if field == "countries" else set(values)
            if not have & wanted:
                return False
    return True


SearchBackend = EmbeddedSearchBackend
