"""What we refuse to read from another newsroom's markup: oversize input, unsafe URLs.

Untrusted input
---------------
Another newsroom's markup is untrusted. Every URL read from it (the review's ``url``
and ``mainEntityOfPage``, ``itemReviewed.url``, ``appearance[].url``,
``firstAppearance``, ``author.url`` and ``author.sameAs``, the rating ``image``)
must pass the http(s) rule of ``sources.urls`` after any repair below: no
``javascript:``/``data:``/``vbscript:``, no control characters, no credentials, at
most 2,048 characters. A URL that does not is dropped with a warning and the rest of
the record kept; only the review's own URL is required (without it, or a usable
``mainEntityOfPage``, the record is skipped). ``build_claimreview`` applies the same
rule on the way out, so a bad URL that reached the database is never exported.

Limits: a JSON document is at most ``MAX_JSON_CHARS`` (20 million characters) and an
HTML page's JSON-LD block at most ``MAX_SCRIPT_CHARS`` (1 million); arrays and objects
nest at most ``MAX_DEPTH`` (64) levels. Real ClaimReview is under ten levels deep; a
deeper or larger document raises ``ClaimReviewLimitError`` (a ``ClaimReviewError``:
the import command reports it and writes nothing) instead of a ``RecursionError``
traceback. In an HTML page such a block is reported like a malformed one and the
other blocks are still read.

The limits are read at call time as ``limits.MAX_JSON_CHARS`` /
``limits.MAX_SCRIPT_CHARS`` (a test lowers them on this module).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from sources.safejson import MAX_DEPTH, JSONLimitError, check_nesting
from sources.urls import UnsafeURLError, check_http_url

from .values import first_value, scalar

__all__ = ["MAX_DEPTH", "MAX_JSON_CHARS", "MAX_SCRIPT_CHARS", "absolute_url", "limit_problem"]

MAX_JSON_CHARS = 20_000_000
MAX_SCRIPT_CHARS = 1_000_000


def limit_problem(text: str, max_chars: int, what: str, *, nesting: bool = True) -> str:
    """Why ``text`` is refused (too large, nested too deep), or "" when it may be parsed."""
    if len(text) > max_chars:
        return f"the {what} is {len(text):,} characters, larger than the {max_chars:,} we read"
    if nesting:
        try:
            check_nesting(text, max_depth=MAX_DEPTH)
        except JSONLimitError:
            return f"the {what} is nested more than {MAX_DEPTH} levels deep; refused"
    return ""


# A bare host at the start of a scheme-less URL ("aosfatos.org/noticias/..."), not a file name.
_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+(?!(?:html?|php|aspx?|jsp)\b)[A-Za-z]{2,}(?::\d+)?")


def absolute_url(value: Any, base: str | None) -> tuple[str | None, str | None]:
    """An absolute http(s) URL and a note when it had to be repaired or was refused.

    Whatever the repair, the result must pass ``sources.urls.check_http_url``."""
    url, note = _repaired_url(value, base)
    if url is None:
        return None, note
    try:
        return check_http_url(url), note
    except UnsafeURLError as exc:
        return None, str(exc)


def _repaired_url(value: Any, base: str | None) -> tuple[str | None, str | None]:
    raw = scalar(first_value(value))
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    url = raw.strip().replace("&amp;", "&")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url, None
    if url.startswith("//"):
        return "https:" + url, f"scheme-relative {_short(url)}; assumed https"
    if _HOST.fullmatch(url.split("/")[0]):
        return "https://" + url, f"{_short(url)} has no scheme; assumed https"
    if parts.scheme:
        return None, f"{_short(url)} is not an http(s) URL"
    if base and urlsplit(base).scheme in ("http", "https"):
        return urljoin(base, url), f"relative {_short(url)} resolved against {base}"
    return None, f"relative {_short(url)} with no base URL to resolve it against"


def _short(url: str) -> str:
    """A URL quoted in a message: repr, cut to 120 characters."""
    return repr(url if len(url) <= 120 else url[:117] + "...")
