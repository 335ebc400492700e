"""Text-to-text similarity outside the fact-check index: the claim queue's repeats.

``claims`` keeps one unit vector per open claim (``Claim.vector``, float32 bytes) and asks
which stored claim a new text repeats. The encoding and the cosine scan are search's
rules, so they live here, behind ``search.claim_vector`` and ``search.most_similar``.

Known limit: the scan is a numpy matrix product over the candidates ``claims`` passes
(its most recent ``FACTCHECK_CLAIM_SIMILARITY_WINDOW``), not a backend kNN; moving claims
into a backend index is future work (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)


def vector_bytes(vector: Sequence[float] | np.ndarray) -> bytes:
    """``vector`` scaled to unit length, as float32 bytes; ``b""`` for a zero vector."""
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return (array / norm).astype(np.float32).tobytes() if norm else b""


def most_similar(query: bytes, candidates: Iterable[tuple[K, bytes]]) -> tuple[K, float] | None:
    """The candidate whose unit vector has the highest cosine with ``query``, and that cosine.

    Candidates with no vector or a vector of another size (another model) are skipped;
    ``None`` when none is left. The first of equal scores wins.
    """
    if not query:
        return None
    rows = [(key, bytes(v)) for key, v in candidates if v and len(v) == len(query)]
    if not rows:
        return None
    matrix = np.frombuffer(b"".join(v for _key, v in rows), dtype=np.float32).reshape(len(rows), -1)
    scores = matrix @ np.frombuffer(query, dtype=np.float32)
    best = int(np.argmax(scores))
    return rows[best][0], float(scores[best])
