"""Pure helpers for claim matching: rank fusion, sentence splitting, social-text cleaning,
and the calibrated match decision.

Nothing here touches the database or a model; ``search.match()`` composes these with the
backends and :mod:`search.embeddings`.  How the decision parameters were fitted, and on
which data, is in ``docs/matching.md``; the numbers live in ``search/calibration.json``.

Sentence splitting is a regular expression plus the region's abbreviation rules by default.
spaCy's rule-based sentencizer is an optional extra (``pip install -e '.[spacy]'``), used
only when it is installed *and* ``settings.FACTCHECK_SENTENCIZER`` is ``"spacy"``: on the
Balkan dev set and CLEF both give the same match quality (``docs/benchmarks.md``), and
spaCy costs a few hundred megabytes on every install.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.fusion import RRF_K, rrf_fuse

__all__ = [
    "CALIBRATION_PATH",
    "SENTENCIZERS",
    "MatchDecision",
    "RRF_K",
    "clean_social_text",
    "rrf_fuse",
    "split_sentences",
]

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- sentences

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


# --------------------------------------------------------------------------- social text

_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_BARE_LINK_RE = re.compile(r"\b(?:t\.co|bit\.ly|t\.me|youtu\.be|fb\.me|tinyurl\.com)/\S+", re.I)
_MENTION_RE = re.compile(r"(?<![\w.@])@\w+(?:\.\w+)*")
_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w+)")
_RT_RE = re.compile(r"^\s*RT\b[:\s]*", re.IGNORECASE)
_REPEAT_PUNCT_RE = re.compile(r"([!?¡¿])[!?¡¿1]*")  # "!!!1!", "?!?!" -> first mark
_DOTS_RE = re.compile(r"(?:\.\s*){3,}|…+")
_REPEAT_OTHER_RE = re.compile(r"([,;:*~_=+\-])\1+")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([!?.,;:…])")
_ELONGATED_RE = re.compile(r"([^\W\d_])\1{2,}")  # "neeeema" -> "nema" (letters only)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

#: Upper-case words that are acronyms, not shouting: kept as they are.
ACRONYMS = _wordset(
    """
    EU EÚ BE ЕУ UN OUN ООН UNICEF WHO SZO СЗО ЗСО OBSH NATO НАТО USA SAD САД UK RS РС
    BiH БиХ FBiH ФБиХ HR MUP МУП PDV ПДВ DDV ДДВ VAT COVID HIV AIDS СИДА DNK ДНК RNK
    5G 4G OEBS OSCE OSBE KFOR EULEX NVO НВО NGO SNS СНС SPS СПС SDP SDA SDS СДС СДСМ
    HDZ ВМРО VMRO DPS ДПС PS PD LSI VV LDK PDK AAK SDSM DUI ДУИ RTS РТС HRT RTV BBC CNN
    EUR USD KM КМ MKD RSD РСД EPS ЕПС JP ЈП DOO ДОО AD АД NBS НБС HNB ECB MMF IMF
    """
)


def _split_hashtag(tag: str) -> str:
    """``VakcinaUbija`` -> ``Vakcina Ubija``; ``NE_VAKCINI`` -> ``NE VAKCINI``;
    ``HTTPServer`` -> ``HTTP Server``; ``covid19`` stays one word."""
    words: list[str] = []
    for chunk in tag.split("_"):
        current = ""
        for i, ch in enumerate(chunk):
            prev = chunk[i - 1] if i else ""
            nxt = chunk[i + 1] if i + 1 < len(chunk) else ""
            boundary = (
                bool(current)
                and ch.isupper()
                and (prev.islower() or (prev.isupper() and nxt.islower()))
            )
            if boundary:
                words.append(current)
                current = ""
            current += ch
        if current:
            words.append(current)
    return " ".join(words)


def _hashtag_words(match: re.Match[str]) -> str:
    tag = match.group(1)
    if tag.isupper() and tag.replace("_", "") not in ACRONYMS and len(tag) > 3:
        tag = tag.lower()
    return f" {_split_hashtag(tag)} "


def _is_emoji_like(ch: str) -> bool:
    cp = ord(ch)
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF:
        return True
    if cp in (0x200D, 0x20E3, 0xFE0E, 0xFE0F) or 0xE0020 <= cp <= 0xE007F:
        return True  # ZWJ, keycap, variation selectors, tag characters (flags)
    return unicodedata.category(ch) in ("So", "Cs", "Co")


def _strip_emoji(text: str) -> str:
    return "".join(" " if _is_emoji_like(ch) else ch for ch in text)


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _is_shouting(text: str) -> bool:
    letters = _letters(text)
    if len(letters) < 8:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper / len(letters) >= 0.7


def _unshout_word(match: re.Match[str], whole_text_shouting: bool) -> str:
    word = match.group(0)
    if not word.isupper() or word in ACRONYMS:
        return word
    if whole_text_shouting or len(word) >= 5:
        return word.lower()
    return word  # short caps word inside normal text: probably an acronym (MUP, HZZO)


def _capitalise_sentences(text: str) -> str:
    out: list[str] = []
    at_start = True
    for ch in text:
        if at_start and ch.isalpha():
            out.append(ch.upper())
            at_start = False
            continue
        if ch in ".!?…":
            at_start = True
        elif not ch.isspace() and ch not in _OPENERS:
            at_start = False
        out.append(ch)
    return "".join(out)


def clean_social_text(text: str) -> str:
    """Turn a social-media post into plain claim text for embedding and matching.

    * URLs (``http(s)://``, ``www.``, short links) and ``@mentions`` are removed; a
      leading ``RT`` too.  HTML entities are decoded.
    * ``#HashTags`` become words: ``#VakcinaUbija`` -> ``Vakcina Ubija``,
      ``#NE_VAKCINI`` -> ``ne vakcini`` (an all-capitals tag is lowered unless it is a
      known acronym such as ``#EU``).
    * Emoji and pictographs are removed (they rarely carry the claim and they move e5
      vectors); runs of ``!`` / ``?`` collapse to one mark, ``....`` to ``...``,
      letters stretched three times or more (``neeeema``) to one.
    * Shouting is lowered while keeping meaning: if most letters are capitals the whole
      post is lower-cased and each sentence re-capitalised; otherwise only capitalised
      words of 5+ letters are lowered.  Known acronyms (``EU``, ``WHO``, ``СЗО``,
      ``NATO``, ``BiH``, ``COVID``...) are kept in both cases.
    * Whitespace is collapsed.  Diacritics and script are left alone (folding is
      ``search.normalize``'s job, and e5 reads both scripts).
    """
    if not text:
        return ""
    text = html.unescape(unicodedata.normalize("NFC", text))
    text = _RT_RE.sub("", text)
    text = _URL_RE.sub(" ", text)
    text = _BARE_LINK_RE.sub(" ", text)
    text = _MENTION_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(_hashtag_words, text)
    text = _strip_emoji(text)
    text = _DOTS_RE.sub("... ", text)
    text = _REPEAT_PUNCT_RE.sub(r"\1", text)
    text = _REPEAT_OTHER_RE.sub(r"\1", text)
    text = _ELONGATED_RE.sub(r"\1", text)
    shouting = _is_shouting(text)
    text = _WORD_RE.sub(lambda m: _unshout_word(m, shouting), text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
    text = re.sub(r"^[\s:;,.\-–—|]+", "", text)  # "RT @x: ..." leaves a stray colon
    if shouting:
        text = _capitalise_sentences(text)
    return text.strip()


# --------------------------------------------------------------------------- decision


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class MatchDecision:
    """Calibrated "is this post the same claim as that fact-check?" decision.

    Scores are cosine similarities of the embedder named in ``model_id`` between the
    post (embedded as a *query*) and each fact-check claim (embedded as a *passage*).
    ``runner_up_score`` is the best score of a *different* fact-check (not another
    sentence or translation of the same one); ``None`` when there is no other candidate.

    ``rule="threshold_margin"``: match iff ``top >= threshold`` and
    ``top - runner_up >= margin``.  ``rule="logistic"``: match iff
    ``sigmoid(bias + w_top*top + w_margin*margin) >= cut``.
    """

    threshold: float
    margin: float
    rule: str = "threshold_margin"
    model_id: str | None = None
    coef: tuple[float, float, float] | None = None  # (bias, w_top, w_margin)
    cut: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def margin_of(self, top_score: float, runner_up_score: float | None) -> float:
        """``top - runner_up``; 1.0 when there is no runner-up (nothing to confuse)."""
        if runner_up_score is None or math.isnan(runner_up_score):
            return 1.0
        return float(top_score) - float(runner_up_score)

    def probability(self, top_score: float, runner_up_score: float | None = None) -> float:
        """Match probability under the logistic rule (only defined for that rule)."""
        if self.rule != "logistic" or self.coef is None:
            raise ValueError("probability() needs a logistic MatchDecision")
        bias, w_top, w_margin = self.coef
        margin = self.margin_of(top_score, runner_up_score)
        return _sigmoid(bias + w_top * float(top_score) + w_margin * margin)

    def is_match(self, top_score: float, runner_up_score: float | None = None) -> bool:
        """True when the top candidate is confidently the same claim (score AND margin)."""
        if top_score is None or math.isnan(top_score):
            return False
        margin = self.margin_of(top_score, runner_up_score)
        if self.rule == "logistic":
            return self.probability(top_score, runner_up_score) >= self.cut
        return float(top_score) >= self.threshold and margin >= self.margin

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "threshold": self.threshold,
            "margin": self.margin,
        }
        if self.coef is not None:
            data["coef"] = list(self.coef)
            data["cut"] = self.cut
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], model_id: str | None = None) -> MatchDecision:
        coef = data.get("coef")
        return cls(
            threshold=float(data["threshold"]),
            margin=float(data["margin"]),
            rule=str(data.get("rule", "threshold_margin")),
            model_id=model_id,
            coef=tuple(float(c) for c in coef) if coef else None,  # type: ignore[arg-type]
            cut=float(data.get("cut", 0.5)),
            meta=dict(data.get("fitted_on", {})),
        )

    @classmethod
    def load(cls, model_id: str | None = None, path: str | Path | None = None) -> MatchDecision:
        """Parameters for ``model_id`` from ``search/calibration.json``.

        Falls back to the file's ``default_model`` entry when ``model_id`` has no fitted
        entry (the result's ``model_id`` then says which model it was fitted for; a
        different embedder's cosines are on another scale, so refit with
        ``bench/calibrate.py`` before relying on it).
        """
        return _load_decision(str(Path(path or CALIBRATION_PATH)), model_id)


@functools.lru_cache(maxsize=32)
def _load_decision(path: str, model_id: str | None) -> MatchDecision:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    models: dict[str, Any] = data.get("models", {})
    chosen = model_id if model_id in models else data.get("default_model")
    if chosen not in models:
        raise KeyError(f"{path} has no calibration for {model_id!r} and no usable default")
    return MatchDecision.from_dict(models[chosen], model_id=chosen)
