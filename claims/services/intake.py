"""Intake: a claim seen by ingest, a reader or an editor joins the claim it repeats, or opens one.

``claim_intake_item`` (ingest's hand-off), ``claim_open_or_attach`` (tips, manual entry)
and the steps they are made of: ``claim_find_similar``, ``claim_create``,
``claim_add_sighting``, ``claim_suggest_matches``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.urls import safe_http_url

from ..models import (
    Claim,
    ClaimMatch,
    ClaimSighting,
    ClaimStatus,
    FactCheckPage,
    MatchState,
    Platform,
    SightingSource,
)
from .appearances import MAX_URL_CHARS
from .errors import ClaimActionError
from .rows import follow_merged, log_claim
from .stats import claim_refresh_stats
from .transitions import claim_transition

logger = logging.getLogger(__name__)

MAX_CLAIM_CHARS = 5000
MAX_SIGHTING_TEXT = 20_000
MIN_CLAIM_CHARS = 15

#: (folded text, its hash, an embedding): what ``claim_find_similar`` compares.
Signature = tuple[str, str, bytes]


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


def claim_signature(*, text: str, language: str) -> Signature:
    """Folded text, its hash (exact repeats in any script) and an embedding (paraphrases)."""
    import search

    normalized = " ".join(search.fold(text, language or None).split())
    digest = hashlib.sha256(normalized.encode()).hexdigest() if normalized else ""
    try:
        blob = search.claim_vector(text)
    except Exception:  # noqa: BLE001 - a missing model must not lose the claim
        logger.exception("embedding a claim failed; it will only match by exact text")
        blob = b""
    return normalized, digest, blob


def claim_find_similar(
    *, text: str, language: str = "", signature: Signature | None = None
) -> Claim | None:
    """The open claim this text repeats, if any: same folded text, else a close embedding.

    The cosine threshold is ``FACTCHECK_CLAIM_SIMILARITY_THRESHOLD`` (default 0.93: e5
    puts paraphrases at 0.88-0.98 and unrelated same-topic sentences up to 0.89, so only
    near-verbatim repeats are merged automatically; editors merge the rest). Candidates
    are the most recent ``FACTCHECK_CLAIM_SIMILARITY_WINDOW`` claims (default 5000),
    compared by ``search.most_similar``.
    """
    import search

    _normalized, digest, blob = signature or claim_signature(text=text, language=language)
    if digest:
        same = Claim.objects.filter(text_hash=digest).order_by("pk").first()
        if same is not None:
            return follow_merged(same)
    if not blob:
        return None
    threshold = float(settings.FACTCHECK_CLAIM_SIMILARITY_THRESHOLD)
    window = int(settings.FACTCHECK_CLAIM_SIMILARITY_WINDOW)
    rows = list(
        Claim.objects.exclude(status=ClaimStatus.MERGED)
        .exclude(vector=b"")
        .order_by("-last_seen")
        .values_list("pk", "vector")[:window]
    )
    best = search.most_similar(blob, rows)
    if best is not None and best[1] >= threshold:
        return Claim.objects.get(pk=best[0])
    return None


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
    normalized, digest, blob = signature or claim_signature(text=text, language=language)
    with transaction.atomic():
        claim = Claim.objects.create(
            text=text,
            normalized_text=normalized,
            text_hash=digest,
            vector=blob,
            language=(language or "")[:16],
            claimant=(claimant or "")[:255],
        )
        if sighting is not None:
            _sighting_from(claim, sighting).save()
        claim_refresh_stats(claim=claim)
        log_claim(claim, "claims.create", user=user, source=sighting.source if sighting else "")
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
        results = search.match(claim.text[:20_000], limit=limit, language=claim.language or None)
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
    """Add the sighting to the claim this text repeats, or open a new one. (claim, created)"""
    signature = claim_signature(text=text.strip()[:MAX_CLAIM_CHARS], language=language)
    existing = claim_find_similar(text=text, language=language, signature=signature)
    if existing is not None:
        return claim_add_sighting(claim=existing, sighting=sighting, user=user), False
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
    that claim; the same claim in other words or script -> ``claim_find_similar``;
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
    )
    if item.near_duplicate_of_id:
        original = (
            ClaimSighting.objects.filter(captured_item_id=item.near_duplicate_of_id)
            .select_related("claim")
            .first()
        )
        if original is not None:
            return claim_add_sighting(claim=follow_merged(original.claim), sighting=sighting)
    claim, _created = claim_open_or_attach(
        text=text, language=item.language, sighting=sighting, claimant=item.author
    )
    return claim
