"""Balkan text normalisation shared by every search backend, at index and query time.

Pure Python, no Django import: ingest, the backends, the benchmark and the tests all
call the same functions, so a word indexed from a document and the same word typed
by a reader always become the same token.

Pipeline
--------
``to_latin``  Cyrillic -> Latin, losslessly (``docs/languages.md``)
              (Serbian/Montenegrin: ``ђ->đ ћ->ć``; Macedonian: ``ѓ->gj ќ->kj ѕ->dz``;
              Bulgarian: streamlined system ``щ->sht ъ->a ж->zh``). With no language
              the mapping is chosen per word: a Macedonian-only letter (``ѓ ќ ѕ``)
              selects the Macedonian table, a Bulgarian-only letter (``щ ъ ь ю я й``)
              the Bulgarian one, everything else the Serbian one.
``fold``      ``to_latin``, then ``đ->dj``, ISO ``ǵ ḱ -> gj kj``, lowercase and strip
              combining marks (NFKD), so ``Вучић``, ``Vučić`` and ``vucic`` all fold to
              ``vucic``.
``tokens``    fold + split into words and numbers + stop words + stem/lemma.

Stemming choices (measured, see ``tests/search/test_normalize.py``)
-------------------------------------------------------------------
* hbs (``sr sr-latn sr-cyrl hr bs cnr``): the Snowball ``serbian`` stemmer runs on
  the **folded** word. It would accept diacritics too, but stemming the folded form
  is the only way to guarantee that ``Vučić`` and ``vucic`` get the same stem: the
  stemmer is a function of its input, so equal input gives equal output. The
  stemmer re-introduces ``đ`` for ``dj`` (``djokovic -> đokovic``), so its output is
  folded again. It also folds ijekavian to ekavian (``cjepivo -> cepiv``).
* ``dj -> d`` in hbs tokens: readers type ``Đoković`` as ``Djokovic`` *and*
  ``Dokovic``. Indexing both spellings would double the postings and make
  highlighting ambiguous, so the token keeps one spelling, ``d``: ``Ђоковић``,
  ``Đoković``, ``djokovic`` and ``dokovic`` all become ``dokovic``. Native ``dj``
  sequences that are not ``đ`` are rare (``nadjačati``) and collide with nothing
  real. ``fold`` itself still returns ``dj`` (that is the documented folding).
* mk, sq, sl, bg: ``simplemma`` lemmatises the word in its original script and
  diacritics (its tables need them: ``вакцините -> вакцина``, ``gratë -> grua``),
  then the lemma is folded.
* en: Snowball ``english`` on the folded word.

Language-agnostic mode (``language=None``)
------------------------------------------
A reader may type in any language and a document may be in any of them, and a
one-word query carries no evidence of its language. Guessing per text would let
the same word tokenise differently in a query and in a document (``vakcine`` alone
looks English, ``vakcine su opasne`` looks Serbian), which breaks matching. So with
no language every word takes the same deterministic path: fold, drop the union of
all stop lists, ``dj -> d``, and keep the first ``AGNOSTIC_PREFIX`` (5) characters
(truncation stemming: language-neutral and idempotent, unlike any Snowball stemmer).
That stemmer only strips Slavic suffixes; on English or Albanian it is mostly a
no-op and, being applied identically on both sides, never hurts recall. The
backends index every document twice (its own language, and this agnostic form), and
query both, so a Macedonian document still meets a Serbian query.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["HBS_LANGUAGES", "fold", "language_family", "normalize", "to_latin", "tokens"]

HBS_LANGUAGES = frozenset({"sr", "sr-latn", "sr-cyrl", "hr", "bs", "cnr", "sh", "hbs"})
_LEMMA_LANGUAGES = frozenset({"mk", "sq", "sl", "bg"})

#: Longest text ``tokens`` looks at; beyond it text is ignored (keeps worst cases bounded).
MAX_TEXT_CHARS = 2_000_000
#: The language-agnostic form keeps this many leading characters of each folded word. Prefix
#: truncation is a known cross-language stemmer (McNamee & Mayfield, "Character N-gram
#: tokenization for European language text retrieval", 2004): it lets cognates meet
#: across languages (``pandemija``/``pandemic`` -> ``pande``, ``Sarajevo``/``Sarajevski``
#: -> ``saraj``) where no shared stemmer exists. It is only the recall field; the
#: per-language field keeps precision.
AGNOSTIC_PREFIX = 5
#: Words longer than this are not words (base64, hashes) and are dropped.
MAX_TOKEN_CHARS = 60


def language_family(language: str | None) -> str | None:
    """Map a locale code (``sr-Latn``, ``hr``, ``mk``...) to the pipeline that handles it."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-")
    if code in HBS_LANGUAGES or code.split("-")[0] in HBS_LANGUAGES:
        return "hbs"
    base = code.split("-")[0]
    if base in _LEMMA_LANGUAGES or base == "en":
        return base
    return "other"


