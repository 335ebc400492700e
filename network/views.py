"""Embeds: an oEmbed endpoint and the fact-check card it points to.

* ``/embed/factcheck/<id>/``: a small HTML card (verdict, claim, title, link) for an
  iframe on a partner's site or in a newsletter. No script at all and nothing from a
  third party: its Content-Security-Policy is ``default-src 'none'`` with the one inline
  style allowed by a per-response nonce. It is the only page that may be framed
  (``frame-ancestors *``); every other page keeps ``X-Frame-Options: DENY``.
* ``/api/v1/oembed/?url=<a fact-check's URL>``: the oEmbed 1.0 ``rich`` answer whose
  ``html`` is that iframe; JSON only (``format=xml`` is 501, as the spec says).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import FactCheckPage

DEFAULT_WIDTH, DEFAULT_HEIGHT = 480, 260
MIN_WIDTH, MIN_HEIGHT = 200, 160


def _live_factcheck(pk: int) -> FactCheckPage:
    page = FactCheckPage.objects.live().public().filter(pk=pk).first()
    if page is None or page.alias_of_id:
        raise Http404
    return page


@require_safe
@xframe_options_exempt
def embed_card(request: HttpRequest, pk: int) -> HttpResponse:
    page = _live_factcheck(pk)
    nonce = secrets.token_urlsafe(16)
    with translation.override(page.locale.language_code):
        response = TemplateResponse(
            request,
            "network/embed_card.html",
            {
                "page": page,
                "rating": page.display_rating,
                "page_url": page.get_full_url(request),
                "newsroom": settings.FACTCHECK_NEWSROOM_NAME,
                "nonce": nonce,
                "language": page.locale.language_code,
            },
        )
        response.render()
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors *"
    )
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _factcheck_for_url(request, url: str) -> FactCheckPage | None:
    """The live fact-check whose public URL is ``url`` on this site, or ``None``."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.path:
        return None
    ours = {request.get_host().lower(), urlsplit(settings.FACTCHECK_SITE_URL).netloc.lower()}
    if parts.netloc.lower() not in ours:
        return None
    slug = [piece for piece in parts.path.split("/") if piece][-1:] or [""]
    candidates = FactCheckPage.objects.live().public().filter(slug=slug[0], alias_of=None)
    for page in candidates[:50]:
        if page.get_url(request) in (parts.path, url):
            return page
    return None


def _size(value, default: int, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(minimum, min(number, default))


class OEmbedView(APIView):
    """oEmbed 1.0 for fact-check pages: a ``rich`` type with the embeddable card."""

    authentication_classes: list = []
    permission_classes: list = []

    def perform_content_negotiation(self, request, force=False):
        # ``format`` is oEmbed's own parameter here, not DRF's renderer override.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="oembed",
        summary="oEmbed for a fact-check page",
        parameters=[
            OpenApiParameter("url", str, required=True, description="A fact-check page URL."),
            OpenApiParameter("maxwidth", int, description="Largest iframe width wanted."),
            OpenApiParameter("maxheight", int, description="Largest iframe height wanted."),
            OpenApiParameter("format", str, description="json (xml is not offered: 501)."),
        ],
        responses={
            200: inline_serializer(
                "OEmbed",
                {
                    "version": serializers.CharField(),
                    "type": serializers.CharField(),
                    "title": serializers.CharField(),
                    "provider_name": serializers.CharField(),
                    "provider_url": serializers.CharField(),
                    "html": serializers.CharField(),
                    "width": serializers.IntegerField(),
                    "height": serializers.IntegerField(),
                },
            )
        },
        tags=["embeds"],
    )
    def get(self, request):
        if request.query_params.get("format", "json") != "json":
            return Response({"detail": "only format=json is offered"}, status=501)
        url = request.query_params.get("url", "")
        if not url or len(url) > 2000:
            return Response({"detail": "url is required: a fact-check page URL"}, status=400)
        page = _factcheck_for_url(request._request, url)
        if page is None:
            return Response({"detail": "no published fact-check at this URL"}, status=404)
        width = _size(request.query_params.get("maxwidth"), DEFAULT_WIDTH, MIN_WIDTH)
        height = _size(request.query_params.get("maxheight"), DEFAULT_HEIGHT, MIN_HEIGHT)
        src = request.build_absolute_uri(reverse("embed-factcheck", args=[page.pk]))
        html = format_html(
            '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" '
            'sandbox="allow-popups allow-popups-to-escape-sandbox" '
            'style="border:0;max-width:100%"></iframe>',
            src,
            width,
            height,
            page.title,
        )
        return Response(
            {
                "version": "1.0",
                "type": "rich",
                "title": page.title,
                "provider_name": settings.FACTCHECK_NEWSROOM_NAME,
                "provider_url": settings.FACTCHECK_SITE_URL,
                "html": str(html),
                "width": width,
                "height": height,
            }
        )
