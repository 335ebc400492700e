from __future__ import annotations

from django.conf import settings
from django.utils import translation


def site_context(request):
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "NEWSROOM_NAME": settings.FACTCHECK_NEWSROOM_NAME,
        "html_lang": settings.FACTCHECK_LANGUAGE_TAGS.get(language, language),
    }
