"""``/api/v1/match/``: which earlier fact-checks does this post or claim repeat?

``/api/v1/match/batch/`` answers the same question for up to
``FACTCHECK_MATCH_BATCH_MAX_TEXTS`` (100) texts in one call, for a partner or platform
with an API key. Its cost is bounded before any matching starts: characters per text
(``FACTCHECK_MATCH_BATCH_MAX_TEXT_CHARS``) and per call
(``FACTCHECK_MATCH_BATCH_MAX_TOTAL_CHARS``), and each text counts as one request
against the key's rate (``factcheck.throttling.CredentialThrottle``).

Both accept the authentication classes named in ``FACTCHECK_API_KEY_AUTHENTICATION``
(partner API keys, ``network.auth``); the single endpoint also serves anyone without a
key at the public ``match`` rate.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck.throttling import CredentialThrottle
from search.matching import MAX_LIMIT, max_text_chars, too_long_message

logger = logging.getLogger(__name__)

#: ``lookup(ids) -> {id: {"name": ..., "url": ...}}``: who published each fact-check
#: (``claims`` registers one, as it does the facet labels; search never reads pages).
_publisher_lookups: list[Any] = []


def register_publisher_lookup(lookup: Any) -> None:
    """Register ``lookup(ids) -> {id: {"name", "url"}}`` for the match API's credits."""
    if lookup not in _publisher_lookups:
        _publisher_lookups.append(lookup)


def publishers_for(ids: list[str]) -> dict[str, dict[str, str]]:
    """Each fact-check's publisher from the registered lookups (one call for a response)."""
    found: dict[str, dict[str, str]] = {}
    for lookup in _publisher_lookups:
        try:
            found.update(lookup(ids))
        except Exception:  # a credit is no reason to fail the answer; logged
            logger.exception("publisher lookup %r failed", lookup)
    return found


DEFAULT_LIMIT = 5
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})?$")
_READER_LANGUAGE_HELP = (
    "The reader's language (a site locale: en, sr, sr-latn, hr, bs, cnr, mk, sq). "
    "Translations of one fact-check are one result, shown in this language when there is "
    "a version in it (the same language in the other script next). Default: the "
    "request's Accept-Language, else the best-scoring version."
)


class ReaderLanguageField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            allow_blank=True,
            max_length=16,
            help_text=_READER_LANGUAGE_HELP,
            **kwargs,
        )

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip()
        if value and not _LANGUAGE_RE.match(value):
            raise serializers.ValidationError("a language code such as hr or sr-latn")
        return value.lower()


def reader_language(request, requested: str) -> str | None:
    """The language to show a same-hoax group in: the one asked for, else the first
    site language of the request's ``Accept-Language``, else None (best-scoring version)."""
    if requested:
        return requested
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header)[:10]:
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code).lower()
        except LookupError:
            continue
    return None


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
    reader_language = ReaderLanguageField()


class MatchRatingSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The rating as the newsroom wrote it.")
    verdict = serializers.CharField(help_text="Normalised verdict (true, false, misleading...).")


class MatchPublisherSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Who published the fact-check.")
    url = serializers.CharField(allow_blank=True)


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
    publisher = MatchPublisherSerializer(
        allow_null=True,
        help_text="Who published the debunk: a partner newsroom for one imported from its "
        "feed (credit goes with it), else this newsroom.",
    )


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


def _key_authentication_classes() -> list:
    return [import_string(path) for path in settings.FACTCHECK_API_KEY_AUTHENTICATION]


class _KeyAuthenticatedMixin:
    """API keys (``FACTCHECK_API_KEY_AUTHENTICATION``), read when the request comes, not
    at import: no session (and so no CSRF), no Basic."""

    def get_authenticators(self):
        return [cls() for cls in _key_authentication_classes()]


class MatchAPIView(_KeyAuthenticatedMixin, APIView):
    """Match a post or claim against published fact-checks, across languages and scripts."""

    permission_classes: list = []
    parser_classes = [JSONParser]
    throttle_classes = [CredentialThrottle]
    throttle_scope = "match"

    @extend_schema(
        operation_id="match_get",
        summary="Match a text (query string)",
        parameters=[
            OpenApiParameter("text", str, required=True, description="Text to match."),
            OpenApiParameter("limit", int, description=f"1-{MAX_LIMIT}, default 5."),
            OpenApiParameter("reader_language", str, description=_READER_LANGUAGE_HELP),
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

        language = reader_language(request, serializer.validated_data.get("reader_language", ""))
        try:
            matches = search.match(text, limit=limit, reader_language=language)
        except ValueError as exc:
            return self._bad(str(exc))
        publishers = publishers_for([m.id for m in matches])
        results = [self._result(request, m, publishers) for m in matches]
        payload = {
            "text_chars": len(text),
            "url": serializer.validated_data.get("url", ""),
            "results": results,
        }
        return Response(MatchResponseSerializer(payload).data)

    @staticmethod
    def _result(request, match, publishers: dict[str, dict[str, str]]) -> dict[str, Any]:
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
            "publisher": publishers.get(match.id),
        }


# --- POST /api/v1/match/batch/ -------------------------------------------------------------


class BatchRequestSerializer(serializers.Serializer):
    texts = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text="The posts or claims to match: 1 to FACTCHECK_MATCH_BATCH_MAX_TEXTS (100) "
        "texts, each at most FACTCHECK_MATCH_BATCH_MAX_TEXT_CHARS (5,000) characters, "
        "FACTCHECK_MATCH_BATCH_MAX_TOTAL_CHARS (100,000) in all. Each text counts as one "
        "request against the key's rate.",
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"Fact-checks to return per text (1-{MAX_LIMIT}, default {DEFAULT_LIMIT}).",
    )
    reader_language = ReaderLanguageField()


class BatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the text in the request.")
    text_chars = serializers.IntegerField()
    results = MatchResultSerializer(many=True)


class BatchResponseSerializer(serializers.Serializer):
    items = BatchItemSerializer(many=True)


class HasApiKey(BasePermission):
    """A request authenticated by an API key (anything with a throttle scope of its own)."""

    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.auth, "throttle_scope", None))


def _batch_problem(data: Any) -> str | None:
    """Why ``data`` is not an acceptable batch, before anything is matched; ``None`` if it is."""
    if not isinstance(data, dict):
        return 'send a JSON object: {"texts": ["...", "..."], "limit": 5}'
    texts = data.get("texts")
    if not isinstance(texts, list):
        return "texts is required: a list of the posts or claims to match"
    most = int(settings.FACTCHECK_MATCH_BATCH_MAX_TEXTS)
    if not 1 <= len(texts) <= most:
        return f"texts: send 1 to {most} texts per call, not {len(texts)}"
    per_text = int(settings.FACTCHECK_MATCH_BATCH_MAX_TEXT_CHARS)
    total = 0
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            return f"texts[{index}]: each text must be a string"
        if not text.strip():
            return f"texts[{index}]: the text is empty"
        if len(text) > per_text:
            return f"texts[{index}]: {len(text)} characters; at most {per_text} per text"
        total += len(text)
    most_chars = int(settings.FACTCHECK_MATCH_BATCH_MAX_TOTAL_CHARS)
    if total > most_chars:
        return f"texts: {total} characters in all; at most {most_chars} per call"
    return None


class MatchBatchAPIView(_KeyAuthenticatedMixin, APIView):
    """Match many posts or claims in one call (an API key is required)."""

    permission_classes = [HasApiKey]
    parser_classes = [JSONParser]
    throttle_classes = [CredentialThrottle]
    throttle_scope = "match"

    def throttle_cost(self, request) -> int:
        """Each text is one request against the key's rate (a bad body: one)."""
        try:
            data = request.data
        except (ParseError, UnicodeDecodeError) as exc:
            self._parse_error = exc
            return 1
        if _batch_problem(data) is not None:
            return 1
        return len(data["texts"])

    @extend_schema(
        operation_id="match_batch",
        summary="Match up to 100 texts in one call (API key required)",
        request=BatchRequestSerializer,
        responses={
            200: BatchResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Too many, too long or bad texts."),
            401: OpenApiResponse(ErrorSerializer, description="No key, or a revoked one."),
            429: OpenApiResponse(ErrorSerializer, description="The key's rate is used up."),
        },
        tags=["match"],
    )
    def post(self, request):
        error = getattr(self, "_parse_error", None)
        if error is not None:
            return MatchAPIView._bad("the body is not valid UTF-8 JSON")
        try:
            data = request.data
        except (ParseError, UnicodeDecodeError):
            return MatchAPIView._bad("the body is not valid UTF-8 JSON")
        problem = _batch_problem(data)
        if problem is not None:
            return MatchAPIView._bad(problem)
        serializer = BatchRequestSerializer(data=data)
        if not serializer.is_valid():
            return MatchAPIView._bad(_first_error(serializer.errors))
        limit = serializer.validated_data["limit"]
        language = reader_language(request, serializer.validated_data.get("reader_language", ""))
        import search

        found = []
        for index, text in enumerate(serializer.validated_data["texts"]):
            try:
                found.append(search.match(text, limit=limit, reader_language=language))
            except ValueError as exc:
                return MatchAPIView._bad(f"texts[{index}]: {exc}")
        publishers = publishers_for(list({m.id for matches in found for m in matches}))
        items = [
            {
                "index": index,
                "text_chars": len(text),
                "results": [MatchAPIView._result(request, m, publishers) for m in matches],
            }
            for index, (text, matches) in enumerate(
                zip(serializer.validated_data["texts"], found, strict=True)
            )
        ]
        return Response(BatchResponseSerializer({"items": items}).data)
