"""Places and numbers in a text, across scripts, languages and inflected forms.

"The same hoax with another city or amount" is the look-alike e5 cannot tell apart:
"a bear in the centre of Niš" and "a wolf in the centre of Nikšić" embed almost alike.
:func:`entities` pulls out what a claim is *about* so that the scorer
(:func:`search.matching.scoring.agreement`) can lift a candidate that agrees and lower
one that clearly names another place or another amount.

* **Places** come from the project's gazetteer (:mod:`search.matching.gazetteer`):
  ``Сараево``, ``Sarajevu``, ``Sarajevski`` and ``Sarajevës`` are all ``sarajevo``;
  ``Albanija``, ``Albaniji``, ``Shqipëri`` and ``Албанија`` are all ``AL``.  Words are
  folded (:func:`search.normalize.fold`) and matched as *stem + known ending*.
* **Numbers** are normalised across formats and words: ``1.000 €``, ``1000 eura``,
  ``хиљаду евра``, ``1,000 euros`` and ``njëmijë euro`` are all ``1000``.  ``5G`` is
  not a number.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from search.matching.gazetteer import MONTHS, PLACES
from search.normalize import fold

__all__ = ["SUFFIXES", "Entities", "entities", "months", "numbers", "places"]

#: Endings a place stem may carry: hbs/mk cases and adjectives, sq definite/case forms,
#: English demonyms.  Kept short so that a stem plus an ending is rarely another word.
SUFFIXES = frozenset(
    [
        "a",
        "e",
        "i",
        "o",
        "u",
        "y",
        "om",
        "em",
        "im",
        "ima",
        "ama",
        "ov",
        "ev",
        "og",
        "oj",
        "ju",
        "ja",
        "ji",
        "je",
        "jom",
        "ije",
        "iji",
        "iju",
        "ijom",
        "ija",
        "ia",
        "ian",
        "ians",
        "ise",
        "ine",
        "ies",
        "n",
        "an",
        "ans",
        "se",
        "ne",
        "s",
        "es",
        "it",
        "in",
        "ka",
        "ki",
        "ko",
        "ku",
        "ke",
        "kom",
        "koj",
        "kog",
        "kih",
        "kim",
        "ce",
        "ci",
        "ca",
        "ski",
        "ska",
        "sko",
        "skog",
        "skom",
        "skoj",
        "ske",
        "sku",
        "skim",
        "skih",
        "ci",
        "cka",
        "cki",
        "cko",
        "cke",
        "ckog",
        "ckom",
        "ckoj",
        "ckih",
        "anin",
        "ani",
        "ana",
        "ansk",
        "anski",
        "anska",
        "anske",
        "anskog",
        "anskom",
        "anskoj",
        "ani",
    ]
) | {""}

#: Stems of at most this many letters only match a capitalised word.
SHORT_STEM = 5
_MAX_WORDS = 3

_WORD_RE = re.compile(r"[^\W\d_]+")
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,  ]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d]|[^\W\d_])"
)

#: Number words (folded) and their values; a digit before a multiplier multiplies it.
_NUMBER_WORDS = {
    **dict.fromkeys(("hiljadu", "hiljada", "hiljade", "iljadu", "iljada", "iljadi",
                     "tisucu", "tisuca", "tisuce", "thousand", "mije", "njemije"), 1000),
    **dict.fromkeys(("milion", "miliona", "milijun", "milijuna", "million", "millions",
                     "milione", "milioni"), 1_000_000),
    **dict.fromkeys(("dvadeset", "twenty", "njezet", "dvaeset"), 20),
    **dict.fromkeys(("trideset", "thirty", "trieset"), 30),
    **dict.fromkeys(("pedeset", "fifty", "pesdhjete", "pedeset"), 50),
    **dict.fromkeys(("stotinu", "hundred", "njeqind", "stotina"), 100),
    **dict.fromkeys(("petsto", "petstotina", "pesto", "pestotini", "pesqind"), 500),
    **dict.fromkeys(("dvesta", "dvjesto", "dvesto", "dveste", "dyqind"), 200),
}  # fmt: skip
_MULTIPLIERS = {1000, 1_000_000}


@dataclass(frozen=True, slots=True)
class Entities:
    """What a text names: place ids (each with its country), normalised numbers and
    months (1-12)."""

    places: frozenset[str] = frozenset()
    numbers: frozenset[float] = frozenset()
    months: frozenset[int] = frozenset()
    #: The places that are not countries or organisations (those have upper-case ids).
    cities: frozenset[str] = frozenset()


_MAX_SUFFIX = max(len(s) for s in SUFFIXES)


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[str, bool]], dict[str, str | None]]:
    stems: dict[str, tuple[str, bool]] = {}
    parents: dict[str, str | None] = {}
    for place, parent, forms in PLACES:
        parents[place] = parent
        for form in forms:
            stems[form.lstrip("^")] = (place, form.startswith("^"))
    return stems, parents


@functools.lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """First words of the stems of several words (``crne`` of ``crne gor``)."""
    return frozenset(stem.split()[0] for stem in _index()[0] if " " in stem)


def _lookup(phrase: str, word: str, lower_text: bool) -> str | None:
    """The place ``phrase`` (folded words joined by spaces) names, longest stem first;
    ``word`` is the first word as written (its capitals)."""
    stems, _ = _index()
    for cut in range(len(phrase), max(1, len(phrase) - _MAX_SUFFIX - 1), -1):
        found = stems.get(phrase[:cut])
        if found is None or phrase[cut:] not in SUFFIXES:
            continue
        place, capitals_only = found
        if capitals_only:
            if not (word[:cut].isupper() and len(word) >= cut):
                continue
        elif cut <= SHORT_STEM and not (lower_text or word[0].isupper()):
            continue
        return place
    return None


_fold_word = functools.lru_cache(maxsize=65_536)(fold)


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` as written and folded."""
    words = _WORD_RE.findall(text or "")
    return words, [_fold_word(w) for w in words]


