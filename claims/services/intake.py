"""Intake: a claim seen by ingest, a reader or an editor joins the claim it repeats, or opens one.

``claim_intake_item`` (ingest's hand-off), ``claim_open_or_attach`` (tips, manual entry)
and the steps they are made of: ``claim_find_join`` (in ``joins``),
``claim_create``, ``claim_add_sighting``, ``claim_suggest_matches``; and the way back,
``claim_split_sighting``: an editor splits a sighting that joined the wrong claim off
into a claim of its own.

Which claim a text joins (docs/claim-queue.md, "Intake"; docs/matching.md,
"Claim-to-claim"): the same folded text (any script) joins at once (``hash``);
otherwise the nearest stored claims by embedding go through ``search.claim_join``, the
calibrated decision of ``search.match()`` (threshold and margin over the best candidate
that is not the same claim), and a match joins (``vector``). The nearest claims come from
the search backend's claim vector index (every claim in the queue, not a recent window),
which ``claim_create`` and ``claim_split_sighting`` add to at once and merges and deletes
take from after their commit (``claims.indexing``). The sighting records how it
joined, the score, its language and its claim text, so the claim page can say "joined
automatically (score 0.91)" and an editor can split it off again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.urls import safe_http_url

from ..indexing import claim_vectors_update
from ..models import (
    Claim,
    ClaimMatch,
    ClaimSighting,
    FactCheckPage,
    JoinMethod,
    MatchState,
    Platform,
    SightingSource,
    Tip,
)
from .appearances import MAX_URL_CHARS
from .errors import ClaimActionError
from .joins import Signature, claim_find_join, claim_signature
from .rows import follow_merged, log_claim
from .stats import claim_refresh_stats
from .transitions import claim_transition

logger = logging.getLogger(__name__)

MAX_CLAIM_CHARS = 5000
MAX_SIGHTING_TEXT = 20_000
MIN_CLAIM_CHARS = 15


@dataclass
class SightingData:
    """Where and when a claim was seen; ``source`` is a ``SightingSource`` value."""

    source: str
    url: str = ""
    platform: str = "web"
    captured_item_id: int | None = None
    tip_id: int | None = None
    outlet_id: int | None = None
    channel_id: int | None = None
    author: str = ""
    title: str = ""
    text: str = ""
    published_at: datetime | None = None
    seen_at: datetime | None = None
    engagement: dict[str, Any] = field(default_factory=dict)
    #: The claim text this appearance carries and its language (set by intake).
    claim_text: str = ""
    language: str = ""
    #: How it joined its claim (``JoinMethod``) and the calibrated score, if any.
    joined_by: str = ""
    join_score: float | None = None


def _sighting_from(claim: Claim, data: SightingData) -> ClaimSighting:
    engagement = {k: v for k, v in (data.engagement or {}).items() if isinstance(v, int | float)}
    return ClaimSighting(
        claim=claim,
        source=data.source,
        url=safe_http_url(data.url, max_length=MAX_URL_CHARS),  # only http(s) is linked
        platform=data.platform if data.platform in Platform.values else Platform.OTHER,
        captured_item_id=data.captured_item_id,
        tip_id=data.tip_id,
        outlet_id=data.outlet_id,
        channel_id=data.channel_id,
        author=(data.author or "")[:300],
        title=(data.title or "")[:1000],
        text=(data.text or "")[:MAX_SIGHTING_TEXT],
        published_at=data.published_at,
        seen_at=data.seen_at or timezone.now(),
        engagement=data.engagement or {},
        engagement_total=int(sum(max(0, v) for v in engagement.values())),
        claim_text=(data.claim_text or "")[:MAX_CLAIM_CHARS],
        language=(data.language or "")[:16],
        joined_by=data.joined_by if data.joined_by in JoinMethod.values else "",
        join_score=data.join_score,
    )


def claim_create(
    *,
    text: str,
    language: str = "",
    sighting: SightingData | None = None,
    claimant: str = "",
    user: Any = None,
    suggest: bool = True,
    signature: Signature | None = None,
) -> Claim:
    """Open a new queue entry, record where it was seen and ask ``search.match()`` for debunks."""
    text = (text or "").strip()
    if not text:
        raise ClaimActionError(_("A claim needs its text."))
    text = text[:MAX_CLAIM_CHARS]
    sig = signature or claim_signature(text=text, language=language)
    with transaction.atomic():
        claim = Claim.objects.create(
            text=text,
            normalized_text=sig.normalized,
            text_hash=sig.digest,
            vector=sig.vector,
            language=(language or "")[:16],
            claimant=(claimant or "")[:255],
        )
        if sighting is not None:
            sighting.claim_text = sighting.claim_text or text
            sighting.language = sighting.language or claim.language
            _sighting_from(claim, sighting).save()
        claim_refresh_stats(claim=claim)
        log_claim(claim, "claims.create", user=user, source=sighting.source if sighting else "")
    # At once, not after the commit: the next item (even in the same transaction) may
    # repeat this claim. A rollback leaves an entry the database does not have, which
    # ``claim_find_join`` skips.
    claim_vectors_update(claim_ids=[claim.pk])
    if suggest:
        claim_suggest_matches(claim=claim)
    return claim


def claim_suggest_matches(*, claim: Claim, limit: int = 3) -> list[ClaimMatch]:
    """Ask ``search.match()`` for earlier fact-checks answering this claim.

    Suggestions already decided (confirmed/rejected) are left alone, so an editor's
    decision is never overwritten by a later run. A matcher failure is logged and the
    claim stays in the queue without suggestions (so does a claim merged meanwhile).
    """
    import search

    try:
        language = claim.language or None
        # The same hoax in several languages is one result, shown in the claim's language
        # when there is a version in it (the editor reads the debunk next to the claim).
        results = search.match(
            claim.text[:20_000], limit=limit, language=language, reader_language=language
        )
    except Exception:  # noqa: BLE001 - matching is best effort; the claim is already safe
        logger.exception("search.match failed for claim %s", claim.pk)
        return []
    ids = {int(r.id) for r in results if str(r.id).isdigit()}
    known = set(FactCheckPage.objects.filter(pk__in=ids).values_list("pk", flat=True))
    created: list[ClaimMatch] = []
    try:
        with claim_transition(claim_id=claim.pk, action="suggest") as change:
            for result in results:
                if not str(result.id).isdigit() or int(result.id) not in known:
                    continue
                match, was_created = ClaimMatch.objects.get_or_create(
                    claim=change.claim,
                    factcheck_id=int(result.id),
                    defaults={
                        "score": float(result.score),
                        "method": (result.method or "")[:40],
                        "is_match": bool(result.is_match),
                        "matched_sentence": result.matched_sentence or "",
                    },
                )
                if not was_created and match.state == MatchState.SUGGESTED:
                    match.score, match.is_match = float(result.score), bool(result.is_match)
                    match.matched_sentence = result.matched_sentence or match.matched_sentence
                    match.save(update_fields=["score", "is_match", "matched_sentence"])
                if was_created:
                    created.append(match)
            if not created:
                change.cancel()
            change.stats()
            change.log(
                factchecks=[m.factcheck_id for m in created],
                scores=[round(m.score, 3) for m in created],
            )
    except ClaimActionError:
        logger.info("claim %s changed before its suggestions were stored", claim.pk)
        return []
    return created


def claim_add_sighting(
    *, claim: Claim, sighting: SightingData, user: Any = None, expected_version: int | None = None
) -> Claim:
    """Record another appearance of a claim (a merged claim passes it on to its target).

    Idempotent for captured items: the same item twice is one sighting; so is the same
    tip's URL twice.
    """
    with claim_transition(
        claim_id=claim.pk, action="add_sighting", user=user,
        expected_version=expected_version, follow_merged=True,
    ) as change:  # fmt: skip
        locked = change.claim
        if (
            sighting.captured_item_id
            and locked.sightings.filter(captured_item_id=sighting.captured_item_id).exists()
        ) or (
            sighting.url
            and sighting.tip_id
            and sighting.source != SightingSource.CAPTURED
            and locked.sightings.filter(url=sighting.url[:1000], tip_id=sighting.tip_id).exists()
        ):
            change.cancel()
        else:
            _sighting_from(locked, sighting).save()
            change.stats()
            change.log(source=sighting.source, url=sighting.url)
    return change.claim


def claim_open_or_attach(
    *,
    text: str,
    language: str = "",
    sighting: SightingData,
    claimant: str = "",
    user: Any = None,
) -> tuple[Claim, bool]:
    """Add the sighting to the claim this text repeats, or open a new one. (claim, created)

    The sighting records its claim text and language, and how it joined (``joined_by``,
    ``join_score``)."""
    sighting.claim_text = sighting.claim_text or text.strip()[:MAX_CLAIM_CHARS]
    sighting.language = sighting.language or language
    signature = claim_signature(text=text.strip()[:MAX_CLAIM_CHARS], language=language)
    join = claim_find_join(text=text, language=language, signature=signature)
    if join is not None:
        sighting.joined_by, sighting.join_score = join.method, join.score
        return claim_add_sighting(claim=join.claim, sighting=sighting, user=user), False
    claim = claim_create(
        text=text, language=language, sighting=sighting, claimant=claimant, user=user,
        signature=signature,
    )  # fmt: skip
    return claim, True


_CAPTURE_PLATFORMS = {"telegram": "telegram", "mastodon": "mastodon", "bluesky": "bluesky"}


def claim_candidate_text(*, title: str, text: str, platform: str) -> str:
    """The claim an item carries: a post's text, or an article's headline (else its lead)."""
    if platform in _CAPTURE_PLATFORMS or not title.strip():
        body = " ".join(text.split())
        return body[:1000]
    return " ".join(title.split())[:1000]


def claim_intake_item(*, item: Any) -> Claim | None:
    """Intake for ingest's ``hand_off``: attach a captured item to its claim or open one.

    Same item again -> nothing new; a near-duplicate of an item already on a claim ->
    that claim; the same claim in other words, script or language -> ``claim_find_join``;
    otherwise a new claim with ``search.match()`` suggestions. Items too short to
    carry a claim are skipped (None).
    """
    text = claim_candidate_text(title=item.title, text=item.text, platform=item.platform)
    if len(text) < MIN_CLAIM_CHARS:
        return None
    known = ClaimSighting.objects.filter(captured_item=item).select_related("claim").first()
    if known is not None:
        return follow_merged(known.claim)
    sighting = SightingData(
        source=SightingSource.CAPTURED,
        url=item.canonical_url,
        platform=_CAPTURE_PLATFORMS.get(item.platform, Platform.WEB),
        captured_item_id=item.pk,
        outlet_id=item.outlet_id,
        channel_id=item.channel_id,
        author=item.author,
        title=item.title,
        text=item.text,
        published_at=item.published_at,
        seen_at=item.captured_at,
        engagement=dict(item.engagement or {}),
        claim_text=text,
        language=item.language or "",
    )
    if item.near_duplicate_of_id:
        original = (
            ClaimSighting.objects.filter(captured_item_id=item.near_duplicate_of_id)
            .select_related("claim")
            .first()
        )
        if original is not None:
            sighting.joined_by = JoinMethod.NEAR_DUPLICATE
            return claim_add_sighting(claim=follow_merged(original.claim), sighting=sighting)
    claim, _created = claim_open_or_attach(
        text=text, language=item.language, sighting=sighting, claimant=item.author
    )
    return claim


def _sighting_claim_text(sighting: ClaimSighting) -> str:
    """The claim a sighting carried: what intake compared, else its headline or text."""
    return (
        sighting.claim_text
        or claim_candidate_text(
            title=sighting.title, text=sighting.text, platform=sighting.platform
        )
    ).strip()[:MAX_CLAIM_CHARS]


def claim_split_sighting(
    *,
    claim: Claim,
    sighting: ClaimSighting,
    user: Any = None,
    expected_version: int | None = None,
    suggest: bool = True,
) -> Claim:
    """Split a sighting that joined the wrong claim off into a new claim of its own.

    The new claim gets the sighting's claim text, its language (else the claim's) and its
    own embedding, remembers where it came from (``split_from``: the two are never
    counted as one claim by ``search.claim_join`` again, so the next sighting of either
    text goes to the nearer of the two), and takes the sighting's tip with it. The
    original claim is changed through ``claim_transition`` (lock, ``expected_version``,
    one audit entry ``claims.split``); the new one logs ``claims.split_off``. A claim's
    only sighting cannot be split off. Returns the new claim.
    """
    text = _sighting_claim_text(sighting)
    if not text:
        raise ClaimActionError(_("This appearance has no text to make a claim of."))
    language = (sighting.language or claim.language or "")[:16]
    signature = claim_signature(text=text, language=language)  # before the lock: it is slow
    with claim_transition(
        claim_id=claim.pk, action="split", user=user, expected_version=expected_version
    ) as change:
        source = change.claim
        moved = source.sightings.filter(pk=sighting.pk).first()
        if moved is None:
            raise ClaimActionError(_("This appearance is no longer on this claim."))
        if source.sightings.count() < 2:
            raise ClaimActionError(_("A claim's only appearance cannot be split off."))
        new = Claim.objects.create(
            text=text,
            normalized_text=signature.normalized,
            text_hash=signature.digest,
            vector=signature.vector,
            language=language,
            country=source.country,
            split_from=source,
        )
        moved.claim, moved.joined_by, moved.join_score = new, JoinMethod.SPLIT, None
        moved.save(update_fields=["claim", "joined_by", "join_score"])
        if moved.tip_id and not source.sightings.filter(tip_id=moved.tip_id).exists():
            Tip.objects.filter(pk=moved.tip_id, claim=source).update(claim=new)
        claim_refresh_stats(claim=new)
        log_claim(new, "claims.split_off", user=user, split_from=source.pk, sighting=moved.pk)
        change.stats()
        change.log(sighting=moved.pk, into=new.pk)
    claim_vectors_update(claim_ids=[new.pk])
    if suggest:
        claim_suggest_matches(claim=new)
    return new
