"""Which claim a text joins: the same claim in any script or language is one claim.

``claim_signature`` folds and embeds a text; ``claim_find_join`` finds the claim it
repeats: the same folded text (any script) joins at once (``hash``); otherwise the
nearest stored claims by embedding, from the search backend's claim vector index (every
claim in the queue, not a recent window), go through ``search.claim_join``, the
calibrated decision of ``search.match()`` (threshold and margin over the best candidate
that is not the same claim), and a match joins (``vector``). docs/matching.md,
"Claim-to-claim", has the rule and the figures; ``claims.services.intake`` uses it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, NamedTuple

from ..models import Claim, ClaimStatus, JoinMethod
from .rows import follow_merged

logger = logging.getLogger(__name__)

#: Nearest claims the decision looks at (``search.claim_join``'s ``JOIN_CANDIDATES``).
JOIN_CANDIDATES = 20
#: Rounds of asking the index again, for twice as many, when some of its nearest claims
#: are not in the queue as it stands (merged or deleted and not yet removed, or written by
#: a transaction that rolled back): up to 20 * (2**6 - 1) such entries are looked past.
NEAREST_ROUNDS = 6
_warned_unfilled = False


class Signature(NamedTuple):
    """What ``claim_find_join`` compares: the folded text and its hash (exact repeats in
    any script), the text as a stored claim (``vector``, a passage: ``Claim.vector``) and
    as a new text looking for its claim (``query``)."""

    normalized: str
    digest: str
    vector: bytes
    query: bytes


class Join(NamedTuple):
    """The claim a text joins, how (``JoinMethod``) and the decision's score (vector)."""

    claim: Claim
    method: str
    score: float | None = None


def claim_signature(*, text: str, language: str) -> Signature:
    """Folded text, its hash (exact repeats in any script) and the embeddings (paraphrases
    and translations): the passage that is stored and the query that is compared."""
    import search

    normalized = " ".join(search.fold(text, language or None).split())
    digest = hashlib.sha256(normalized.encode()).hexdigest() if normalized else ""
    try:
        vector = search.claim_vector(text)
        query = search.claim_vector(text, kind="query")
    except Exception:  # noqa: BLE001 - a missing model must not lose the claim
        logger.exception("embedding a claim failed; it will only match by exact text")
        vector = query = b""
    return Signature(normalized, digest, vector, query)


def _candidates(pks: list[int]) -> list[Any]:
    """The claims ``pks`` as ``search.ClaimCandidate``s, in that order, each knowing the
    claims an editor split from it or it from them. Claims that are merged, gone or
    without a vector are left out: the database, not the index, says what is in the queue."""
    import search

    rows = {
        row["pk"]: row
        for row in Claim.objects.filter(pk__in=pks)
        .exclude(status=ClaimStatus.MERGED)
        .exclude(vector=b"")
        .values("pk", "vector", "text", "split_from")
    }
    distinct: dict[int, set[int]] = {pk: set() for pk in rows}
    splits = Claim.objects.filter(split_from__in=pks).values_list("pk", "split_from")
    for child, parent in splits:
        if parent in distinct:
            distinct[parent].add(child)
    for pk, row in rows.items():
        if row["split_from"]:
            distinct[pk].add(row["split_from"])
    return [
        search.ClaimCandidate(
            key=pk,
            vector=bytes(rows[pk]["vector"]),
            text=rows[pk]["text"],
            distinct=frozenset(distinct[pk]),
        )
        for pk in pks
        if pk in rows
    ]


def _nearest_candidates(query: bytes) -> list[Any]:
    """The ``JOIN_CANDIDATES`` claims nearest ``query`` in the claim vector index that are
    in the queue now, nearest first (``search.nearest_claims`` over every indexed claim;
    entries the database no longer has as live claims are excluded and the index asked
    again, a few rounds at most)."""
    import search

    stale: set[int] = set()
    candidates: list[Any] = []
    k = JOIN_CANDIDATES
    for _round in range(NEAREST_ROUNDS):
        found = search.nearest_claims(query, k=k, exclude=stale)
        nearest = [pk for pk, _cosine in found]
        candidates = _candidates(nearest)
        if len(candidates) >= JOIN_CANDIDATES or len(nearest) < k:
            break  # the nearest live claims, or every claim the index has
        stale |= set(nearest) - {c.key for c in candidates}
        k *= 2
    if not candidates and not stale:
        _warn_if_unfilled()
    return candidates[:JOIN_CANDIDATES]


def _warn_if_unfilled() -> None:
    """Say once per process when the claim index is empty but the queue is not: claims
    stored before the index existed enter it with ``manage.py rebuild_search_index``."""
    global _warned_unfilled
    if _warned_unfilled:
        return
    import search

    if search.count_claims() == 0 and (
        Claim.objects.exclude(status=ClaimStatus.MERGED).exclude(vector=b"").exists()
    ):
        _warned_unfilled = True
        logger.warning(
            "the claim vector index is empty but the queue has claims: new texts are "
            "joined to them by exact text only; run manage.py rebuild_search_index"
        )


def claim_find_join(
    *, text: str, language: str = "", signature: Signature | None = None
) -> Join | None:
    """The claim this text repeats, if any, and how it was decided.

    1. **Same folded text** (``hash``): the first claim with the text's hash.
    2. **Same claim** (``vector``): the 20 nearest claims that are not merged, from the
       search backend's claim vector index (``search.nearest_claims``, an exact kNN over
       every claim in the queue), decided by ``search.claim_join``: the
       calibrated threshold and margin of ``search.match()`` on the query-passage cosine
       with place/number/month conflicts; the runner-up is the best candidate that is not
       the same claim as the top one (near-duplicates of one claim, unless an editor split
       them apart). docs/matching.md, "Claim-to-claim", has the figures.
    """
    import search

    sig = signature or claim_signature(text=text, language=language)
    if sig.digest:
        same = Claim.objects.filter(text_hash=sig.digest).order_by("pk").first()
        if same is not None:
            return Join(follow_merged(same), JoinMethod.HASH)
    if not sig.query:
        return None
    try:
        candidates = _nearest_candidates(sig.query)
    except Exception:  # noqa: BLE001 - an unreachable index must not lose the claim
        logger.exception("the claim vector index failed; the text joins by exact text only")
        return None
    if not candidates:
        return None
    decision = search.claim_join(sig.query, text, candidates)
    if decision is None or not decision.is_match:
        return None
    return Join(Claim.objects.get(pk=decision.key), JoinMethod.VECTOR, round(decision.score, 4))
