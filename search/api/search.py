"""GET /api/v1/search/: search over published fact-checks, in any script and, through the
vector channel (:mod:`search.public`), across languages.

Answers from the search index's stored fields (this app never imports ``claims``).
"""

from __future__ import annotations

import re

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck.throttling import ScopedClientThrottle
from search.normalize import to_latin
from search.public import public_search
from search.types import ORIGINS, VERDICTS
from search.views import result_url

MAX_QUERY_LENGTH = 500
MAX_LIMIT = 50
MAX_OFFSET = 1000
#: Response facet name -> index field; the names are the query parameters that filter them.
FACETS = {
    "rating": "rating_verdict",
    "lang": "language",
    "country": "countries",
    "topic": "topics",
    "origin": "origin",
}

_LANG = re.compile(r"^[a-z]{2,3}(-[a-z]{2,4})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TOPIC = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        trim_whitespace=True,
        help_text="Free text in any language and script; operators are plain characters.",
    )
    lang = serializers.CharField(
        required=False,
        help_text="Only these languages, comma-separated locale codes (sr covers both "
        "Serbian scripts; hbs = sr, hr, bs, cnr). Results are also analysed in this "
        "language when it is one code.",
    )
    rating = serializers.CharField(
        required=False,
        help_text=f"Only these normalised verdicts, comma-separated: {', '.join(VERDICTS)}.",
    )
    country = serializers.CharField(
        required=False, help_text="Only these ISO 3166-1 alpha-2 codes, comma-separated."
    )
    topic = serializers.CharField(
        required=False, help_text="Only these topic keys, comma-separated."
    )
    origin = serializers.CharField(
        required=False,
        help_text="Only our debunks (own) or partners' debunks (partner: imported from "
        "partner fact-checkers), comma-separated.",
    )
    site_language = serializers.CharField(
        required=False,
        help_text="The reader's language (a locale code): its results rank first, and a "
        "result in another language is flagged other_language.",
    )
    published_from = serializers.DateField(
        required=False, help_text="Published on or after (YYYY-MM-DD)."
    )
    published_to = serializers.DateField(
        required=False, help_text="Published on or before (YYYY-MM-DD)."
    )
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_LIMIT)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_OFFSET)

    def validate_q(self, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise serializers.ValidationError("Give a query: q must not be blank.")
        return value

    def validate_lang(self, value: str) -> list[str]:
        codes = [v.lower() for v in _split(value)]
        known = {code for code, _name in settings.LANGUAGES} | {"hbs", "sr-cyrl"}
        unknown = [c for c in codes if not _LANG.match(c) or c not in known]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown language {unknown[0]!r}; use one of: {', '.join(sorted(known))}."
            )
        return codes

    def validate_origin(self, value: str) -> list[str]:
        origins = [v.lower() for v in _split(value)]
        unknown = [v for v in origins if v not in ORIGINS]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown origin {unknown[0]!r}; use one of: {', '.join(ORIGINS)}."
            )
        return origins

    def validate_site_language(self, value: str) -> str:
        code = value.strip().lower()
        known = {c for c, _name in settings.LANGUAGES}
        if code not in known:
            raise serializers.ValidationError(
                f"Unknown language {code!r}; use one of: {', '.join(sorted(known))}."
            )
        return code

    def validate_rating(self, value: str) -> list[str]:
        verdicts = [v.lower() for v in _split(value)]
        unknown = [v for v in verdicts if v not in VERDICTS]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown rating {unknown[0]!r}; use a normalised verdict: {', '.join(VERDICTS)}."
            )
        return verdicts

    def validate_country(self, value: str) -> list[str]:
        codes = [v.upper() for v in _split(value)]
        bad = [c for c in codes if not _COUNTRY.match(c)]
        if bad:
            raise serializers.ValidationError(
                f"Invalid country {bad[0]!r}; use ISO 3166-1 alpha-2 codes such as RS, HR, BA."
            )
        return codes

    def validate_topic(self, value: str) -> list[str]:
        keys = _split(value)
        bad = [k for k in keys if not _TOPIC.match(k)]
        if bad:
            raise serializers.ValidationError(f"Invalid topic key {bad[0]!r}.")
        return keys

    def validate(self, attrs):
        low, high = attrs.get("published_from"), attrs.get("published_to")
        if low and high and low > high:
            raise serializers.ValidationError(
                {"published_to": "published_to must not be before published_from."}
            )
        return attrs


class SearchRatingSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The newsroom's label, in the fact-check's language.")
    verdict = serializers.ChoiceField(choices=VERDICTS, help_text="The normalised verdict.")


class SearchResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    claim_reviewed = serializers.CharField()
    claimant = serializers.CharField()
    rating = SearchRatingSerializer()
    url = serializers.URLField()
    language = serializers.CharField()
    other_language = serializers.BooleanField(
        help_text="Found in another language than the query's (the vector channel)."
    )
    origin = serializers.ChoiceField(choices=ORIGINS, help_text="own or partner.")
    published = serializers.DateField(allow_null=True)
    countries = serializers.ListField(child=serializers.CharField())
    topics = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField(
        help_text="Relevance: BM25 plus boosts, or a reciprocal-rank score when the vector "
        "channel added results; higher is better within one response."
    )
    highlight = serializers.CharField(
        help_text="An HTML-escaped snippet of the original text with <mark> around matches."
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="search_factchecks",
        summary="Search published fact-checks",
        description=(
            "Searches every language by default; Cyrillic and Latin, with or without "
            "diacritics, find the same fact-checks, and the vector channel finds "
            "fact-checks written in another language than the query. Facet counts are "
            "over all matches."
        ),
        parameters=[SearchParamsSerializer],
        responses={
            200: inline_serializer(
                "SearchResponse",
                fields={
                    "query": serializers.CharField(),
                    "count": serializers.IntegerField(help_text="Number of matches in all."),
                    "limit": serializers.IntegerField(),
                    "offset": serializers.IntegerField(),
                    "results": SearchResultSerializer(many=True),
                    "facets": inline_serializer(
                        "SearchFacets",
                        fields={
                            name: serializers.DictField(child=serializers.IntegerField())
                            for name in FACETS
                        },
                    ),
                },
            ),
            400: inline_serializer(
                "SearchError",
                fields={"detail": serializers.CharField(), "errors": serializers.DictField()},
            ),
        },
        tags=["search"],
    )
)
class SearchAPIView(APIView):
    """Full-text search over published fact-checks."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedClientThrottle]
    throttle_scope = "search"

    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        if not params.is_valid():
            errors = params.errors
            first_field, messages = next(iter(errors.items()))
            message = messages[0] if isinstance(messages, list) and messages else str(messages)
            prefix = "" if first_field == "non_field_errors" else f"{first_field}: "
            return Response({"detail": f"{prefix}{message}", "errors": errors}, status=400)
        data = params.validated_data
        languages = data.get("lang") or []
        filters = {
            "language": languages,
            "rating_verdict": data.get("rating") or [],
            "countries": data.get("country") or [],
            "topics": data.get("topic") or [],
            "origin": data.get("origin") or [],
            "published_from": data.get("published_from"),
            "published_to": data.get("published_to"),
        }
        filters = {k: v for k, v in filters.items() if v}
        try:
            found = public_search(
                data["q"],
                reader_language=data.get("site_language"),
                language=languages[0] if len(languages) == 1 and languages[0] != "hbs" else None,
                filters=filters,
                facets=list(FACETS.values()),
                limit=data["limit"],
                offset=data["offset"],
            )
        except ValueError as exc:  # a filter the engine rejects: the caller's mistake
            return Response({"detail": str(exc), "errors": {}}, status=400)
        results = []
        reader = data.get("site_language") or ""
        for hit in found.hits:
            fields = hit.fields
            doc_language = fields.get("language") or ""
            # A Serbian debunk for the Latin-script site: its text in Latin and the link to
            # its Latin mirror, as the sr-latn search page shows it.
            latin = (doc_language, reader) == ("sr", "sr-latn")

            def script(text: str, latin: bool = latin) -> str:
                return to_latin(text, "sr") if latin else text

            url = result_url(
                fields.get("url") or "/", doc_language=doc_language, reader_language=reader
            )
            results.append(
                {
                    "id": hit.id,
                    "title": script(fields.get("title") or ""),
                    "claim_reviewed": script(fields.get("claim_reviewed") or ""),
                    "claimant": script(fields.get("claimant") or ""),
                    "rating": {
                        "label": script(fields.get("rating_label") or ""),
                        "verdict": fields.get("rating_verdict") or "other",
                    },
                    "url": request.build_absolute_uri(url),
                    "language": fields.get("language") or "",
                    "other_language": bool(fields.get("other_language")),
                    "origin": fields.get("origin") or "own",
                    "published": fields.get("published"),
                    "countries": fields.get("countries") or [],
                    "topics": fields.get("topics") or [],
                    "score": round(float(hit.score), 4),
                    "highlight": script(hit.highlight),
                }
            )
        return Response(
            {
                "query": data["q"],
                "count": found.total,
                "limit": data["limit"],
                "offset": data["offset"],
                "results": results,
                "facets": {name: found.facets.get(field, {}) for name, field in FACETS.items()},
            }
        )
