"""Reads for an outlet's track record: how often it carried claims we rated false.

See docs/claim-queue.md ("Outlet track record") for what counts and why.
"""

from __future__ import annotations

TRACK_RECORD_VERDICTS = ("false", "mostly-false", "misleading")


def _months_back(now, months: int):
    """The first instant of the month ``months - 1`` months before ``now``'s month."""
    from django.utils import timezone

    local = timezone.localtime(now)
    year, month = local.year, local.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def _debunked_sightings(*, since):
    """Sightings since ``since`` of claims whose linked or confirmed fact-check is live and
    rated false, mostly false or misleading (``Rating.verdict``)."""
    from django.db.models import Exists, OuterRef, Q

    from ..models import ClaimMatch, ClaimSighting, MatchState

    confirmed = ClaimMatch.objects.filter(
        claim=OuterRef("claim"),
        state=MatchState.CONFIRMED,
        factcheck__live=True,
        factcheck__rating__verdict__in=TRACK_RECORD_VERDICTS,
    )
    return ClaimSighting.objects.filter(outlet__isnull=False, seen_at__gte=since).filter(
        Q(claim__factcheck__live=True, claim__factcheck__rating__verdict__in=TRACK_RECORD_VERDICTS)
        | Q(Exists(confirmed))
    )


def outlet_track_record(*, outlet, months: int = 12, now=None) -> dict:
    """How often ``outlet`` carried claims later rated false or misleading, per month.

    Counts the outlet's appearances (``ClaimSighting.outlet``) in the last ``months``
    calendar months (this one included) of claims whose fact-check (the claim's link, or
    a confirmed match) is published with a verdict in ``TRACK_RECORD_VERDICTS``. Months
    without any are listed with zero, oldest first. At most three queries.
    """
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from ..models import ClaimSighting

    months = max(1, int(months))
    start = _months_back(now or timezone.now(), months)
    rows = (
        _debunked_sightings(since=start)
        .filter(outlet=outlet)
        .annotate(month=TruncMonth("seen_at"))
        .values("month")
        .annotate(appearances=Count("id"), claims=Count("claim", distinct=True))
        .order_by("month")
    )
    by_month = {(r["month"].year, r["month"].month): (r["appearances"], r["claims"]) for r in rows}
    series = []
    year, month = start.year, start.month
    for _ in range(months):
        appearances, claims = by_month.get((year, month), (0, 0))
        series.append(
            {"month": start.replace(year=year, month=month).date(), "appearances": appearances,
             "claims": claims}
        )  # fmt: skip
        month += 1
        if month > 12:
            month, year = 1, year + 1
    total = sum(m["appearances"] for m in series)
    claims = (
        _debunked_sightings(since=start).filter(outlet=outlet).values("claim").distinct().count()
        if total
        else 0
    )
    return {
        "outlet": outlet,
        "since": start,
        "months": series,
        "appearances": total,
        "claims": claims,
        "all_appearances": ClaimSighting.objects.filter(outlet=outlet, seen_at__gte=start).count(),
        "peak": max((m["appearances"] for m in series), default=0),
    }


def outlet_track_record_summary(*, months: int = 12, now=None) -> list[dict]:
    """Every outlet with its count of false/misleading appearances in the last ``months``
    months, worst first (one query)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from sources.models import Outlet

    start = _months_back(now or timezone.now(), max(1, int(months)))
    counts = (
        _debunked_sightings(since=start)
        .filter(outlet=OuterRef("pk"))
        .order_by()
        .values("outlet")
        .annotate(n=Count("id"), c=Count("claim", distinct=True))
    )
    outlets = Outlet.objects.annotate(
        false_appearances=Coalesce(
            Subquery(counts.values("n")[:1], output_field=IntegerField()), Value(0)
        ),
        false_claims=Coalesce(
            Subquery(counts.values("c")[:1], output_field=IntegerField()), Value(0)
        ),
    ).order_by("-false_appearances", "name")
    return [
        {
            "outlet": o,
            "appearances": o.false_appearances,
            "claims": o.false_claims,
        }
        for o in outlets
    ]
