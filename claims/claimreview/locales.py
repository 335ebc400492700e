"""Which site locale a ClaimReview's ``inLanguage`` (a BCP 47 tag) belongs to.

Pure Python: no Django, no detector. Publishers write tags every way BCP 47 allows
and some it does not: ``sr``, ``sr-RS``, ``sr-Cyrl-RS``, ``SR-latn-rs``, ``sr_RS@latin``,
``sr-ME``, ``cnr``, ``bs-Latn-BA``, ``hr-HR``, ``mk-MK``, ``sq-XK``, ``en-GB``, ``und``.
:func:`site_locale_for_tag` reads the language, script and region subtags, in any
case, and returns the locale code the site publishes that language under:

- Serbian (``sr``) is split by script, because the site keeps Cyrillic (``sr``) and
  Latin (``sr-latn``) originals apart. The text's script decides when it is clear
  (at least nine letters in ten in one script): a publisher who tags Cyrillic text
  ``sr-Latn`` is wrong about its own text, and the page must land where its script
  is served. Otherwise the tag's script subtag decides; with neither, Latin.
- Serbian written in Montenegro (``sr-ME``, ``sr-Latn-ME``) and ``cnr`` are Montenegrin.
- ``hr``, ``bs``, ``mk``, ``sq`` and ``en`` keep their primary subtag, whatever the
  region or script (``sq-XK`` is Albanian from Kosovo, ``bs-Cyrl`` is still Bosnian).
- ``None`` means the tag names no language (missing, empty, ``und``, ``mul``, ``zxx``)
  or names the macrolanguage (``sh``, ``hbs``) without a variety: the caller detects
  the language from the text.
- Any other language comes back as its primary subtag (``de-AT`` -> ``de``), so the
  caller can say it is not published on this site.
"""

from __future__ import annotations

import re

#: Primary subtags that name no language the text could be filed under.
UNDETERMINED = frozenset({"", "und", "mul", "zxx", "mis", "sh", "hbs"})
_SPLIT = re.compile(r"[-_\s]+")


def parse_tag(tag: str | None) -> tuple[str, str, str]:
    """(language, script, region), lower case, from a BCP 47 tag written any way.

    ``sr_RS@latin`` (a POSIX locale name) reads as ``sr-Latn-RS``.
    """
    text = (tag or "").strip().lower()
    text, _, modifier = text.partition("@")
    subtags = [s for s in _SPLIT.split(text) if s]
    if not subtags:
        return "", "", ""
    language, script, region = subtags[0], "", ""
    for sub in subtags[1:]:
        if not script and not region and len(sub) == 4 and sub.isalpha():
            script = sub
        elif not region and (
            (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit())
        ):
            region = sub
    if not script and modifier in ("latin", "cyrillic"):
        script = "latn" if modifier == "latin" else "cyrl"
    return language, script, region


def site_locale_for_tag(tag: str | None, *, text_script: str = "") -> str | None:
    """The site locale for a declared ``inLanguage``; ``None``: detect it from the text.

    ``text_script`` is the reviewed text's script as ``search.detect_script`` names it
    (``cyrillic``, ``latin``, ``mixed`` or ``""``); only Serbian needs it.
    """
    language, script, region = parse_tag(tag)
    if language in UNDETERMINED:
        return None
    if language == "sr":
        if region == "me":
            return "cnr"
        return serbian_locale(text_script=text_script, tag_script=script)
    return language  # hr-HR, bs-Latn-BA, sq-XK, en-GB...: the primary subtag


def serbian_locale(*, text_script: str = "", tag_script: str = "") -> str:
    """``sr`` (Cyrillic) or ``sr-latn``: the text's clear script, else the tag's, else Latin."""
    if text_script == "cyrillic":
        return "sr"
    if text_script == "latin":
        return "sr-latn"
    return "sr" if tag_script == "cyrl" else "sr-latn"
