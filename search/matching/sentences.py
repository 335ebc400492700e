"""Sentence splitting for matching: a regular expression plus the region's abbreviation
rules by default.

spaCy's rule-based sentencizer is an optional extra (``pip install -e '.[spacy]'``), used
only when it is installed *and* ``settings.FACTCHECK_SENTENCIZER`` is ``"spacy"``: on the
Balkan dev set and CLEF both give the same match quality (``docs/benchmarks.md``), and
spaCy costs a few hundred megabytes on every install.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

__all__ = ["SENTENCIZERS", "spacy_installed", "split_sentences"]

logger = logging.getLogger(__name__)

#: spaCy blank pipelines that exist (spaCy 3.8 has no ``bs`` / ``cnr`` class).
_SPACY_LANG = {
    "sr": "sr", "hr": "hr", "bs": "hr", "cnr": "sr", "me": "sr", "sh": "hr", "hbs": "hr",
    "mk": "mk", "sq": "sq", "sl": "sl", "bg": "bg", "en": "en",
}  # fmt: skip


#: Abbreviations after which a full stop does not end a sentence even before a capital
#: (titles that precede names, "street", "saint", "number").
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TITLE_ABBR = _wordset(
    "dr prof mr mrs ms gosp gđa gđica gdin sv ul br st ing doc akad mag dipl "
    "др проф г гн гђа св ул бр инж доц акад маг z znj zt"
)
#: Abbreviations that do not end a sentence when a lowercase word or number follows.
_SOFT_ABBR = _wordset(
    "npr tj itd sl god mil mlrd tzv odn resp vs etc eg ie min max tel str čl stav tač "
    "нпр тј итд сл год мил млрд тзв одн мин макс тел стр чл pra etj shih sh"
)
_OPENERS = "\"'“”„«»‚‘’([{-–—"
_LAST_WORD_RE = re.compile(r"(\w+)\.\W*$")
#: A sentence ends at ``. ! ? …`` and any closing quotes/brackets, before whitespace.
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”»)\]]*(?=\s)")
_LINE_SPLIT_RE = re.compile(r"\s*\n\s*")
_MAX_CHUNK = 100_000


#: Values of ``settings.FACTCHECK_SENTENCIZER`` (and of ``split_sentences(sentencizer=)``).
SENTENCIZERS = ("regex", "spacy")


def _configured_sentencizer() -> str:
    """``settings.FACTCHECK_SENTENCIZER``; ``"regex"`` when Django is not configured.

    An unknown value is a deployment error (``ImproperlyConfigured``, also reported by
    ``manage.py check``), never a client's bad input.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        value = settings.FACTCHECK_SENTENCIZER
    except ImproperlyConfigured:  # a script without Django settings
        return "regex"
    value = str(value or "regex").strip().lower()
    if value not in SENTENCIZERS:
        raise ImproperlyConfigured(
            f"FACTCHECK_SENTENCIZER must be one of {', '.join(SENTENCIZERS)}, not {value!r}"
        )
    return value


def spacy_installed() -> bool:
    """Whether spaCy can be imported (the ``spacy`` extra), without importing it."""
    import importlib.util

    return importlib.util.find_spec("spacy") is not None


@functools.lru_cache(maxsize=1)
def _warn_spacy_missing() -> None:
    logger.warning(
        "FACTCHECK_SENTENCIZER is 'spacy' but spaCy is not installed "
        "(pip install -e '.[spacy]'); splitting sentences with the regular expression"
    )


@functools.lru_cache(maxsize=16)
def _sentencizer(lang: str):  # -> spacy.Language | None
    try:
        import spacy
    except ImportError:
        _warn_spacy_missing()
        return None
    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError, ValueError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.max_length = _MAX_CHUNK * 2
    return nlp


def _spacy_lang(language: str | None) -> str:
    base = (language or "").split("-")[0].split("_")[0].lower()
    return _SPACY_LANG.get(base, "xx")


