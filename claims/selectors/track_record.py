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


# --- The public track record ------------------------------------------------------------
#
# What readers see at /<lang>/track-record/: only published, public fact-checks count and
# are linked; claims an editor dismissed (or merged away) and readers' tips never count;
# nothing private (editors, notes, tip text, sighting URLs) leaves these functions.

#: Claims in these states never count publicly, whatever they are linked to.
PUBLIC_EXCLUDED_STATUSES = ("dismissed", "merged")


def _public_debunks():
    """Live fact-checks readers may see (no view restriction) with a track-record verdict."""
    from ..models import FactCheckPage

    return FactCheckPage.objects.live().public().filter(rating__verdict__in=TRACK_RECORD_VERDICTS)


def _public_claim_debunks() -> dict[int, tuple[int, str]]:
    """Claim id -> (fact-check id, verdict): the one published debunk each claim counts
    under. The claim's own fact-check wins; else its earliest confirmed match."""
    from ..models import Claim, ClaimMatch, MatchState

    public = _public_debunks().values("pk")
    links: dict[int, tuple[int, str]] = {}
    matches = (
        ClaimMatch.objects.filter(state=MatchState.CONFIRMED, factcheck__in=public)
        .exclude(claim__status__in=PUBLIC_EXCLUDED_STATUSES)
        .order_by("-pk")
        .values_list("claim_id", "factcheck_id", "factcheck__rating__verdict")
    )
    for claim_id, factcheck_id, verdict in matches:  # earliest last, so it wins
        links[claim_id] = (factcheck_id, verdict)
    own = (
        Claim.objects.filter(factcheck__in=public)
        .exclude(status__in=PUBLIC_EXCLUDED_STATUSES)
        .values_list("pk", "factcheck_id", "factcheck__rating__verdict")
    )
    for claim_id, factcheck_id, verdict in own:
        links[claim_id] = (factcheck_id, verdict)
    return links


def _public_sightings(*, since):
    """Outlets' appearances since ``since`` of claims with a published debunk (tips excluded)."""
    from django.db.models import Q

    from ..models import Claim, ClaimMatch, ClaimSighting, MatchState, SightingSource

    public = _public_debunks().values("pk")
    confirmed = ClaimMatch.objects.filter(state=MatchState.CONFIRMED, factcheck__in=public)
    claims = (
        Claim.objects.exclude(status__in=PUBLIC_EXCLUDED_STATUSES)
        .filter(Q(factcheck__in=public) | Q(pk__in=confirmed.values("claim_id")))
        .values("pk")
    )
    return (
        ClaimSighting.objects.filter(outlet__isnull=False, seen_at__gte=since, claim__in=claims)
        .exclude(source=SightingSource.TIP)
        .order_by()
    )


def _verdict_labels() -> list[tuple[str, str]]:
    from ..models import Verdict

    return [(v, str(Verdict(v).label)) for v in TRACK_RECORD_VERDICTS]


def _by_verdict(counts: list[int]) -> list[dict]:
    """``counts`` (in ``TRACK_RECORD_VERDICTS`` order) as rows a template can loop over."""
    return [
        {"verdict": verdict, "label": label, "count": count}
        for (verdict, label), count in zip(_verdict_labels(), counts, strict=True)
    ]


def _country_names(codes, language_code: str) -> dict[str, str]:
    from ..models import Country

    countries = Country.objects.filter(code__in=set(codes)).prefetch_related("names__locale")
    return {c.code: c.name_for(language_code) for c in countries}


def public_track_record_summary(*, months: int = 12, now=None, language_code: str = "en") -> dict:
    """The outlets with at least one appearance, in the last ``months`` months, of a claim
    a published fact-check rated false, mostly false or misleading: their appearances per
    verdict (each claim counts under its one debunk), worst first. Outlets with none are
    not listed."""
    from django.db.models import Count
    from django.utils import timezone

    from sources.models import Outlet

    start = _months_back(now or timezone.now(), max(1, int(months)))
    debunks = _public_claim_debunks()
    rows = _public_sightings(since=start).values("outlet_id", "claim_id").annotate(n=Count("id"))
    per_outlet: dict[int, dict] = {}
    for row in rows:
        link = debunks.get(row["claim_id"])
        if link is None:  # changed between the two reads
            continue
        entry = per_outlet.setdefault(
            row["outlet_id"], {"verdicts": dict.fromkeys(TRACK_RECORD_VERDICTS, 0), "claims": 0,
                               "debunks": set()}
        )  # fmt: skip
        entry["verdicts"][link[1]] += row["n"]
        entry["claims"] += 1
        entry["debunks"].add(link[0])
    outlets = Outlet.objects.in_bulk(list(per_outlet))
    names = _country_names((o.country for o in outlets.values()), language_code)
    result = []
    for outlet_id, entry in per_outlet.items():
        outlet = outlets.get(outlet_id)
        if outlet is None:
            continue
        counts = [entry["verdicts"][v] for v in TRACK_RECORD_VERDICTS]
        result.append(
            {
                "outlet": outlet,
                "country": names.get(outlet.country, ""),
                "appearances": sum(counts),
                "claims": entry["claims"],
                "debunks": len(entry["debunks"]),
                "by_verdict": _by_verdict(counts),
            }
        )
    result.sort(key=lambda r: (-r["appearances"], r["outlet"].name.casefold()))
    return {"since": start, "months": months, "verdicts": _verdict_labels(), "outlets": result}


