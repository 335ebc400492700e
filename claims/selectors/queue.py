"""Reads for the claim queue: the queue itself, a claim's detail and history, the dashboard.

Every function imports its models lazily (as the module did before it became a
package), so importing ``claims.selectors`` stays cheap for commands that only need
the public-site reads.
"""

from __future__ import annotations


def claim_match_decisions(*, since: str | None = None):
    """Confirmed and rejected suggestions, oldest first, as JSON-able dicts."""
    from ..models import ClaimMatch, MatchState

    qs = (
        ClaimMatch.objects.exclude(state=MatchState.SUGGESTED)
        .select_related("claim", "factcheck", "factcheck__locale", "decided_by")
        .order_by("decided_at", "pk")
    )
    if since:
        qs = qs.filter(decided_at__date__gte=since)
    for match in qs.iterator(chunk_size=500):
        yield {
            "claim_id": match.claim_id,
            "claim_text": match.claim.text,
            "claim_language": match.claim.language,
            "factcheck_id": match.factcheck_id,
            "factcheck_claim_reviewed": match.factcheck.claim_reviewed,
            "factcheck_language": match.factcheck.locale.language_code,
            "score": match.score,
            "method": match.method,
            "is_match": match.is_match,
            "matched_sentence": match.matched_sentence,
            "decision": match.state,
            "label": match.state == MatchState.CONFIRMED,
            "decided_by": match.decided_by.get_username() if match.decided_by else None,
            "decided_at": match.decided_at.isoformat() if match.decided_at else None,
        }


def claim_detail(*, pk: int):
    """A claim with everything its admin page shows, in a bounded number of queries."""
    from django.db.models import Prefetch

    from ..models import Claim, ClaimMatch, ClaimSighting

    return (
        Claim.objects.select_related("assignee", "factcheck", "merged_into")
        .prefetch_related(
            Prefetch(
                "sightings",
                queryset=ClaimSighting.objects.select_related("outlet", "channel", "tip"),
            ),
            Prefetch(
                "matches",
                queryset=ClaimMatch.objects.select_related(
                    "factcheck", "factcheck__rating", "factcheck__locale", "decided_by"
                ),
            ),
            "notes__author",
            "topics",
            "tips",
        )
        .filter(pk=pk)
        .first()
    )


def claim_list_suggestions_prefetch():
    """A ``Prefetch`` for the queue list: each claim's stored suggestions, best first.

    Rejected suggestions are left out; the rest come in one query per page (the fact-check
    and its rating joined), however many rows the page has. ``claim_best_suggestion``
    reads the first.
    """
    from django.db.models import Prefetch

    from ..models import ClaimMatch, MatchState

    return Prefetch(
        "matches",
        queryset=ClaimMatch.objects.exclude(state=MatchState.REJECTED)
        .select_related("factcheck", "factcheck__rating")
        .order_by("claim_id", "-is_match", "-score", "pk"),
        to_attr="listed_suggestions",
    )


def claim_best_suggestion(claim):
    """The claim's best stored suggestion (a confirmed one first, then ``is_match``, then
    the highest score), or None. Uses ``claim_list_suggestions_prefetch`` when applied."""
    from ..models import MatchState

    rows = getattr(claim, "listed_suggestions", None)
    if rows is None:
        rows = list(
            claim.matches.exclude(state=MatchState.REJECTED)
            .select_related("factcheck", "factcheck__rating")
            .order_by("-is_match", "-score", "pk")
        )
    if not rows:
        return None
    return sorted(rows, key=lambda m: m.state != MatchState.CONFIRMED)[0]


def claim_history(*, claim):
    """The claim's audit log, newest first."""
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.for_instance(claim).select_related("user").order_by("-timestamp")


def claim_queue_counts() -> dict[str, int]:
    from django.db.models import Count

    from ..models import Claim, ClaimStatus

    counts = dict(Claim.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {value: counts.get(value, 0) for value in ClaimStatus.values}


def claim_list_new_today(*, now=None, limit: int = 5):
    from django.utils import timezone

    from ..models import Claim

    now = now or timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    qs = Claim.objects.filter(created__gte=start).exclude(status="merged")
    return qs.count(), list(qs.order_by("-priority")[:limit])


def claim_list_spreading(*, now=None, days: int = 7, limit: int = 5):
    """Open claims with the most new sightings in the last ``days`` days."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from ..models import Claim

    since = (now or timezone.now()) - timedelta(days=days)
    return list(
        Claim.objects.filter(last_seen__gte=since)
        .exclude(status__in=["merged", "dismissed"])
        .annotate(recent=Count("sightings", filter=Q(sightings__seen_at__gte=since)))
        .filter(recent__gt=0)
        .order_by("-recent", "-priority")[:limit]
    )


def claim_list_for_assignee(*, user, limit: int = 10):
    from ..models import Claim, ClaimStatus

    open_statuses = [
        ClaimStatus.NEW,
        ClaimStatus.TRIAGED,
        ClaimStatus.IN_PROGRESS,
        ClaimStatus.IN_REVIEW,
    ]
    return list(
        Claim.objects.filter(assignee=user, status__in=open_statuses).order_by("-priority")[:limit]
    )


def factcheck_list_matched_again(*, now=None, days: int = 7, limit: int = 5) -> list[dict]:
    """Debunks that answered claims again this week: the newsroom's impact."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from ..models import ClaimMatch, MatchState

    since = (now or timezone.now()) - timedelta(days=days)
    return list(
        ClaimMatch.objects.filter(state=MatchState.CONFIRMED, decided_at__gte=since)
        .values("factcheck_id", "factcheck__title")
        .annotate(n=Count("id"))
        .order_by("-n", "factcheck__title")[:limit]
    )


def claim_queue(*, status: str | None = None, language: str | None = None):
    """The claim queue as the API lists it: merged claims hidden, highest priority first."""
    from ..models import Claim, ClaimStatus

    qs = (
        Claim.objects.exclude(status=ClaimStatus.MERGED)
        .select_related("assignee", "factcheck")
        .prefetch_related("matches")
        .order_by("-priority", "-last_seen", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    if language:
        qs = qs.filter(language=language)
    return qs