# --- transliteration -------------------------------------------------------------

_SERBIAN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
    # Letters of neighbouring alphabets that may turn up in Serbian text.
    "ѓ": "gj",
    "ќ": "kj",
    "ѕ": "dz",
    "й": "j",
    "ё": "jo",
    "ъ": "",
    "ь": "",
    "ы": "y",
    "э": "e",
    "ю": "ju",
    "я": "ja",
    "щ": "šč",
    "є": "je",
    "і": "i",
    "ї": "ji",
    "ґ": "g",
}
_MACEDONIAN = {**_SERBIAN, "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "ђ": "đ", "ћ": "ć"}
_BULGARIAN = {
    **_SERBIAN,
    "ж": "zh",
    "ч": "ch",
    "ш": "sh",
    "щ": "sht",
    "ц": "ts",
    "х": "h",
    "ъ": "a",
    "ь": "y",
    "ю": "yu",
    "я": "ya",
    "й": "y",
}


def _table(mapping: dict[str, str]) -> dict[int, str]:
    table: dict[int, str] = {}
    for cyr, lat in mapping.items():
        table[ord(cyr)] = lat
        # Title case for the capital: Љ -> Lj (all-caps words are fixed up per word).
        table[ord(cyr.upper())] = lat[:1].upper() + lat[1:]
    return table


_TABLES = {
    "sr": _table(_SERBIAN),
    "mk": _table(_MACEDONIAN),
    "bg": _table(_BULGARIAN),
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_WORD = re.compile(r"\w*[\u0400-\u04ff][\w\u0301]*")
_MK_ONLY = re.compile(r"[ѓќѕЃЌЅ]")
_BG_ONLY = re.compile(r"[щъьюяйЩЪЬЮЯЙ]")
_MULTI = re.compile(r"[ЉЊЏЃЌЅЖЧШЩЦЮЯ]")  # capitals that become two Latin letters


def _table_for(language: str | None) -> str | None:
    family = language_family(language)
    if family == "mk":
        return "mk"
    if family == "bg":
        return "bg"
    if family is None:
        return None
    return "sr"


def _word_to_latin(word: str, table_name: str | None) -> str:
    if table_name is None:
        if _MK_ONLY.search(word):
            table_name = "mk"
        elif _BG_ONLY.search(word):
            table_name = "bg"
        else:
            table_name = "sr"
    out = word.translate(_TABLES[table_name])
    # An all-caps word keeps digraphs all-caps: ЉУБАВ -> LJUBAV, not LjUBAV.
    if len(word) > 1 and word.isupper() and _MULTI.search(word):
        out = out.upper()
    return out


def to_latin(text: str, language: str | None = None) -> str:
    """Transliterate Cyrillic in ``text`` to Latin; Latin and other scripts pass through.

    ``language`` picks the table (Serbian/Montenegrin, Macedonian, Bulgarian); with
    ``None`` it is decided per word from letters only one alphabet has. Montenegrin
    ``с́ з́`` (letter + combining acute) come out as ``ś ź``.
    """
    if not text or not _CYRILLIC.search(text):
        return text
    text = unicodedata.normalize("NFC", text)
    table_name = _table_for(language)
    if table_name is not None and not _MULTI.search(text):
        # Fast path: one table, no all-caps digraph to fix up.
        out = text.translate(_TABLES[table_name])
    else:
        out = _CYRILLIC_WORD.sub(lambda m: _word_to_latin(m.group(0), table_name), text)
    # Compose s + U+0301 -> ś (Montenegrin), and similar.
    return unicodedata.normalize("NFC", out)


# --- folding -----------------------------------------------------------------------

# Letters NFKD does not decompose, and the ISO Macedonian forms that must become
# digraphs rather than lose their accent.
_FOLD_EXTRA = {
    "đ": "dj",
    "Đ": "dj",
    "ǵ": "gj",
    "Ǵ": "gj",
    "ḱ": "kj",
    "Ḱ": "kj",
    "ł": "l",
    "Ł": "l",
    "ø": "o",
    "Ø": "o",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ß": "ss",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "þ": "th",
    # Ð (U+00D0, eth) is what many keyboards and OCR produce for Đ in Balkan text.
    "Ð": "dj",
    "ð": "dj",
}
_FOLD_TABLE = {ord(k): v for k, v in _FOLD_EXTRA.items()}


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_FOLD_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def fold(text: str, language: str | None = None) -> str:
    """``to_latin``, then ``đ->dj``, ``ǵ ḱ -> gj kj``, lowercase, strip combining marks.

    ``fold("Ђоковић") == fold("Đoković") == "djokovic"``.
    """
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    text = to_latin(text, language)
    # Only the non-ASCII runs need the Unicode work (and they repeat a lot: cache).
    return _NON_ASCII_RUN.sub(lambda m: _fold_word(m.group(0)), text).lower()


# --- tokenising ------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)([^\s/?#:]+)[^\s]*", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:\.\d{3})+)(?![\d]|\.\d)")
# Letters and digits; combining marks stay inside a word (Montenegrin ``с́`` is с + U+0301).
_WORD = re.compile(r"[^\W_][^\W_\u0300-\u036f]*(?:[\u0300-\u036f]+[^\W_]*)*")
_URL_NOISE = frozenset({"www", "com", "org", "net", "http", "https", "html", "php"})


def _host_words(match: re.Match[str]) -> str:
    # A URL is reduced to the words of its host (``www.istinomer.rs`` -> ``istinomer rs``):
    # paths and query strings are noise for search.
    parts = [p for p in re.split(r"[.\-]", match.group(1)) if p.lower() not in _URL_NOISE]
    return " " + " ".join(parts) + " "


def _raw_words(text: str) -> list[str]:
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    if "http" in text or "www." in text:
        text = _URL.sub(_host_words, text)
    if "." in text:
        # ``100.000 eura`` and ``100000 eura`` must meet: drop thousands separators.
        text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(".", ""), text)
    return [w for w in _WORD.findall(text) if len(w) <= MAX_TOKEN_CHARS]


@lru_cache(maxsize=8)
def _stemmer(name: str):  # -> Stemmer.Stemmer
    import Stemmer

    return Stemmer.Stemmer(name)


@lru_cache(maxsize=1)
def _stop_words() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    from search.stopwords import ALL_STOP_WORDS, STOP_WORDS

    return STOP_WORDS, ALL_STOP_WORDS


_PLURAL_INFIX = ("ovi", "ova", "ove", "ovima", "evi", "eva", "eve", "evima")


def _dj_to_d(word: str) -> str:
    """``dj -> d`` to a fixed point: ``djj`` (from ``ÐJ``) must not come out as ``dj``."""
    while "dj" in word:
        word = word.replace("dj", "d")
    return word


@lru_cache(maxsize=262144)
def _stem_fixpoint(word: str, stemmer_name: str, dj_to_d: bool, prefix: int = 0) -> str:
    # Stemmers are not idempotent (``mikrocipovi -> mikrocipov -> mikrocip``); index
    # and query text is normalised once, but ``normalize(normalize(x)) == normalize(x)``
    # makes a stored normalised string safe to feed back, so stem to a fixed point.
    stem = _stemmer(stemmer_name).stemWord
    current = word
    for _ in range(4):
        nxt = stem(current)
        if not nxt.isascii():
            nxt = fold(nxt)  # the serbian stemmer writes đ for dj
        if dj_to_d:
            nxt = _dj_to_d(nxt)
            # Snowball serbian keeps the plural infix of short masculine nouns
            # (``gradovi -> gradov``, ``mikročipovi -> mikrocipov``) while the singular
            # stems to ``grad``/``mikrocip``; drop it so singular and plural meet.
            if (
                len(nxt) >= 6
                and current.endswith(_PLURAL_INFIX)
                and nxt.endswith(("ov", "ev"))
                or len(nxt) >= 8
                and nxt.endswith("sk")
            ):
                nxt = nxt[:-2]
        if prefix:
            nxt = nxt[:prefix]
        if nxt == current or not nxt:
            break
        current = nxt
    return current or word


def _stems(
    folded_words: list[str], stop: frozenset[str], stemmer_name: str, prefix: int = 0
) -> list[str]:
    dj_to_d = stemmer_name == "serbian"
    out = []
    for word in folded_words:
        if word in stop:
            continue
        stem = _stem_fixpoint(word, stemmer_name, dj_to_d, prefix)
        # A stem can coincide with a stop word (``nasa -> nas``): drop it too, so a
        # second pass over the output finds nothing more to remove.
        if stem not in stop:
            out.append(stem)
    return out


@lru_cache(maxsize=262144)
def _lemma_tokens(word: str, lang: str) -> tuple[str, ...]:
    import simplemma

    current = word
    # Lemmatise to a fixed point for the same reason as ``_stem_fixpoint``.
    for _ in range(3):
        try:
            lemma = simplemma.lemmatize(current, lang=lang)
        except Exception:  # simplemma is total in practice; never let search fail on it
            lemma = current
        folded = fold(lemma.lower(), lang)
        if folded == current or lemma.lower() == current:
            current = folded
            break
        current = folded
    return tuple(_WORD.findall(current))


def tokens(text: str, language: str | None = None) -> list[str]:
    """Fold, split into words and numbers, drop stop words, stem or lemmatise.

    The result depends only on ``text`` and on the *family* of ``language``
    (``hbs``, ``mk``, ``sq``, ``sl``, ``bg``, ``en``, unknown). See the module
    docstring for the per-language choices and the ``None`` mode. Never raises on
    any ``str``.
    """
    if not text:
        return []
    family = language_family(language)
    stops, all_stops = _stop_words()
    if family in _LEMMA_LANGUAGES:
        stop = stops[family]
        out: list[str] = []
        # simplemma needs the original script and diacritics; fold the lemma afterwards.
        for word in _raw_words(text):
            lowered = word.lower()
            if fold(lowered, family) in stop:
                continue
            out.extend(t for t in _lemma_tokens(lowered, family) if t not in stop)
        return out
    folded_words = _raw_words(fold(text, language))
    if family == "en":
        return _stems(folded_words, stops["en"], "english")
    if family == "hbs":
        return _stems(folded_words, stops["hbs"], "serbian")
    if family == "other":
        # A language we have no tools for: fold only, no stop words, no stemming.
        return folded_words
    # Language-agnostic: stem, then truncate to a prefix (see AGNOSTIC_PREFIX).
    out = []
    for word in folded_words:
        if word in all_stops:
            continue
        token = _dj_to_d(word)[:AGNOSTIC_PREFIX]
        if token not in all_stops:
            out.append(token)
    return out


def normalize(text: str, language: str | None = None) -> str:
    """``" ".join(tokens(text, language))``: the string both backends index and query."""
    return " ".join(tokens(text, language))