def public_track_record_outlet(
    *, outlet_id: int, locale, months: int = 12, now=None
) -> dict | None:
    """One outlet's public track record, or None when it has nothing to show (unknown, or
    no appearance of a published debunk's claim in the window): appearances per month
    (newest first, zeros included) and verdict, and each published debunk they were
    matched to, linked in ``locale`` when a published translation exists there."""
    from django.db.models import Count, Max, Min
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from sources.models import Outlet

    from ..models import FactCheckPage

    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        return None
    months = max(1, int(months))
    start = _months_back(now or timezone.now(), months)
    rows = list(
        _public_sightings(since=start)
        .filter(outlet=outlet)
        .annotate(month=TruncMonth("seen_at"))
        .values("claim_id", "month")
        .annotate(n=Count("id"), first=Min("seen_at"), last=Max("seen_at"))
    )
    if not rows:
        return None
    debunks = _public_claim_debunks()
    by_month: dict[tuple[int, int], dict[str, int]] = {}
    by_page: dict[int, dict] = {}
    claims = set()
    for row in rows:
        link = debunks.get(row["claim_id"])
        if link is None:
            continue
        factcheck_id, verdict = link
        claims.add(row["claim_id"])
        bucket = by_month.setdefault((row["month"].year, row["month"].month), {})
        bucket[verdict] = bucket.get(verdict, 0) + row["n"]
        entry = by_page.setdefault(
            factcheck_id, {"appearances": 0, "first_seen": row["first"], "last_seen": row["last"]}
        )
        entry["appearances"] += row["n"]
        entry["first_seen"] = min(entry["first_seen"], row["first"])
        entry["last_seen"] = max(entry["last_seen"], row["last"])
    if not by_page:
        return None

    # One entry per fact-check (its translations are one debunk), shown in the reader's
    # language when that version is published.
    originals = FactCheckPage.objects.filter(pk__in=list(by_page)).select_related(
        "rating", "locale"
    )
    localized = {
        p.translation_key: p
        for p in _public_debunks()
        .filter(locale=locale, translation_key__in=[o.translation_key for o in originals])
        .select_related("rating", "locale")
    }
    grouped: dict = {}
    for original in originals:
        entry = by_page[original.pk]
        item = grouped.get(original.translation_key)
        if item is None:
            grouped[original.translation_key] = {
                "page": localized.get(original.translation_key, original),
                "verdict": original.rating.verdict,
                **entry,
            }
        else:
            item["appearances"] += entry["appearances"]
            item["first_seen"] = min(item["first_seen"], entry["first_seen"])
            item["last_seen"] = max(item["last_seen"], entry["last_seen"])
    labels = dict(_verdict_labels())
    debunk_list = sorted(
        grouped.values(), key=lambda d: (-d["last_seen"].timestamp(), d["page"].pk)
    )
    for item in debunk_list:
        item["verdict_label"] = labels.get(item["verdict"], item["verdict"])

    series = []
    year, month = start.year, start.month
    for _ in range(months):
        counts = by_month.get((year, month), {})
        row_counts = [counts.get(v, 0) for v in TRACK_RECORD_VERDICTS]
        series.append(
            {"month": start.replace(year=year, month=month).date(),
             "by_verdict": _by_verdict(row_counts), "total": sum(row_counts)}
        )  # fmt: skip
        month += 1
        if month > 12:
            month, year = 1, year + 1
    series.reverse()
    totals = [
        sum(m["by_verdict"][i]["count"] for m in series) for i in range(len(TRACK_RECORD_VERDICTS))
    ]
    return {
        "outlet": outlet,
        "country": _country_names([outlet.country], locale.language_code).get(outlet.country, ""),
        "since": start,
        "months": series,
        "verdicts": _verdict_labels(),
        "totals": _by_verdict(totals),
        "appearances": sum(totals),
        "claims": len(claims),
        "debunks": debunk_list,
    }