def places(text: str) -> frozenset[str]:
    """Place ids named in ``text``, each with the country it lies in."""
    return _places(text, *_words(text))


def _places(text: str, words: list[str], folded: list[str]) -> frozenset[str]:
    if not words:
        return frozenset()
    lower_text = not any(ch.isupper() for ch in text)
    _, parents = _index()
    first_words = _first_words()
    found: set[str] = set()
    i = 0
    while i < len(words):
        longest = min(_MAX_WORDS, len(words) - i) if folded[i] in first_words else 1
        for n in range(longest, 0, -1):
            place = _lookup(" ".join(folded[i : i + n]), words[i], lower_text)
            if place is not None:
                found.add(place)
                if parents.get(place):
                    found.add(parents[place])  # type: ignore[arg-type]
                i += n - 1
                break
        i += 1
    return frozenset(found)


def _digits_value(whole: str, fraction: str | None) -> float:
    digits = re.sub(r"\D", "", whole)
    value = float(digits)
    if fraction and not re.search(r"[.,  ]\d{3}$", whole):
        value += float(f"0.{fraction}")
    return value


def numbers(text: str) -> frozenset[float]:
    """Numbers in ``text``, normalised: ``1.000``, ``1,000``, ``1 000``, ``хиљаду`` ->
    1000.0; ``2 miliona`` -> 2000000.0; ``2,5`` -> 2.5.  Digits glued to letters
    (``5G``, ``COVID19``) are names, not numbers."""
    if not text:
        return frozenset()
    found: set[float] = set()
    spans: list[tuple[int, int, float]] = []
    for match in _NUMBER_RE.finditer(text):
        spans.append((match.start(), match.end(), _digits_value(match.group(1), match.group(2))))
    for match in _WORD_RE.finditer(text):
        word_value = _NUMBER_WORDS.get(_fold_word(match.group(0)))
        if word_value is None:
            continue
        before = [s for s in spans if 0 <= match.start() - s[1] <= 1]
        if before and word_value in _MULTIPLIERS:
            start, end, digits = before[-1]
            spans.remove(before[-1])
            spans.append((start, match.end(), digits * word_value))
        else:
            spans.append((match.start(), match.end(), float(word_value)))
    found.update(v for _, _, v in spans)
    return frozenset(found)


@functools.lru_cache(maxsize=1)
def _month_index() -> dict[str, tuple[int, bool]]:
    return {
        form.lstrip("^"): (month, form.startswith("^")) for month, forms in MONTHS for form in forms
    }


def months(text: str) -> frozenset[int]:
    """Months named in ``text``: ``marta``, ``ožujka``, ``март``, ``mars``, ``March`` -> 3."""
    return _months(*_words(text))


def _months(words: list[str], folded_words: list[str]) -> frozenset[int]:
    index = _month_index()
    found: set[int] = set()
    for word, folded in zip(words, folded_words, strict=True):
        for cut in range(len(folded), max(2, len(folded) - _MAX_SUFFIX - 1), -1):
            hit = index.get(folded[:cut])
            if hit is None or folded[cut:] not in SUFFIXES:
                continue
            if not hit[1] or word[:1].isupper():
                found.add(hit[0])
            break
    return frozenset(found)


@functools.lru_cache(maxsize=65_536)
def entities(text: str) -> Entities:
    """Places, numbers and months of ``text`` (cached: candidates' passages recur)."""
    words, folded = _words(text)
    found = _places(text, words, folded)
    return Entities(
        places=found,
        numbers=numbers(text),
        months=_months(words, folded),
        cities=frozenset(p for p in found if not p.isupper()),
    )
