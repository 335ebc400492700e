"""Site-wide plain views: robots.txt, the favicon and the health check."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def favicon(request):
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("factcheck/favicon.svg"), permanent=True)


@never_cache
@require_GET
def healthz(request):
    """Liveness for the container's HEALTHCHECK and load balancers: one ``SELECT 1``.

    200 ``ok`` when the database answers, 503 otherwise (the reason goes to the log,
    not to the public). No session, no template, no cache: cheap enough to poll.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
