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


# --- The queue's filters: autocomplete choosers and the page count ---------------------

#: The filters that choose one row by id, searched as the editor types.
QUEUE_CHOOSER_KINDS = ("outlet", "channel", "assignee")
#: At most this many matches per request.
QUEUE_CHOOSER_LIMIT = 20
#: Longer search text is refused (the endpoint answers 400).
QUEUE_CHOOSER_MAX_QUERY = 100
#: Above this many rows (by the planner's statistics) an unfiltered page is not counted.
QUEUE_COUNT_ESTIMATE_ABOVE = 10_000
#: The largest id a filter accepts (PostgreSQL ``integer``/``bigint`` columns alike).
_MAX_ID = 2**63 - 1


def queue_chooser_queryset(kind: str):
    """Everything the ``kind`` filter may choose (the filter validates ids against it)."""
    from django.contrib.auth import get_user_model

    from sources.models import Channel, Outlet

    if kind == "outlet":
        return Outlet.objects.order_by("name", "pk")
    if kind == "channel":
        return Channel.objects.select_related("outlet").order_by("outlet__name", "kind", "pk")
    if kind == "assignee":
        return (
            get_user_model()
            .objects.filter(is_active=True, is_staff=True)
            .order_by("username", "pk")
        )
    raise LookupError(kind)


def queue_chooser_label(kind: str, obj) -> str:
    """How a chosen row reads in the filter, its pill and the autocomplete list."""
    if kind == "channel":
        return f"{obj.outlet.name} · {obj}" if obj.outlet_id else str(obj)
    if kind == "assignee":
        full = obj.get_full_name().strip()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()
    return str(obj)


def queue_chooser_search(*, kind: str, query: str, limit: int = QUEUE_CHOOSER_LIMIT):
    """At most ``limit`` rows of ``kind`` whose name contains ``query`` (case-insensitive;
    ``%`` and ``_`` are literal), or whose id it is, as ``{"id", "label"}`` dicts; the
    first ``limit`` by name for an empty query. One query."""
    from django.db.models import Q

    qs = queue_chooser_queryset(kind)
    query = " ".join(query.replace("\x00", " ").split())[:QUEUE_CHOOSER_MAX_QUERY]
    if query:
        if kind == "outlet":
            match = Q(name__icontains=query)
        elif kind == "channel":
            match = Q(url_or_handle__icontains=query) | Q(outlet__name__icontains=query)
        else:
            match = (
                Q(username__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
            )
        if query.isdecimal() and int(query) <= _MAX_ID:
            match |= Q(pk=int(query))
        qs = qs.filter(match)
    limit = max(1, min(limit, QUEUE_CHOOSER_LIMIT))
    return [{"id": obj.pk, "label": queue_chooser_label(kind, obj)} for obj in qs[:limit]]


def claim_count_estimate(queryset) -> tuple[int, bool]:
    """How many rows an unfiltered claim list has: ``(count, estimated)``.

    On PostgreSQL, when the planner's statistics (``pg_class.reltuples``, kept by
    autovacuum/``ANALYZE``) say the table holds more than ``QUEUE_COUNT_ESTIMATE_ABOVE``
    rows and ``queryset`` has no ``WHERE`` clause, that figure (no scan of the table);
    otherwise the exact ``COUNT(*)``. A table never analysed reads -1 and is counted."""
    from django.db import connections

    connection = connections[queryset.db]
    if connection.vendor == "postgresql" and not queryset.query.where:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        if row and row[0] is not None and row[0] > QUEUE_COUNT_ESTIMATE_ABOVE:
            return int(row[0]), True
    return queryset.count(), False
