"""Public, read-only API for published fact-checks and the ClaimReview feed."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny

from factcheck.middleware import LATIN_SCRIPT_LANGUAGES
from factcheck.throttling import ClientRateThrottle, ScopedClientThrottle
from factcheck.transliteration import transliterate_text

from .api_auth import CanViewClaims, ThrottledBasicAuthentication
from .feed_cache import claimreview_feed_json
from .models import newsroom_settings_for
from .selectors import claim_queue, factcheck_published_all


class RatingSerializer(serializers.Serializer):
    label = serializers.CharField()
    verdict = serializers.CharField()
    scale = serializers.CharField(source="scale.key")
    rating_value = serializers.DecimalField(max_digits=5, decimal_places=2)
    best_rating = serializers.DecimalField(max_digits=5, decimal_places=2)
    worst_rating = serializers.DecimalField(max_digits=5, decimal_places=2)
    alternate_name = serializers.CharField()


class FactCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    language = serializers.CharField(source="locale.language_code")
    claim_reviewed = serializers.CharField()
    claimant = serializers.CharField()
    claim_date = serializers.DateField()
    rating = RatingSerializer(source="display_rating", allow_null=True)
    summary = serializers.CharField()
    topics = serializers.SerializerMethodField()
    countries = serializers.SerializerMethodField()
    first_published_at = serializers.DateTimeField()
    original_url = serializers.CharField()
    publisher = serializers.SerializerMethodField()

    def get_topics(self, obj) -> list[str]:
        return [t.key for t in obj.topics.all()]

    def get_countries(self, obj) -> list[str]:
        return [c.code for c in obj.countries.all()]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
        }
    )
    def get_publisher(self, obj) -> dict[str, str]:
        """Who published the fact-check: the partner newsroom for an imported one (credit
        goes with the text), else this newsroom (its ClaimReview ``author``)."""
        if obj.original_publisher:
            return {"name": obj.original_publisher, "url": obj.original_publisher_url or ""}
        request = self.context.get("request")
        newsroom = newsroom_settings_for(request=request) if request is not None else None
        site_url = request.build_absolute_uri("/") if request is not None else ""
        if newsroom is None:
            return {"name": settings.FACTCHECK_NEWSROOM_NAME, "url": site_url}
        name, url = newsroom.claimreview_author(site_url=site_url)
        return {"name": name, "url": url}

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        return obj.get_full_url(request) if request is None else request.build_absolute_uri(obj.url)

    #: Reader-facing text, written in Latin script when the reader asks for ``sr-latn``.
    SCRIPT_FIELDS = ("title", "claim_reviewed", "claimant", "summary")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        language = self.context.get("transliterate")
        if language:
            for name in self.SCRIPT_FIELDS:
                if data.get(name):
                    data[name] = transliterate_text(data[name], language)
            rating = data.get("rating") or {}
            for name in ("label", "alternate_name"):
                if rating.get(name):
                    rating[name] = transliterate_text(rating[name], language)
        return data


class FactCheckPagination(LimitOffsetPagination):
    """``?limit=`` is capped: a caller cannot ask for every fact-check in one response."""

    max_limit = 100


@extend_schema(
    parameters=[
        OpenApiParameter(
            "lang",
            OpenApiTypes.STR,
            description="Locale code, e.g. sr, sr-latn, hr. sr-latn lists Serbian in both "
            "scripts and answers in Latin script.",
        ),
        OpenApiParameter("rating", OpenApiTypes.STR, description="Normalised verdict, e.g. false"),
        OpenApiParameter("topic", OpenApiTypes.STR, description="Topic key"),
        OpenApiParameter("country", OpenApiTypes.STR, description="ISO country code"),
    ]
)
class FactCheckViewSet(viewsets.ReadOnlyModelViewSet):
    """Published fact-checks, newest first."""

    serializer_class = FactCheckSerializer
    permission_classes = [AllowAny]
    pagination_class = FactCheckPagination
    throttle_classes = [ScopedClientThrottle]
    throttle_scope = "factchecks"

    def get_serializer_context(self):
        """``?lang=sr-latn`` answers in Latin script, as the sr-latn site does."""
        context = super().get_serializer_context()
        lang = (self.request.query_params.get("lang") or "").lower() if self.request else ""
        context["transliterate"] = LATIN_SCRIPT_LANGUAGES.get(lang)
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular: model only, no query
            from .models import FactCheckPage

            return FactCheckPage.objects.none()
        qs = factcheck_published_all()
        params = self.request.query_params
        lang = params.get("lang")
        if lang and lang.lower() in LATIN_SCRIPT_LANGUAGES:
            # The Latin-script reader gets the language in both scripts, as on the site.
            base = LATIN_SCRIPT_LANGUAGES[lang.lower()]
            qs = qs.filter(locale__language_code__in=[base, lang.lower()])
        elif lang:
            qs = qs.filter(locale__language_code=lang)
        if params.get("rating"):
            qs = qs.filter(rating__verdict=params["rating"])
        if params.get("topic"):
            qs = qs.filter(topics__key=params["topic"])
        if params.get("country"):
            qs = qs.filter(countries__code=params["country"].upper())
        return qs.distinct()


class ClaimReviewFeedThrottle(ClientRateThrottle):
    scope = "claimreview"


@extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="ClaimReview DataFeed")
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([ClaimReviewFeedThrottle])
def claimreview_feed(request):
    """A schema.org DataFeed of every published ClaimReview (cached until the next publish)."""
    return HttpResponse(
        claimreview_feed_json(base_url=request.build_absolute_uri("/").rstrip("/")),
        content_type="application/ld+json; charset=utf-8",
    )


class ClaimMatchSerializer(serializers.Serializer):
    factcheck_id = serializers.IntegerField(source="factcheck.pk")
    factcheck_title = serializers.CharField(source="factcheck.title")
    score = serializers.FloatField()
    is_match = serializers.BooleanField()
    method = serializers.CharField()
    state = serializers.CharField()


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    language = serializers.CharField()
    country = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.FloatField()
    sighting_count = serializers.IntegerField()
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    assignee = serializers.CharField(source="assignee.get_username", allow_null=True, default=None)
    factcheck_id = serializers.IntegerField(allow_null=True)
    matches = ClaimMatchSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, description="Queue status, e.g. new"),
        OpenApiParameter("lang", OpenApiTypes.STR, description="Language code"),
    ]
)
class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    """The editors' claim queue, highest priority first. Needs ``claims.view_claim``."""

    serializer_class = ClaimSerializer
    # The permission, not ``is_staff``: fact-checkers and editors (claims/api_auth.py).
    permission_classes = [CanViewClaims]
    # Basic first: an anonymous caller gets 401 with a WWW-Authenticate challenge, never data.
    # Failed Basic attempts are limited per client address and per username.
    authentication_classes = [ThrottledBasicAuthentication, SessionAuthentication]

    def get_queryset(self):
        params = self.request.query_params
        return claim_queue(status=params.get("status") or None, language=params.get("lang") or None)
