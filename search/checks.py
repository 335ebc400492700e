"""System checks for the search app's settings (``manage.py check``, and every start-up).

* ``search.E001``: ``FACTCHECK_SENTENCIZER`` is not ``regex`` or ``spacy``.
* ``search.W001``: it is ``spacy`` but spaCy is not installed; sentences are split by the
  regular expression (install the extra: ``pip install -e '.[spacy]'``).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from search.matching import SENTENCIZERS, spacy_installed


@checks.register(checks.Tags.compatibility)
def check_sentencizer(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    value = str(settings.FACTCHECK_SENTENCIZER or "regex").strip().lower()
    if value not in SENTENCIZERS:
        return [
            checks.Error(
                f"FACTCHECK_SENTENCIZER is {value!r}",
                hint=f"Use one of: {', '.join(SENTENCIZERS)}.",
                id="search.E001",
            )
        ]
    if value == "spacy" and not spacy_installed():
        return [
            checks.Warning(
                "FACTCHECK_SENTENCIZER is 'spacy' but spaCy is not installed",
                hint="pip install -e '.[spacy]', or leave the setting at 'regex' "
                "(the same match quality: docs/benchmarks.md).",
                id="search.W001",
            )
        ]
    return []
