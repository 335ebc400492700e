"""Public reference pages, per locale: the rating-scale explainer, topic pages, author pages,
and the outlets' track record.

Mounted under each language prefix (``/<lang>/ratings/``, ``/<lang>/topics/<key>/``,
``/<lang>/authors/<id>/``, ``/<lang>/track-record/`` and ``/<lang>/track-record/<id>/``)
by ``claims.urls.public_urlpatterns``. The explainer is
generated from the rating scales in the admin, so a newsroom that edits its scale edits
this page; each fact-check's verdict badge links to its rating here
(``#rating-<scale>-<rating>``). Author fields that not every deployment has yet (photo)
are read defensively.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from wagtail.models import Locale

from . import selectors
from .models import Author, FactCheckPage, Rating, RatingScale, Topic

PER_PAGE = 30


def _locale() -> Locale:
    code = translation.get_language()
    return Locale.objects.filter(language_code=code).first() or Locale.get_default()


def _published(locale: Locale):
    """Published fact-checks a reader of ``locale`` sees (aliases included), newest first."""
    return (
        FactCheckPage.objects.live()
        .public()
        .filter(locale=locale)
        .select_related("rating", "locale")
        .order_by("-first_published_at", "-pk")
    )


def rating_scales_for(locale: Locale) -> list[RatingScale]:
    """The locale's scales (the default locale's when it has none), ratings in order."""
    ratings = Prefetch("ratings", queryset=Rating.objects.order_by("sort_order", "pk"))
    for candidate in (locale, Locale.get_default()):
        scales = list(
            RatingScale.objects.filter(locale=candidate)
            .exclude(key="imported")
            .prefetch_related(ratings)
            .order_by("pk")
        )
        if scales:
            return scales
    return []


def rating_scale_explainer(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "pages/rating_scales.html", {"scales": rating_scales_for(_locale())}
    )


def topic_page(request: HttpRequest, key: str) -> HttpResponse:
    locale = _locale()
    topic = (
        Topic.objects.filter(key=key, locale=locale).first()
        or Topic.objects.filter(key=key, locale=Locale.get_default()).first()
    )
    if topic is None:
        raise Http404("No such topic")
    factchecks = list(_published(locale).filter(topics__key=key).distinct()[:PER_PAGE])
    return TemplateResponse(request, "pages/topic.html", {"topic": topic, "factchecks": factchecks})


def author_page(request: HttpRequest, pk: int) -> HttpResponse:
    author = Author.objects.filter(pk=pk).first()
    if author is None:
        raise Http404("No such author")
    locale = _locale()
    written = list(_published(locale).filter(authors=author).distinct()[:PER_PAGE])
    reviewed = list(_published(locale).filter(reviewer=author)[:PER_PAGE])
    photo = getattr(author, "photo", None)
    return TemplateResponse(
        request,
        "pages/author.html",
        {
            "author": author,
            "photo": photo,
            "bio": getattr(author, "bio", ""),
            "factchecks": written,
            "reviewed": [p for p in reviewed if p not in written],
        },
    )


#: The public track record covers this many calendar months, this one included. Fixed, so
#: the pages take no query string and every reader of a URL gets the one cached copy.
TRACK_RECORD_MONTHS = 12


def track_record_index(request: HttpRequest) -> HttpResponse:
    """Outlets whose items carried claims a published fact-check rated false, mostly false
    or misleading, with their counts per verdict (``claims.selectors.track_record``)."""
    record = selectors.public_track_record_summary(
        months=TRACK_RECORD_MONTHS, language_code=_locale().language_code
    )
    return TemplateResponse(request, "pages/track_record_index.html", {"record": record})


def track_record_outlet(request: HttpRequest, pk: int) -> HttpResponse:
    """One outlet: its counts per month and verdict, and a link to each published debunk."""
    record = selectors.public_track_record_outlet(
        outlet_id=pk, locale=_locale(), months=TRACK_RECORD_MONTHS
    )
    if record is None:
        raise Http404("No public track record for this outlet")
    return TemplateResponse(request, "pages/track_record.html", {"record": record})
