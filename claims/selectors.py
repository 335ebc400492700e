"""Reads: what the public site and the API list. Views call these, never build querysets."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from wagtail.models import Locale, Page

from .models import Country, FactCheckIndexPage, FactCheckPage, Rating, Topic, Verdict


def _published() -> QuerySet[FactCheckPage]:
    return (
        FactCheckPage.objects.live()
        .public()
        .select_related("rating", "locale")
        .prefetch_related("topics", "countries")
    )


def factcheck_list_latest(*, locale: Locale, limit: int = 10) -> list[FactCheckPage]:
    """The newest published fact-checks in a locale (aliases included, so sr-latn lists sr)."""
    return list(_published().filter(locale=locale).order_by("-first_published_at")[:limit])


def factcheck_list(
    *,
    index: FactCheckIndexPage,
    verdict: str | None = None,
    topic: str | None = None,
    country: str | None = None,
    language: str | None = None,
) -> QuerySet[FactCheckPage]:
    """Fact-checks for an index page, filtered.

    Without a language, the index lists its own children. ``language="all"`` lists every
    original (not alias) fact-check under any translation of the index; a language code
    narrows that to one locale.
    """
    qs = _published()
    if language:
        roots = Page.objects.filter(translation_key=index.translation_key)
        scope = Page.objects.none()
        for root in roots:
            scope = scope | Page.objects.child_of(root)
        qs = qs.filter(pk__in=scope.values("pk"), alias_of__isnull=True)
        if language != "all":
            qs = qs.filter(locale__language_code=language)
    else:
        qs = qs.child_of(index)
    if verdict:
        qs = qs.filter(rating__verdict=verdict)
    if topic:
        qs = qs.filter(topics__key=topic)
    if country:
        qs = qs.filter(countries__code=country.upper())
    return qs.order_by("-first_published_at", "-pk").distinct()


def factcheck_filter_options(*, locale: Locale) -> dict[str, list[tuple[str, str]]]:
    """Choices for the index page's filter form, labelled in the reader's locale."""
    topics = Topic.objects.filter(locale=locale) or Topic.objects.filter(
        locale=Locale.get_default()
    )
    return {
        "rating": [(value, label) for value, label in Verdict.choices],
        "topic": [(t.key, t.name) for t in topics],
        "country": [(c.code, c.name) for c in Country.objects.all()],
        "language": [("all", "*")] + list(settings.LANGUAGES),
    }


def factcheck_published_all() -> QuerySet[FactCheckPage]:
    """Every published original fact-check (aliases are renderings, not fact-checks)."""
    return _published().filter(alias_of__isnull=True).order_by("-first_published_at", "-pk")


def rating_for(*, scale_key: str, rating_key: str, locale: Locale) -> Rating | None:
    return Rating.objects.filter(scale__key=scale_key, key=rating_key, locale=locale).first()


# --- ClaimReview output ---------------------------------------------------------


def factcheck_claimreview_record(page: FactCheckPage, *, base_url: str):
    """The ClaimReview record of a published fact-check (None for aliases and unrated drafts)."""
    from .claimreview import Appearance, ClaimReviewRecord

    if page.alias_of_id or page.rating_id is None:
        return None
    rating = page.display_rating
    appearances = [
        Appearance(url=a.url, date=a.date, headline=None) for a in page.appearances.all()
    ]
    first = page.first_appearance
    published = page.first_published_at or page.last_published_at
    return ClaimReviewRecord(
        url=page.original_url or f"{base_url}{page.url}",
        claim_reviewed=page.claim_reviewed,
        claimant=page.claimant,
        claimant_type=page.claimant_type,
        claim_date=page.claim_date,
        appearances=appearances,
        first_appearance=Appearance(url=first.url, date=first.date, headline=None)
        if first
        else None,
        rating_value=float(rating.rating_value),
        best_rating=float(rating.best_rating),
        worst_rating=float(rating.worst_rating),
        alternate_name=rating.label,
        rating_image=None,
        publisher_name=page.original_publisher or settings.FACTCHECK_NEWSROOM_NAME,
        publisher_url=page.original_publisher_url or (base_url + "/"),
        date_published=published.date() if published else None,
        in_language=settings.FACTCHECK_LANGUAGE_TAGS.get(
            page.locale.language_code, page.locale.language_code
        ),
        headline=page.title,
        review_body=page.summary,
    )


def factcheck_claimreview(page: FactCheckPage, *, base_url: str) -> dict | None:
    from .claimreview import build_claimreview

    record = factcheck_claimreview_record(page, base_url=base_url)
    return build_claimreview(record) if record else None


def factcheck_claimreview_json(page: FactCheckPage, *, request=None) -> str:
    """The JSON-LD for a page's <script> tag, safe to embed in HTML."""
    import json

    base_url = (
        request.build_absolute_uri("/").rstrip("/") if request else settings.FACTCHECK_SITE_URL
    )
    data = factcheck_claimreview(page, base_url=base_url)
    if data is None:
        return ""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # A "</script>" inside a claim must not close the tag.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def factcheck_claimreview_datafeed(*, base_url: str) -> dict:
    """A schema.org DataFeed of every published ClaimReview (the export and the API share it)."""
    from django.utils import timezone

    from .claimreview import build_datafeed

    reviews = [
        review
        for page in factcheck_published_all().prefetch_related("appearances")
        if (review := factcheck_claimreview(page, base_url=base_url)) is not None
    ]
    return build_datafeed(
        reviews,
        name=f"{settings.FACTCHECK_NEWSROOM_NAME} ClaimReview feed",
        url=f"{base_url}/api/v1/claimreview.json",
        date_modified=timezone.now(),
    )