def _chunks(line: str) -> list[str]:
    """Cut a giant line into pieces spaCy accepts, at whitespace."""
    if len(line) <= _MAX_CHUNK:
        return [line]
    out: list[str] = []
    while len(line) > _MAX_CHUNK:
        cut = line.rfind(" ", 0, _MAX_CHUNK)
        cut = cut if cut > 0 else _MAX_CHUNK
        out.append(line[:cut])
        line = line[cut:]
    out.append(line)
    return out


def _regex_split(line: str) -> list[str]:
    """Cut after every sentence end; closing quotes and brackets stay with their sentence."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(line):
        parts.append(line[start : match.end()])
        start = match.end()
    parts.append(line[start:])
    return parts


def _starts_lower_or_digit(text: str) -> bool:
    stripped = text.lstrip(_OPENERS + " ")
    return bool(stripped) and (stripped[0].islower() or stripped[0].isdigit())


def _should_join(prev: str, nxt: str) -> bool:
    """Did the sentencizer split at a full stop that is not a sentence end?"""
    if prev.endswith(("...", "…")):
        return _starts_lower_or_digit(nxt)  # "Kraj... i još nešto"
    if not prev.endswith("."):
        return False
    match = _LAST_WORD_RE.search(prev)
    if not match:
        return False
    word = match.group(1).lower()
    if word in _TITLE_ABBR:
        return True  # "dr. Petrović", "ul. Kneza Miloša"
    lower_next = _starts_lower_or_digit(nxt)
    if word.isdigit() or len(word) == 1 or word in _SOFT_ABBR:
        return lower_next  # "14. ožujka", "npr. cijepljenje", "J. smith" stays split
    return False


def _merge(parts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and _should_join(out[-1], part):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def split_sentences(
    text: str, language: str | None = None, *, sentencizer: str | None = None
) -> list[str]:
    """Split ``text`` into sentences (stripped, non-empty), in order.

    Line breaks always end a sentence (headlines, list items and social posts rarely end
    with a full stop).  Within a line, a first pass cuts after ``. ! ? …`` (and any
    closing quote or bracket) followed by whitespace, then splits that are wrong in this
    region are joined back: ordinal dates (``14. ožujka 2025.``), ``dr. Petrović``,
    ``npr. ...``, ``Kraj... i još``.

    ``sentencizer`` (default ``settings.FACTCHECK_SENTENCIZER``, else ``"regex"``) picks
    the first pass: ``"regex"``, or ``"spacy"`` for spaCy's rule-based ``sentencizer`` on
    ``spacy.blank(language)`` (``xx`` when spaCy has no class for it; ``bs`` -> ``hr``,
    ``cnr`` -> ``sr``).  ``"spacy"`` without spaCy installed logs a warning once and uses
    the regex.  Any other argument raises ``ValueError``, any other setting
    ``ImproperlyConfigured``.
    """
    if sentencizer is None:
        choice = _configured_sentencizer()
    elif sentencizer in SENTENCIZERS:
        choice = sentencizer
    else:
        raise ValueError(f"unknown sentencizer {sentencizer!r}: use one of {SENTENCIZERS}")
    if not text or not text.strip():
        return []
    lines = [ln for ln in _LINE_SPLIT_RE.split(text.strip()) if ln.strip()]
    nlp = _sentencizer(_spacy_lang(language)) if choice == "spacy" else None
    sentences: list[str] = []
    for line in lines:
        pieces = _chunks(line)
        if nlp is not None:
            raw = [s.text for doc in nlp.pipe(pieces) for s in doc.sents]
        else:
            raw = [s for piece in pieces for s in _regex_split(piece)]
        sentences.extend(_merge(raw))
    return sentences


def _split_sentences_regex(text: str) -> list[str]:
    """The regex path whatever the setting (tests)."""
    return split_sentences(text, sentencizer="regex")
