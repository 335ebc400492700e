"""The contract every search engine implements, and the parts they share.

A backend is constructed with its ``params`` (a dict from settings) and serves one
logical index of published fact-checks. Application code never asks which engine
is running; it calls ``search.*`` which calls these hooks.

Shared here so both engines behave the same:

* query analysis (:func:`query_tokens`): :mod:`search.normalize` at query time, in
  the query's language and in the language-agnostic form;
* highlighting (:func:`highlight`): ``<mark>`` around words of the *original* text
  whose normalised form is a query token, so a Cyrillic document highlights for a
  Latin query;
* filter validation (:func:`clean_filters`);
* reciprocal-rank fusion for :meth:`BaseSearchBackend.hybrid`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from search.fusion import RRF_K, rrf_fuse
from search.normalize import HBS_LANGUAGES, language_family, tokens
from search.types import FACET_FIELDS, VECTOR_DIMS, Hit, SearchDocument, SearchResults

#: Characters of a query that are analysed; the rest is ignored (bounded work per request).
MAX_QUERY_CHARS = 1000
#: Distinct query tokens used; a pasted article becomes its first 64 content words.
MAX_QUERY_TOKENS = 64
ProgressCallback = Callable[[int], None]
#: A claim's vector: float32 bytes (``Claim.vector``) or floats.
ClaimVector = bytes | Sequence[float]


class SearchBackendError(Exception):
    """The engine failed (unreachable, rejected a request); the message says why."""


class BaseSearchBackend:
    """Documents every hook. Engines subclass this; see ``embedded.py``/``elasticsearch.py``."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = dict(params or {})

    # --- writes -------------------------------------------------------------------

    def index_documents(self, docs: Iterable[SearchDocument]) -> int:
        """Add or replace documents (by ``id``); return how many were written.

        Text fields are analysed with :func:`search.normalize.tokens` in the
        document's language and in the language-agnostic form; ``vector`` (if set)
        goes to the vector index. Visible to searchers after :meth:`refresh` (the
        embedded engine commits before returning; Elasticsearch refreshes on its
        interval).
        """
        raise NotImplementedError

    def delete_documents(self, ids: Iterable[str]) -> None:
        """Remove documents (text and vector) by id; unknown ids are ignored."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove every document, keeping the index usable (empty)."""
        raise NotImplementedError

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        *,
        batch_size: int = 1000,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically; return the count.

        Searchers keep using the old index until the swap, and a crash mid-build
        leaves the old index serving (the half-built one is discarded later).
        ``progress`` is called with the running count after each batch.

        Writes made through :meth:`index_documents` / :meth:`delete_documents` by any
        process while the rebuild runs are not lost, and a write wins over the
        rebuild's (older) copy of the same document: the embedded engine makes writers
        wait for its lock until the swap; Elasticsearch dual-writes into the new index
        (``elasticsearch.py``). For that, pass ``docs`` as a lazy iterable that reads
        the source of truth as it goes (it is consumed only after the new index exists).
        """
        raise NotImplementedError

    def refresh(self) -> None:
        """Make this instance see every write committed so far, by any process."""
        raise NotImplementedError

    # --- reads --------------------------------------------------------------------

    def count(self) -> int:
        """Number of documents in the index."""
        raise NotImplementedError

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
        """Lexical (BM25) search.

        ``query`` is free text, never a query language: quotes, ``*``, ``:``,
        ``AND`` and brackets are just characters, and nothing the user types raises.
        ``language`` is the language the query is written in (picks the analysis;
        ``None`` = unknown, the language-agnostic form is always queried too).
        ``reader_language`` is the reader's interface language: documents in the same
        language family are boosted, none are excluded. ``filters`` maps a field of
        :data:`search.types.FACET_FIELDS` to a value or list of values (OR within a
        field, AND across fields), plus ``published_from``/``published_to`` dates;
        a ``language`` value of ``hbs`` means all of sr/hr/bs/cnr. ``facets`` names
        fields to count over *all* matching documents. Each hit carries a
        ``highlight`` snippet of the original text with ``<mark>`` around matches;
        ``highlights=False`` leaves it empty and keeps ``body`` (up to 20,000
        characters) in ``fields``, for a caller that highlights only the hits it shows
        (:func:`highlight`). An empty or all-stop-word query returns no hits.
        """
        raise NotImplementedError

    def knn(
        self, vector: Sequence[float], *, k: int = 10, filters: dict[str, Any] | None = None
    ) -> list[Hit]:
        """The ``k`` documents whose vectors are nearest by cosine, best first.

        ``Hit.score`` is the cosine similarity (-1..1); documents without a vector
        never appear. ``filters`` as in :meth:`search`.
        """
        raise NotImplementedError

    def lexical_matches(
        self,
        query: str,
        ids: Iterable[str],
        *,
        language: str | None = None,
        reader_language: str | None = None,
        filters: dict[str, Any] | None = None,
    ) -> set[str]:
        """Which of ``ids`` the lexical :meth:`search` for ``query`` (with ``filters``)
        matches, at any rank: lets the public search count a document that both channels
        found once. Arguments as in :meth:`search`."""
        raise NotImplementedError

    def hybrid(
        self,
        query: str,
        vector: Sequence[float] | None,
        *,
        k: int = 10,
        filters: dict[str, Any] | None = None,
        language: str | None = None,
    ) -> list[Hit]:
        """Lexical and vector candidates fused by reciprocal rank (shared by all engines).

        Done in Python rather than in the engine because Elasticsearch's RRF needs an
        Enterprise licence, and so both engines rank identically. ``Hit.score`` is the
        fused RRF score; ``Hit.fields["lexical_rank"]``/``["vector_rank"]`` and
        ``["cosine"]`` keep the evidence for calibrated matching.
        """
        depth = max(k * 3, 30)
        lexical = self.search(query, language=language, filters=filters, limit=depth).hits
        semantic = self.knn(vector, k=depth, filters=filters) if vector is not None else []
        return reciprocal_rank_fusion(lexical, semantic, k=k)

    # --- claim vectors --------------------------------------------------------------
    #
    # The claim queue's own vector index (``claims``' ``Claim.vector``: a claim embedded as
    # a *passage*), kept apart from the fact-checks: claims are never searched, counted,
    # matched or shown by the hooks above, and the fact-check ``rebuild``/``clear`` leave
    # them alone. Keys are the claims' integer primary keys.

    def index_claim_vectors(self, items: Iterable[tuple[int, ClaimVector]]) -> int:
        """Add or replace claim vectors by key; return how many were written.

        A vector is float32 bytes (``Claim.vector``) or a sequence of floats, of
        ``VECTOR_DIMS`` dimensions (``ValueError`` otherwise); it is stored at unit length.
        An empty vector removes the key (the claim has no embedding any more). Visible to
        :meth:`nearest_claim_vectors` in this process at once; in others after
        :meth:`refresh` (embedded) or the refresh interval (Elasticsearch).
        """
        raise NotImplementedError

    def delete_claim_vectors(self, ids: Iterable[int]) -> None:
        """Remove claim vectors by key; unknown keys are ignored."""
        raise NotImplementedError

    def nearest_claim_vectors(
        self, vector: ClaimVector, *, k: int = 20, exclude_ids: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """The ``k`` stored claims nearest ``vector`` by cosine, best first, as
        ``(key, cosine)``; keys in ``exclude_ids`` never appear. Exact (the cosines the
        calibrated decision was fitted on); ``[]`` for an empty vector or ``k < 1``."""
        raise NotImplementedError

    def clear_claim_vectors(self) -> None:
        """Remove every claim vector (the fact-checks are untouched)."""
        raise NotImplementedError

    def rebuild_claim_vectors(
        self,
        items: Iterable[tuple[int, ClaimVector]],
        *,
        batch_size: int = 1000,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Replace every claim vector with ``items`` and swap them in atomically; return
        how many were written. Like :meth:`rebuild`: readers keep the old set until the
        swap, a crash leaves it serving, and writes made meanwhile by other processes are
        not lost (pass ``items`` as a lazy iterable over the source of truth)."""
        raise NotImplementedError

    def claim_vector_count(self) -> int:
        """Number of claim vectors stored."""
        raise NotImplementedError


