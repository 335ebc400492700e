"""Decode untrusted JSON with bounds on nesting depth and size.

``json.loads`` recurses once per nested array or object: 20,000 ``[`` end in a
``RecursionError`` (not a ``ValueError``), which escapes every ``except ValueError``
around a parser and, deeper in our own walkers, can take a whole crawl pass or import
down with a traceback. ``loads_bounded`` measures the nesting *before* decoding, with
a linear scan that stops at the first bracket over the limit, so the decoder and every
walker after it only ever see documents at most ``MAX_DEPTH`` levels deep.

Real documents are shallow: a ClaimReview DataFeed is about 8 levels, a Mastodon or
Bluesky timeline about 6, so ``MAX_DEPTH = 64`` refuses nothing a publisher or API
sends. A ``max_chars`` bound is the caller's (each format knows its own sizes).

Errors are ``JSONLimitError``, a ``ValueError``; syntax errors stay
``json.JSONDecodeError`` and undecodable bytes ``UnicodeDecodeError``, as with
``json.loads``.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "JSONLimitError", "check_nesting", "loads_bounded"]

MAX_DEPTH = 64

# A JSON string (unrolled loop: linear, no catastrophic backtracking on bad input).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JSONLimitError(ValueError):
    """The JSON nests deeper, or is larger, than we accept; the message says which."""


def check_nesting(text: str, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``JSONLimitError`` when arrays/objects in ``text`` nest deeper than ``max_depth``."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONLimitError(
                    f"JSON nested more than {max_depth} levels deep; refused (not a real document)"
                )
        else:
            depth = max(depth - 1, 0)


def loads_bounded(
    data: str | bytes,
    *,
    max_depth: int = MAX_DEPTH,
    max_chars: int | None = None,
    **kwargs: Any,
) -> Any:
    """``json.loads(data, **kwargs)`` after checking size and nesting (see module doc)."""
    if isinstance(data, bytes | bytearray):
        if max_chars is not None and len(data) > max_chars * 4:
            raise JSONLimitError(f"JSON of {len(data):,} bytes is larger than we accept")
        data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    if max_chars is not None and len(data) > max_chars:
        raise JSONLimitError(
            f"JSON of {len(data):,} characters is larger than the {max_chars:,} we accept"
        )
    check_nesting(data, max_depth=max_depth)
    return json.loads(data, **kwargs)
