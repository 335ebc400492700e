from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, get_resolver
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .transliteration import transliterate_html

LATIN_SCRIPT_LANGUAGES = {"sr-latn": "sr"}
EXCLUDED_PREFIXES = ("/admin/", "/django-admin/", "/api/", "/static/", "/media/", "/documents/")


class ScriptTransliterationMiddleware:
    """Serve Cyrillic content in Latin to readers of a Latin-script locale (``sr-latn``).

    Runs on rendered HTML only, after the page is built, so every page type (fact-checks,
    listings, search results, feeds excluded) reads the same way without each template
    having to remember a filter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = LATIN_SCRIPT_LANGUAGES.get(getattr(request, "LANGUAGE_CODE", ""))
        if (
            language is None
            or request.path.startswith(EXCLUDED_PREFIXES)
            or getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        charset = response.charset or settings.DEFAULT_CHARSET
        html = response.content.decode(charset, errors="replace")
        response.content = transliterate_html(html, language).encode(charset)
        return response


class NonLocalisedLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that a path outside ``i18n_patterns`` keeps its 404.

    Django answers a 404 on an unprefixed path with a redirect to ``/<lang>/<path>``
    whenever that path could exist, and under Wagtail's catch-all every path could: an
    unknown API id, an oEmbed URL that is not ours or a bad webhook path came back as a
    302 to an HTML 404. Paths under a non-localised route (``/api/``, ``/embed/``,
    ``/tipline/``, ``/healthz``, ``/admin/``, static and media files...) now answer their
    own 404 (DRF's JSON for the API); everything else (``/fact-checks/`` ->
    ``/en/fact-checks/``) is redirected as before.
    """

    def process_response(self, request, response):
        if response.status_code == 404 and _is_non_localised(request):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


def _is_non_localised(request) -> bool:
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    path = request.path_info.lstrip("/")
    prefixes = _non_localised_prefixes(urlconf) if isinstance(urlconf, str) else ()
    prefixes = (*prefixes, *_file_prefixes())
    return any(
        path == prefix or path.startswith(prefix if prefix.endswith("/") else prefix + "/")
        for prefix in prefixes
    )


def _file_prefixes() -> tuple[str, ...]:
    return tuple(
        url.lstrip("/")
        for url in (settings.STATIC_URL, settings.MEDIA_URL)
        if url and url.startswith("/") and url.strip("/")
    )


@lru_cache(maxsize=8)
def _non_localised_prefixes(urlconf: str) -> tuple[str, ...]:
    """The literal start of each top-level route that is not under a locale prefix."""
    prefixes = []
    for entry in get_resolver(urlconf).url_patterns:
        if isinstance(entry.pattern, LocalePrefixPattern):
            continue
        route = getattr(entry.pattern, "_route", None)
        if route is None:  # a regex route: take its literal start
            route = re.split(r"[\\^$.*+?()\[\]{}|]", str(entry.pattern).lstrip("^"), maxsplit=1)[0]
        literal = route.split("<", 1)[0]
        if literal:
            prefixes.append(literal)
    return tuple(prefixes)
