"""Step 1 of a match: validate the text and cut it into the units that are matched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from search.matching.sentences import split_sentences
from search.matching.social import clean_social_text

__all__ = [
    "MAX_LIMIT",
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "Units",
    "max_sentences",
    "max_text_chars",
    "prepare_units",
    "too_long_message",
]

#: Longest text accepted (characters), unless ``FACTCHECK_MATCH_MAX_CHARS`` says otherwise.
MAX_TEXT_CHARS = 20_000
#: Most results one call returns.
MAX_LIMIT = 50
#: Sentences of a long text that are matched (the first ones, after de-duplication),
#: unless ``FACTCHECK_MATCH_MAX_SENTENCES`` says otherwise.
MAX_SENTENCES = 40
#: Sentence splitting reads at most ``max_sentences() * 4`` times this many characters.
SCAN_CHARS_PER_SENTENCE = 1000
#: Sentences shorter than this (in words) are ignored when the text has longer ones.
MIN_SENTENCE_WORDS = 3
#: A multi-sentence text up to this long is also matched as a whole.
WHOLE_TEXT_MAX_CHARS = 600
#: ... if it is at most this long before cleaning (links and emoji go; a longer raw text
#: is not cleaned whole just to find it too long).
WHOLE_TEXT_SCAN_CHARS = 10 * WHOLE_TEXT_MAX_CHARS

_BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _positive_setting(name: str, default: int) -> int:
    from django.conf import settings

    try:
        value = int(getattr(settings, name))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def max_text_chars() -> int:
    """Longest text one call accepts: ``FACTCHECK_MATCH_MAX_CHARS`` (default 20,000)."""
    return _positive_setting("FACTCHECK_MATCH_MAX_CHARS", MAX_TEXT_CHARS)


def max_sentences() -> int:
    """Sentences one call embeds and queries: ``FACTCHECK_MATCH_MAX_SENTENCES`` (40)."""
    return _positive_setting("FACTCHECK_MATCH_MAX_SENTENCES", MAX_SENTENCES)


def too_long_message(length: int) -> str:
    return f"text is too long ({length:,} characters); the limit is {max_text_chars():,}"


def clean_input(text: Any) -> str:
    """``text`` with control characters and lone surrogates replaced; ``ValueError`` for a
    non-string, an over-long text (checked first, so a huge text costs one comparison)
    or one with nothing but whitespace."""
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    if len(text) > max_text_chars():
        raise ValueError(too_long_message(len(text)))
    text = _BAD_CHARS_RE.sub(" ", text)
    if not text.strip():
        raise ValueError("text is empty: send the post or claim to match")
    return text


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


@dataclass(slots=True)
class Units:
    """What is matched: ``texts`` (embedded and queried); the first ``n_sentences`` of
    them are sentences of the input, a trailing extra one is the whole cleaned text."""

    texts: list[str]
    n_sentences: int


def prepare_units(text: str, language: str | None = None) -> Units:
    """Sentences of ``text`` cleaned of social-media noise, deduplicated and capped."""
    text = clean_input(text)
    cap = max_sentences()
    seen: set[str] = set()
    sentences: list[str] = []
    for raw in split_sentences(text[: cap * 4 * SCAN_CHARS_PER_SENTENCE], language):
        cleaned = clean_social_text(raw)
        key = cleaned.casefold()
        if not cleaned or not _WORD_RE.search(cleaned) or key in seen:
            continue
        seen.add(key)
        sentences.append(cleaned)
        if len(sentences) >= cap * 4:  # enough to choose the long ones from
            break
    long_enough = [s for s in sentences if _words(s) >= MIN_SENTENCE_WORDS]
    sentences = (long_enough or sentences)[:cap]
    texts = list(sentences)
    if len(sentences) > 1 and len(text) <= WHOLE_TEXT_SCAN_CHARS:
        whole = clean_social_text(text)
        if len(whole) <= WHOLE_TEXT_MAX_CHARS and whole.casefold() not in seen:
            texts.append(whole)
    return Units(texts=texts, n_sentences=len(sentences))
