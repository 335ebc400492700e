"""The claim's denormalised counters and its priority, recomputed from sightings and matches."""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from ..models import Claim, MatchState
from .rows import save_claim

#: The fields ``claim_stats_update`` sets.
STATS_FIELDS = (
    "sighting_count", "outlet_count", "platform_count", "engagement_total",
    "first_seen", "last_seen", "best_match_score", "has_suggested_match",
    "country", "priority_components", "priority",
)  # fmt: skip


def claim_priority_components(*, claim: Claim, now: datetime | None = None) -> dict[str, float]:
    """What the queue's priority is made of; the list shows these next to the total."""
    now = now or timezone.now()
    hours = max(0.0, (now - claim.last_seen).total_seconds() / 3600) if claim.last_seen else 1e6
    confidence = claim.best_match_score if claim.has_suggested_match else 0.0
    return {
        "appearances": round(10 * math.log1p(claim.sighting_count), 1),
        "spread": float(6 * max(claim.outlet_count - 1, 0) + 4 * max(claim.platform_count - 1, 0)),
        "engagement": round(4 * math.log10(1 + max(claim.engagement_total, 0)), 1),
        "recency": round(25 * math.exp(-hours / 48), 1),
        "match": round(15 * confidence, 1),
    }


def claim_stats_update(claim: Claim) -> tuple[str, ...]:
    """Set the counters and the priority on ``claim`` (not saved); returns the fields set."""
    agg = claim.sightings.aggregate(
        n=Count("id"),
        outlets=Count("outlet", distinct=True),
        platforms=Count("platform", distinct=True),
        engagement=Sum("engagement_total"),
        first=Min("seen_at"),
        first_published=Min("published_at"),
        last=Max("seen_at"),
    )
    suggested = claim.matches.filter(state=MatchState.SUGGESTED)
    claim.sighting_count = agg["n"] or 0
    claim.outlet_count = agg["outlets"] or 0
    claim.platform_count = agg["platforms"] or 0
    claim.engagement_total = agg["engagement"] or 0
    firsts = [d for d in (agg["first"], agg["first_published"], claim.first_seen) if d]
    claim.first_seen = min(firsts) if firsts else timezone.now()
    claim.last_seen = (
        max(d for d in (agg["last"], claim.last_seen) if d) if agg["last"] else claim.last_seen
    )
    claim.best_match_score = suggested.aggregate(best=Max("score"))["best"] or 0.0
    claim.has_suggested_match = suggested.filter(is_match=True).exists()
    countries = list(
        claim.sightings.exclude(outlet__isnull=True)
        .values("outlet__country")
        .annotate(n=Count("id"))
        .order_by("-n")[:1]
    )
    if countries and countries[0]["outlet__country"] != "other":
        claim.country = countries[0]["outlet__country"]
    components = claim_priority_components(claim=claim)
    claim.priority_components = components
    claim.priority = (
        claim.priority_override
        if claim.priority_override is not None
        else round(sum(components.values()), 1)
    )
    return STATS_FIELDS


def claim_refresh_stats(*, claim: Claim, save: bool = True) -> Claim:
    """Recompute the denormalised counters and the priority from sightings and matches.

    Queue actions refresh them inside their transition (one save, one version bump); call
    this directly only outside one (a periodic re-score, a repair).
    """
    fields = claim_stats_update(claim)
    if save:
        save_claim(claim, *fields)
    return claim
