from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject, lazy


def _newsroom(request):
    """The site's newsroom settings (claims.NewsroomSettings), None outside any site."""
    from claims.models import newsroom_settings_for

    try:
        return newsroom_settings_for(request=request)
    except Exception:  # noqa: BLE001 - an error page must render even when the database is down
        return None


def site_context(request):
    language = translation.get_language() or settings.LANGUAGE_CODE
    newsroom = SimpleLazyObject(lambda: _newsroom(request))

    def name() -> str:
        # The name set in the admin, else the deployment's (FACTCHECK_NEWSROOM_NAME).
        return getattr(newsroom, "newsroom_name", "") or settings.FACTCHECK_NEWSROOM_NAME

    return {
        "NEWSROOM": newsroom,
        "NEWSROOM_NAME": lazy(name, str)(),
        "html_lang": settings.FACTCHECK_LANGUAGE_TAGS.get(language, language),
    }
