from __future__ import annotations

from django.conf import settings

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
