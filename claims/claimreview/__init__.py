"""Read and write schema.org ClaimReview markup, as publishers actually emit it.

Pure Python (no Django models): ``manage.py import_claimreview``,
``export_claimreview`` and the fact-check page's JSON-LD call into this package.
Import from the package (``from claims.claimreview import ...``); the modules are
its inner layout, each with the contract of its part in its docstring:

- ``types``: ``ClaimReviewRecord``, ``Appearance``, ``ParseResult``/``ParseIssue``
  and the ``ClaimReviewError`` family, shared by reading and writing.
- ``parse``: ``parse_claimreview_json``, the shapes accepted and the positions
  reported; ``record`` reads one review and decides error or warning.
- ``html``: ``extract_claimreview_from_html``, the JSON-LD script blocks of a page.
- ``limits``: what is refused from untrusted markup (size, nesting, unsafe URLs).
- ``values``: how text, numbers, dates and language tags are read and cleaned.
- ``locales``: ``site_locale_for_tag``, the site locale for an ``inLanguage`` tag.
- ``build``: ``build_claimreview``/``build_datafeed``, our Google-ready output.
- ``validate``: ``validate_claimreview``, what consumers require or recommend.

Reading returns a ``ParseResult`` (records, plus ``errors`` for records that were
skipped and ``warnings`` for records kept after a repair); only a source that
cannot be read at all raises a ``ClaimReviewError``. ``parse(build(record))``
returns an equal record (``source_position`` is not compared).
"""

from __future__ import annotations

from .build import SCHEMA_CONTEXT, build_claimreview, build_datafeed
from .html import extract_claimreview_from_html
from .limits import MAX_JSON_CHARS, MAX_SCRIPT_CHARS
from .locales import site_locale_for_tag
from .parse import parse_claimreview_json
from .types import (
    Appearance,
    ClaimReviewError,
    ClaimReviewLimitError,
    ClaimReviewRecord,
    ClaimReviewSyntaxError,
    NotClaimReviewError,
    ParseIssue,
    ParseResult,
)
from .validate import validate_claimreview

__all__ = [
    "MAX_JSON_CHARS",
    "MAX_SCRIPT_CHARS",
    "SCHEMA_CONTEXT",
    "Appearance",
    "ClaimReviewError",
    "ClaimReviewLimitError",
    "ClaimReviewRecord",
    "ClaimReviewSyntaxError",
    "NotClaimReviewError",
    "ParseIssue",
    "ParseResult",
    "build_claimreview",
    "build_datafeed",
    "extract_claimreview_from_html",
    "parse_claimreview_json",
    "site_locale_for_tag",
    "validate_claimreview",
]
