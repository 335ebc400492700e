"""Read the ClaimReview JSON-LD of an HTML page (``<script type="application/ld+json">``).

Each block is checked against the limits of ``limits`` and parsed like a JSON
document (``parse.parse_document``); positions gain the block, e.g.
``script 2, record 1 (@graph item 1)``. ``<!-- -->`` and CDATA wrappers are
blanked out so line and column numbers still point into the page.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from . import limits
from .limits import limit_problem
from .parse import describe_types, parse_document, warn_duplicate_urls
from .types import (
    ClaimReviewError,
    ClaimReviewLimitError,
    ClaimReviewSyntaxError,
    NotClaimReviewError,
    ParseIssue,
    ParseResult,
)


def extract_claimreview_from_html(
    html_text: str, *, source_name: str, base_url: str | None = None
) -> ParseResult:
    """Parse every ``<script type="application/ld+json">`` block of a page.

    Blocks without a ClaimReview (NewsArticle, BreadcrumbList, ...) are skipped.
    A malformed block is reported as an error at ``script N (line L)`` (page
    line/column) and the other blocks are still read. If no block holds a
    ClaimReview, a malformed block raises ``ClaimReviewSyntaxError`` (the review
    may be inside it), a block over the size or nesting limits
    ``ClaimReviewLimitError``; otherwise ``NotClaimReviewError`` is raised.
    """
    if problem := limit_problem(html_text, limits.MAX_JSON_CHARS, "page", nesting=False):
        raise ClaimReviewLimitError(source_name, problem)
    collector = _LdJsonScriptCollector()
    collector.feed(html_text)
    collector.close()
    result = ParseResult(source_name=source_name)
    found = False
    first_unreadable: ClaimReviewError | None = None
    seen_types: set[str] = set()
    for number, (line, column, raw) in enumerate(collector.blocks, 1):
        block = _strip_script_wrappers(raw)
        if not block.strip():
            continue
        if problem := limit_problem(block, limits.MAX_SCRIPT_CHARS, "JSON-LD block"):
            first_unreadable = first_unreadable or ClaimReviewLimitError(
                source_name, f"script {number} (line {line}): {problem}"
            )
            result.errors.append(ParseIssue(f"script {number} (line {line})", problem))
            continue
        try:
            data = json.loads(block, strict=False)
        except json.JSONDecodeError as exc:
            page_line = line + exc.lineno - 1
            page_column = column + exc.colno if exc.lineno == 1 else exc.colno
            error = ClaimReviewSyntaxError(source_name, page_line, page_column, exc.msg)
            first_unreadable = first_unreadable or error
            result.errors.append(
                ParseIssue(
                    f"script {number} (line {line})",
                    f"invalid JSON at line {page_line}, column {page_column}: {exc.msg}",
                )
            )
            continue
        parsed = parse_document(
            data, prefix=f"script {number}, ", base_url=base_url, seen_types=seen_types
        )
        if parsed is not None:
            found = True
            result.extend(parsed)
    if not found:
        if first_unreadable is not None:
            raise first_unreadable
        if not collector.blocks:
            raise NotClaimReviewError(source_name, "no application/ld+json script in the page")
        raise NotClaimReviewError(source_name, describe_types(seen_types))
    warn_duplicate_urls(result)
    return result


class _LdJsonScriptCollector(HTMLParser):
    """Collect ``(line, column, text)`` of each ``application/ld+json`` script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int, int, str]] = []
        self._chunks: list[str] | None = None
        self._start: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "script":
            return
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
        if kind == "application/ld+json":
            self._chunks, self._start = [], None

    def handle_data(self, data: str) -> None:
        if self._chunks is not None:
            if self._start is None:
                self._start = self.getpos()
            self._chunks.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._chunks is not None:
            line, column = self._start or self.getpos()
            self.blocks.append((line, column, "".join(self._chunks)))
            self._chunks = None


_SCRIPT_WRAPPER = re.compile(
    r"^\s*(?:<!--|(?://|/\*)?\s*<!\[CDATA\[(?:\s*\*/)?)|(?:-->|(?://|/\*)?\s*\]\]>(?:\s*\*/)?)\s*$"
)


def _strip_script_wrappers(text: str) -> str:
    """Blank out ``<!-- -->`` / CDATA wrappers, keeping line and column numbers."""
    return _SCRIPT_WRAPPER.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
