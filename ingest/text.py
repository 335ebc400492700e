"""Text utilities shared by the pipeline: folding, hashing, MinHash, HTML to text.

Folding comes from ``search`` (``ingest`` may import ``search``, through its public
surface, never the reverse: docs/architecture.md), so a Cyrillic and a Latin copy of a
text hash and shingle alike exactly as they are indexed and matched. Language and script
detection belong to ``search`` too (``search.detect_language``): a crawled item and an
imported fact-check get the same language for the same text.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from collections.abc import Sequence

import nh3

import search

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Transliterate Cyrillic to Latin, lowercase, ``đ -> dj``, strip diacritics (search's fold)."""
    return search.fold(text)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def content_hash(text: str) -> str:
    """Hash of the folded word sequence: equal for script/whitespace/case variants."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


#: Hostile markup is cut to this many characters *before* it reaches nh3 or a regex,
#: so a 50 MB post costs no more than a 500 kB one (the pipeline keeps 200,000
#: characters of text anyway).
MAX_HTML_INPUT = 500_000


def html_to_text(html: str, *, limit: int = MAX_HTML_INPUT) -> str:
    """Plain text from (hostile) HTML: tags dropped, <br>/<p> become line breaks.

    The input is cut to ``limit`` characters first; the sanitiser then closes whatever
    the cut left open, so the text never ends in half an entity."""
    from lxml import html as lxml_html

    html = html[:limit]
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
    """nh3 whitelist: no scripts, no event handlers, no styles; links get rel=noopener.

    Truncate *before* sanitising, never after: the sanitiser's work is bounded by
    ``limit`` however large the hostile input, and its output is always well-formed
    (a tag or an entity the cut split is dropped or escaped, open tags are closed).
    Cutting the sanitised output instead could end it inside ``&amp;`` or ``</b``.
    The output may exceed ``limit`` by what escaping and ``rel`` attributes add.
    """
    if not html:
        return ""
    return nh3.clean(
        html[:limit],
        tags=SAFE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


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