# --- shared helpers -----------------------------------------------------------------


def reciprocal_rank_fusion(lexical: list[Hit], semantic: list[Hit], *, k: int) -> list[Hit]:
    """The best ``k`` of two ranked lists fused by :func:`search.fusion.rrf_fuse`.

    Scores, order and tie-break are ``rrf_fuse``'s (``RRF_K``); each hit keeps its
    evidence: ``lexical_rank``/``vector_rank`` (best rank in that list) and ``cosine``.
    """
    fused: dict[str, Hit] = {}
    for name, hits in (("lexical", lexical), ("vector", semantic)):
        for rank, hit in enumerate(hits, start=1):
            current = fused.get(hit.id)
            if current is None:
                current = fused[hit.id] = Hit(
                    id=hit.id, score=0.0, highlight=hit.highlight, fields=dict(hit.fields)
                )
            if f"{name}_rank" in current.fields:
                continue  # a repeated id counts once, at its best rank (as in rrf_fuse)
            current.fields[f"{name}_rank"] = rank
            if name == "vector":
                current.fields["cosine"] = hit.score
            elif not current.highlight:
                current.highlight = hit.highlight
    ranked = []
    for doc_id, score in rrf_fuse([[h.id for h in lexical], [h.id for h in semantic]], k=RRF_K)[:k]:
        hit = fused[doc_id]
        hit.score = score
        ranked.append(hit)
    return ranked


def claim_vector_array(vector: ClaimVector) -> np.ndarray | None:
    """``vector`` as a unit-length float32 array of ``VECTOR_DIMS``; ``None`` when empty.

    Raises ``ValueError`` for another number of dimensions (another model's vectors are
    never compared with ours)."""
    if isinstance(vector, bytes | bytearray | memoryview):
        raw = bytes(vector)
        if not raw:
            return None
        if len(raw) % 4:
            raise ValueError(f"claim vector bytes must be float32, got {len(raw)} bytes")
        array = np.frombuffer(raw, dtype=np.float32)
    else:
        array = np.asarray(vector, dtype=np.float32).reshape(-1)
        if not array.size:
            return None
    if array.shape[0] != VECTOR_DIMS:
        raise ValueError(f"vectors must have {VECTOR_DIMS} dimensions, got {array.shape[0]}")
    norm = float(np.linalg.norm(array))
    if not norm or not np.isfinite(norm):
        return None
    return (array / norm).astype(np.float32)


