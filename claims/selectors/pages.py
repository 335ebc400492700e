"""Reads for the public site and the API: published fact-checks, filters, ClaimReview output.

Views, page models, feeds and management commands call these, never build querysets.
"Published" means live and public; aliases (translations rendered from an original)
are listed on their locale's pages but are not fact-checks of their own, so the
ClaimReview output and ``factcheck_published_all`` leave them out.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from wagtail.models import Locale, Page

from ..models import Country, FactCheckIndexPage, FactCheckPage, Rating, Topic, Verdict


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
        qs = qs.child_of(index)  # type: ignore[attr-defined]  # wagtail's PageQuerySet
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
        "rating": [(value, str(label)) for value, label in Verdict.choices],
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
    from ..claimreview import Appearance, ClaimReviewRecord

    if page.alias_of_id or page.rating_id is None:
        return None
    rating = page.display_rating
    if rating is None:
        return None
    appearances = [
        Appearance(url=a.url, date=a.date, headline=None) for a in page.appearances.all()
    ]
    first = page.first_appearance
    published = page.first_published_at or page.last_published_at
    author_name, author_url = claimreview_author(page, base_url=base_url)
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
        publisher_name=page.original_publisher or author_name,
        publisher_url=page.original_publisher_url or author_url,
        date_published=published.date() if published else None,
        in_language=settings.FACTCHECK_LANGUAGE_TAGS.get(
            page.locale.language_code, page.locale.language_code
        ),
        headline=page.title,
        review_body=page.summary,
    )


def claimreview_author(page: FactCheckPage, *, base_url: str) -> tuple[str, str]:
    """Our ClaimReview ``author``: the site's newsroom settings, else the deployment's name."""
    from ..models import newsroom_settings_for

    site = page.get_site()
    newsroom = newsroom_settings_for(site=site) if site is not None else None
    if newsroom is None:
        return settings.FACTCHECK_NEWSROOM_NAME, base_url + "/"
    return newsroom.claimreview_author(site_url=base_url + "/")


def factcheck_claimreview(page: FactCheckPage, *, base_url: str) -> dict | None:
    from ..claimreview import build_claimreview

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

    from ..claimreview import build_datafeed

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
