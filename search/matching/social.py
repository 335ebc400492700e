"""Social-media clean-up: a post becomes plain claim text for embedding and matching."""

from __future__ import annotations

import html
import re
import unicodedata

from search.matching.sentences import _OPENERS, _wordset

__all__ = ["ACRONYMS", "clean_social_text"]

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