def query_tokens(query: str, language: str | None) -> tuple[list[str], list[str]]:
    """Analyse a query: (tokens in ``language``, language-agnostic tokens), deduplicated."""
    text = (query or "")[:MAX_QUERY_CHARS]
    agnostic = _dedupe(tokens(text, None))
    # With no language, the per-language fields are searched as hbs (most documents are),
    # while the agnostic field catches everything else.
    lang = _dedupe(tokens(text, language or "sr"))
    return lang, agnostic


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))[:MAX_QUERY_TOKENS]


def same_family(doc_language: str | None, reader_language: str | None) -> bool:
    if not doc_language or not reader_language:
        return False
    return language_family(doc_language) == language_family(reader_language)


def check_facets(facets: Sequence[str] | None) -> None:
    """``ValueError`` for a facet name outside :data:`search.types.FACET_FIELDS`."""
    for name in facets or ():
        if name not in FACET_FIELDS:
            raise ValueError(f"unknown facet {name!r}; use one of: {', '.join(FACET_FIELDS)}")


def clean_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Validate filters: ``{field: [values]}`` for facet fields, dates for the range.

    Raises ``ValueError`` naming the bad key, so the API can answer 400, not 500.
    """
    cleaned: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if value is None or value == [] or value == "":
            continue
        if key in ("published_from", "published_to"):
            if isinstance(value, str):
                value = date.fromisoformat(value)
            if not isinstance(value, date):
                raise ValueError(f"filter {key!r} needs a date, got {value!r}")
            cleaned[key] = value
            continue
        field = "rating_verdict" if key in ("verdict", "rating") else key
        if field not in FACET_FIELDS:
            allowed = ", ".join((*FACET_FIELDS, "published_from", "published_to"))
            raise ValueError(f"unknown search filter {key!r}; use one of: {allowed}")
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        if field == "language":
            values = _expand_languages(values)
        cleaned[field] = values
    return cleaned


def _expand_languages(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        code = value.strip().lower()
        if code == "hbs":
            out.extend(sorted(HBS_LANGUAGES - {"sh", "hbs"}))
        elif code == "sr":
            out.extend(["sr", "sr-latn", "sr-cyrl"])
        else:
            out.append(code)
    return list(dict.fromkeys(out))


def doc_language(language: str) -> str:
    """The stored form of a document language code (lowercase, ``-`` separated)."""
    return (language or "").strip().lower().replace("_", "-")


# --- highlighting -------------------------------------------------------------------

_SPLIT = re.compile(r"(\w[\w\u0300-\u036f'’-]*)")
SNIPPET_WORDS = 30
HIGHLIGHT_SCAN_CHARS = 20_000


@lru_cache(maxsize=100_000)
def _word_tokens(word: str, language: str | None) -> frozenset[str]:
    found = set(tokens(word, None))
    if language:
        found.update(tokens(word, language))
    return frozenset(found)


def highlight(doc: dict[str, Any], wanted: set[str], *, language: str | None = None) -> str:
    """A short HTML-escaped fragment of the original text with ``<mark>`` on matches.

    Looks at claim, title, summary and body in that order and returns the first one
    with a match, windowed around its first matched word; if nothing matches, the
    start of the claim (or title).
    """
    fields = ("claim_reviewed", "title", "summary", "body")
    for name in fields:
        text = (doc.get(name) or "")[:HIGHLIGHT_SCAN_CHARS]
        if not text or not wanted:
            continue
        parts = _SPLIT.split(text)
        # parts alternates separator, word, separator, word, ...
        matched = [i for i in range(1, len(parts), 2) if _word_tokens(parts[i], language) & wanted]
        if not matched:
            continue
        word_positions = list(range(1, len(parts), 2))
        first = word_positions.index(matched[0])
        start_word = max(0, first - SNIPPET_WORDS // 3)
        end_word = min(len(word_positions), start_word + SNIPPET_WORDS)
        # From the start of the text when the window starts there (keeps leading
        # punctuation); otherwise from the first word of the window.
        lo = 0 if start_word == 0 else word_positions[start_word]
        hi = word_positions[end_word - 1] + (1 if end_word == len(word_positions) else 0)
        hits = set(matched)
        out = ["…" if start_word > 0 else ""]
        for i in range(lo, hi + 1):
            piece = html.escape(parts[i])
            out.append(f"<mark>{piece}</mark>" if i in hits else piece)
        if end_word < len(word_positions):
            out.append("…")
        return "".join(out).strip()
    fallback = doc.get("claim_reviewed") or doc.get("title") or ""
    words = fallback.split()
    return html.escape(
        " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    )
