"""Read a ClaimReview JSON(-LD) document: find every review in it, in order.

``parse_claimreview_json`` returns a ``ParseResult``: the records that could be
read, plus ``errors`` (a record that was *skipped*) and ``warnings`` (a record
that was kept, but something in it was repaired or dropped). Only a source that
cannot be read at all raises: ``ClaimReviewSyntaxError`` (not JSON; the message
names the source, line and column), ``ClaimReviewLimitError`` (over the limits of
``limits``) or ``NotClaimReviewError`` (valid JSON with no ClaimReview in it).
One record is read by ``record.parse_record``; ``html`` reuses
``parse_document`` for each script block of a page.

Shapes accepted (all seen in real publishers' markup): a single object, a list,
a ``DataFeed`` whose ``dataFeedElement`` holds ClaimReviews or ``DataFeedItem``
wrappers with an ``item`` list (Google's Fact Check Markup Tool / Data Commons
feed), a ``@graph`` mixed with WebPage/Organization/BreadcrumbList nodes (those
are skipped silently), ``http``/``https``/no ``@context``, ``type`` for
``@type``, ``@type`` as a list, and JSON-LD value objects (``{"@value": ...}``).

Positions
---------
``record N`` is the 1-based position of the top-level element that holds the
review: the element of a top-level list, the ``dataFeedElement`` of a DataFeed,
or ``record 1`` for a single object. Where the review sits deeper, the path
follows in brackets: ``record 1 (@graph item 9)``, ``record 3 (item 2)``.
HTML adds the script block: ``script 2, record 1 (@graph item 1)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from . import limits
from .limits import limit_problem
from .record import parse_record
from .types import (
    ClaimReviewLimitError,
    ClaimReviewSyntaxError,
    NotClaimReviewError,
    ParseIssue,
    ParseResult,
)
from .values import as_list, has_type, node_types


def parse_claimreview_json(
    text_or_bytes: str | bytes, *, source_name: str, base_url: str | None = None
) -> ParseResult:
    """Parse a ClaimReview JSON(-LD) document in any of the shapes publishers emit.

    ``base_url`` resolves relative URLs (otherwise the publisher's own URL is
    used when it is absolute). Raises ``ClaimReviewSyntaxError`` for malformed
    JSON and ``NotClaimReviewError`` when no ClaimReview is present; problems
    with single records are reported in the result (see the module docstring).
    """
    text = _decode(text_or_bytes, source_name)
    if problem := limit_problem(text, limits.MAX_JSON_CHARS, "document"):
        raise ClaimReviewLimitError(source_name, problem)
    try:
        data = json.loads(text, strict=False)  # strict=False: raw newlines/tabs in strings
    except json.JSONDecodeError as exc:
        raise ClaimReviewSyntaxError(source_name, exc.lineno, exc.colno, exc.msg) from exc
    seen_types: set[str] = set()
    result = parse_document(data, prefix="", base_url=base_url, seen_types=seen_types)
    if result is None:
        raise NotClaimReviewError(source_name, describe_types(seen_types))
    result.source_name = source_name
    warn_duplicate_urls(result)
    return result


def _decode(text_or_bytes: str | bytes, source_name: str) -> str:
    if isinstance(text_or_bytes, str):
        return text_or_bytes.removeprefix("\ufeff")
    try:
        return text_or_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = text_or_bytes.count(b"\n", 0, exc.start) + 1
        column = exc.start - text_or_bytes.rfind(b"\n", 0, exc.start)
        raise ClaimReviewSyntaxError(
            source_name, line, column, "not UTF-8 text (JSON must be UTF-8)"
        ) from exc


def describe_types(seen_types: set[str]) -> str:
    return f"found {', '.join(sorted(seen_types))}" if seen_types else ""


def parse_document(
    data: Any, *, prefix: str, base_url: str | None, seen_types: set[str]
) -> ParseResult | None:
    """Parse one decoded JSON document; ``None`` when it holds no ClaimReview at all."""
    result = ParseResult()
    found = False
    for position, node in _iter_claimreviews(data, seen_types):
        found = True
        record, report = parse_record(node, prefix + position, base_url)
        result.errors.extend(report.errors)
        if record is not None:  # a skipped record's warnings would only add noise
            result.records.append(record)
            result.warnings.extend(report.warnings)
    return result if found else None


def warn_duplicate_urls(result: ParseResult) -> None:
    first_seen: dict[str, str] = {}
    for record in result.records:
        earlier = first_seen.setdefault(record.url, record.source_position)
        if earlier != record.source_position:
            result.warnings.append(
                ParseIssue(
                    record.source_position,
                    f"url {record.url} already appears in {earlier}",
                    "warning",
                )
            )


# ------------------------------------------------------------------ walking the document


def _iter_claimreviews(data: Any, seen_types: set[str]) -> Iterator[tuple[str, dict]]:
    """Yield ``(position, node)`` for every ClaimReview node, in document order."""
    if isinstance(data, list):
        top = list(enumerate(data, 1))
    elif isinstance(data, dict) and has_type(data, "DataFeed"):
        top = list(enumerate(as_list(data.get("dataFeedElement")), 1))
    else:
        top = [(1, data)]
    for number, node in top:
        for path, review in _expand(node, (), seen_types):
            label = f"record {number}"
            yield (f"{label} ({', '.join(path)})" if path else label), review


def _expand(
    node: Any, path: tuple[str, ...], seen_types: set[str]
) -> Iterator[tuple[tuple[str, ...], dict]]:
    if not isinstance(node, dict):
        return
    if _is_claimreview(node):
        yield path, node
        return
    seen_types.update(node_types(node))
    children: list[tuple[str, Any]] = []
    if "@graph" in node:
        children = [(f"@graph item {i}", c) for i, c in enumerate(as_list(node["@graph"]), 1)]
    elif "dataFeedElement" in node:
        elements = as_list(node["dataFeedElement"])
        children = [(f"element {i}", c) for i, c in enumerate(elements, 1)]
    elif "item" in node or "itemListElement" in node:
        items = as_list(node.get("item", node.get("itemListElement")))
        children = [(f"item {i}", c) for i, c in enumerate(items, 1)]
        if len(children) == 1:  # a DataFeedItem wrapping one review: no need to say so
            children = [("", children[0][1])]
    for step, child in children:
        yield from _expand(child, (*path, step) if step else path, seen_types)


def _is_claimreview(node: Mapping) -> bool:
    if has_type(node, "ClaimReview"):
        return True
    return not node_types(node) and "claimReviewed" in node
