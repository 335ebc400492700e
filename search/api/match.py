"""``/api/v1/match/``: which earlier fact-checks does this post or claim repeat?"""

from __future__ import annotations

import logging
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck.throttling import ScopedClientThrottle
from search.matcher import MAX_LIMIT, max_text_chars, too_long_message

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 5


class MatchRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text="The post, claim or article to match (1 to FACTCHECK_MATCH_MAX_CHARS "
        "characters, 20,000 by default).",
        allow_blank=True,
        trim_whitespace=False,
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"How many fact-checks to return (1-{MAX_LIMIT}, default {DEFAULT_LIMIT}).",
    )
    url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Where the text was seen (optional; echoed back, never fetched).",
    )


class MatchRatingSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The rating as the newsroom wrote it.")
    verdict = serializers.CharField(help_text="Normalised verdict (true, false, misleading...).")


class MatchResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    claim_reviewed = serializers.CharField()
    title = serializers.CharField()
    rating = MatchRatingSerializer()
    url = serializers.CharField(help_text="Absolute URL of the fact-check.")
    language = serializers.CharField()
    score = serializers.FloatField(
        help_text="Cosine similarity of the best-matching sentence to the fact-check."
    )
    is_match = serializers.BooleanField(
        help_text="Calibrated decision (score and margin over the runner-up); "
        "only the first result can be true."
    )
    matched_sentence = serializers.CharField()
    method = serializers.ChoiceField(choices=["hybrid", "vector", "lexical"])


class MatchResponseSerializer(serializers.Serializer):
    text_chars = serializers.IntegerField()
    url = serializers.CharField(allow_blank=True)
    results = MatchResultSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _first_error(errors: Any) -> str:
    if isinstance(errors, dict):
        for name, value in errors.items():
            message = _first_error(value)
            return message if name == "non_field_errors" else f"{name}: {message}"
    if isinstance(errors, list) and errors:
        return _first_error(errors[0])
    return str(errors)


_RESPONSES = {
    200: MatchResponseSerializer,
    400: OpenApiResponse(ErrorSerializer, description="Empty, too long or malformed input."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests from this client."),
}


class MatchAPIView(APIView):
    """Match a post or claim against published fact-checks, across languages and scripts."""

    authentication_classes: list = []
    permission_classes: list = []
    parser_classes = [JSONParser]
    throttle_classes = [ScopedClientThrottle]
    throttle_scope = "match"

    @extend_schema(
        operation_id="match_get",
        summary="Match a text (query string)",
        parameters=[
            OpenApiParameter("text", str, required=True, description="Text to match."),
            OpenApiParameter("limit", int, description=f"1-{MAX_LIMIT}, default 5."),
        ],
        responses=_RESPONSES,
        tags=["match"],
    )
    def get(self, request):
        return self._answer(request, request.query_params)

    @extend_schema(
        operation_id="match_post",
        summary="Match a text (JSON body)",
        request=MatchRequestSerializer,
        responses=_RESPONSES,
        tags=["match"],
    )
    def post(self, request):
        try:
            data = request.data
        except ParseError as exc:
            return self._bad(f"the body is not valid JSON: {exc.detail}")
        except UnicodeDecodeError:
            return self._bad("the body is not valid UTF-8 JSON")
        if not isinstance(data, dict):
            return self._bad('send a JSON object: {"text": "...", "limit": 5}')
        return self._answer(request, data)

    @staticmethod
    def _bad(message: str) -> Response:
        return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)

    def _answer(self, request, data) -> Response:
        if hasattr(data, "dict"):
            data = data.dict()
        if "text" not in data:
            return self._bad("text is required: the post or claim to match")
        if isinstance(data.get("text"), str) and len(data["text"]) > max_text_chars():
            return self._bad(too_long_message(len(data["text"])))
        serializer = MatchRequestSerializer(data=data)
        if not serializer.is_valid():
            return self._bad(_first_error(serializer.errors))
        text = serializer.validated_data["text"]
        limit = serializer.validated_data["limit"]
        import search

        try:
            matches = search.match(text, limit=limit)
        except ValueError as exc:
            return self._bad(str(exc))
        results = [self._result(request, m) for m in matches]
        payload = {
            "text_chars": len(text),
            "url": serializer.validated_data.get("url", ""),
            "results": results,
        }
        return Response(MatchResponseSerializer(payload).data)

    @staticmethod
    def _result(request, match) -> dict[str, Any]:
        fields = match.fields
        url = fields.get("url") or ""
        if url and not url.startswith(("http://", "https://")):
            url = request.build_absolute_uri(url)
        return {
            "id": match.id,
            "claim_reviewed": fields.get("claim_reviewed") or "",
            "title": fields.get("title") or "",
            "rating": {
                "label": fields.get("rating_label") or "",
                "verdict": fields.get("rating_verdict") or "other",
            },
            "url": url,
            "language": fields.get("language") or "",
            "score": round(float(match.score), 4),
            "is_match": bool(match.is_match),
            "matched_sentence": match.matched_sentence,
            "method": match.method,
        }