# --- The claim queue --------------------------------------------------------------


def claim_match_decisions(*, since: str | None = None):
    """Confirmed and rejected suggestions, oldest first, as JSON-able dicts."""
    from .models import ClaimMatch, MatchState

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

    from .models import Claim, ClaimMatch, ClaimSighting

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


def claim_history(*, claim):
    """The claim's audit log, newest first."""
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.for_instance(claim).select_related("user").order_by("-timestamp")


def claim_queue_counts() -> dict[str, int]:
    from django.db.models import Count

    from .models import Claim, ClaimStatus

    counts = dict(Claim.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {value: counts.get(value, 0) for value in ClaimStatus.values}


def claim_list_new_today(*, now=None, limit: int = 5):
    from django.utils import timezone

    from .models import Claim

    now = now or timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    qs = Claim.objects.filter(created__gte=start).exclude(status="merged")
    return qs.count(), list(qs.order_by("-priority")[:limit])


def claim_list_spreading(*, now=None, days: int = 7, limit: int = 5):
    """Open claims with the most new sightings in the last ``days`` days."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from .models import Claim

    since = (now or timezone.now()) - timedelta(days=days)
    return list(
        Claim.objects.filter(last_seen__gte=since)
        .exclude(status__in=["merged", "dismissed"])
        .annotate(recent=Count("sightings", filter=Q(sightings__seen_at__gte=since)))
        .filter(recent__gt=0)
        .order_by("-recent", "-priority")[:limit]
    )


def claim_list_for_assignee(*, user, limit: int = 10):
    from .models import Claim, ClaimStatus

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

    from .models import ClaimMatch, MatchState

    since = (now or timezone.now()) - timedelta(days=days)
    return list(
        ClaimMatch.objects.filter(state=MatchState.CONFIRMED, decided_at__gte=since)
        .values("factcheck_id", "factcheck__title")
        .annotate(n=Count("id"))
        .order_by("-n", "factcheck__title")[:limit]
    )


def claim_queue(*, status: str | None = None, language: str | None = None):
    """The claim queue as the API lists it: merged claims hidden, highest priority first."""
    from .models import Claim, ClaimStatus

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


# --- Outlet track record ------------------------------------------------------------

#: Verdicts that count against an outlet: its appearances of claims we rated so.
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

    from .models import ClaimMatch, ClaimSighting, MatchState

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

    from .models import ClaimSighting

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
