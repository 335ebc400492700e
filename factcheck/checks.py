"""System checks for the site's interface languages (``manage.py check``, ``migrate``,
``runserver``: every start-up that runs Django's checks).

* ``factcheck.E001``: a language in ``LANGUAGES`` has no compiled interface catalogue
  (``<LOCALE_PATHS>/<locale>/LC_MESSAGES/django.mo``). Without it the interface is in
  English, and for a language Django itself has no catalogue for (Montenegrin, ``cnr``)
  ``LocaleMiddleware`` does not recognise the prefix at all: ``/cnr/`` redirects to
  ``/en/cnr/...`` and a 404. The catalogues are committed with the code, so only a
  deployment that deleted them, or one that added a language without translating it,
  fails; ``manage.py compile_translations`` rebuilds them from the ``.po`` files.

English, the language the interface strings are written in, needs no catalogue.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils.translation import to_locale

#: The language of the msgids in the templates and code.
SOURCE_LANGUAGE = "en"


def catalogue_paths(code: str) -> list[Path]:
    """Where the compiled catalogue of a language code may be (one per ``LOCALE_PATHS``)."""
    name = to_locale(code)
    return [Path(base) / name / "LC_MESSAGES" / "django.mo" for base in settings.LOCALE_PATHS]


def languages_without_catalogue() -> list[str]:
    return [
        code
        for code, _name in settings.LANGUAGES
        if code.split("-")[0] != SOURCE_LANGUAGE
        and not any(path.is_file() and path.stat().st_size for path in catalogue_paths(code))
    ]


@checks.register(checks.Tags.translation)
def check_compiled_catalogues(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"The site language {code!r} has no compiled interface catalogue "
            f"({' or '.join(str(p) for p in catalogue_paths(code)) or 'LOCALE_PATHS is empty'})",
            hint="Run `python manage.py compile_translations`, or remove the language from "
            "LANGUAGES. Without it the /" + code + "/ pages are not served in that language.",
            id="factcheck.E001",
        )
        for code in languages_without_catalogue()
    ]
