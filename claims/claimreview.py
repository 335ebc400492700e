"""Read and write schema.org ClaimReview markup, as publishers actually emit it.

Pure Python (no Django models): ``manage.py import_claimreview``,
``export_claimreview`` and the fact-check page's JSON-LD call into this module.

Reading
=======
``parse_claimreview_json`` and ``extract_claimreview_from_html`` return a
``ParseResult``: the records that could be read, plus ``errors`` (a record that
was *skipped*) and ``warnings`` (a record that was kept, but something in it was
repaired or dropped). Only a source that cannot be read at all raises:
``ClaimReviewSyntaxError`` (not JSON; the message names the source, line and
column) or ``NotClaimReviewError`` (valid JSON with no ClaimReview in it).

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

Error or warning
----------------
Errors (the record is skipped and reported; an editor has to fix the source):

- ``claimReviewed`` missing or empty: there is no claim to import.
- no usable ``url`` (``url``, else ``mainEntityOfPage``): the URL is the
  identity of a fact-check for de-duplication and linking; a relative URL is
  resolved against ``base_url`` (or the publisher's URL) and is an error only
  when there is nothing to resolve it against.
- ``reviewRating`` missing, or with neither ``alternateName`` nor a numeric
  ``ratingValue``. A newsroom would not expect us to publish a fact-check
  without a verdict, and inventing a label such as "unrated" would silently put
  unrated items into verdict statistics and the Google feed.

Warnings (the record is kept): ``reviewRating.alternateName`` missing while a
numeric ``ratingValue`` exists (the label must be mapped from the newsroom's
scale); a rating outside ``worstRating..bestRating``; a non-numeric rating
number (ignored; ``""`` counts as absent without a warning, as many publishers
emit it); a list-valued ``claimReviewed`` (items are joined with `` / ``, so
nothing is lost); a date that cannot be read (set to ``None``); a missing
``datePublished`` or publishing ``author``; a missing ``itemReviewed``; a
repaired URL (no scheme -> ``https://``, relative -> resolved); an appearance
URL that had to be dropped; a ClaimReview without ``@type`` (accepted because
it has ``claimReviewed``); a non-schema.org ``@context``; a URL already seen in
an earlier record of the same source.

Text
----
Every text value is cleaned the same way: HTML character references are
unescaped *until stable* (at most three passes, and only well-formed ones ending
in ``;``) because CMSs double-escape (``&amp;#8220;`` is common in WordPress
output); a stray tag (``<br />``) becomes a space; whitespace runs (``\\r\\n``,
tabs, no-break spaces) collapse to one space; the result is NFC-normalised. The
price of unescaping until stable is that a claim *about* entities
(``"&amp;amp; means &"``) loses one level of escaping, which no fact-check in
our languages needs. Dates are the calendar date as written by the publisher
(the time and the UTC offset are dropped, not converted). ``inLanguage`` is left
``None`` when absent: the caller decides the language (outlet metadata first,
see ``LANGUAGES.md``), never this parser.

Writing
=======
``build_claimreview`` turns a record into Google-ready JSON-LD (keys whose value
is unknown are omitted, never ``null``); ``build_datafeed`` wraps reviews in a
schema.org ``DataFeed``; ``validate_claimreview`` lists what consumers require
or recommend. ``parse(build(record))`` returns an equal record (``source_position``
is not compared).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

__all__ = [
    "SCHEMA_CONTEXT",
    "Appearance",
    "ClaimReviewError",
    "ClaimReviewRecord",
    "ClaimReviewSyntaxError",
    "NotClaimReviewError",
    "ParseIssue",
    "ParseResult",
    "build_claimreview",
    "build_datafeed",
    "extract_claimreview_from_html",
    "parse_claimreview_json",
    "validate_claimreview",
]

SCHEMA_CONTEXT = "https://schema.org"

Severity = Literal["error", "warning"]


# --------------------------------------------------------------------------- errors


class ClaimReviewError(ValueError):
    """The source as a whole cannot be read as ClaimReview."""


class ClaimReviewSyntaxError(ClaimReviewError):
    """The source is not valid JSON (or not UTF-8); names the source, line and column."""

    def __init__(self, source_name: str, line: int, column: int, reason: str) -> None:
        self.source_name = source_name
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{source_name}: invalid JSON at line {line}, column {column}: {reason}")


class NotClaimReviewError(ClaimReviewError):
    """The source is valid JSON (or HTML) but holds no ClaimReview."""

    def __init__(self, source_name: str, detail: str = "") -> None:
        self.source_name = source_name
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"{source_name}: no ClaimReview found{suffix}")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Appearance:
    """A place where the claim was seen (``appearance`` / ``firstAppearance``)."""

    url: str
    date: dt.date | None = None
    headline: str | None = None


@dataclass(kw_only=True)
class ClaimReviewRecord:
    """One fact-check, flattened to what the newsroom imports and exports.

    ``claimant`` is the claim's author (``itemReviewed.author``); ``publisher_*``
    is the fact-checking organisation (the review's ``author``, or its
    ``publisher`` when the author is a person). ``claimant_type`` is
    ``"Person"`` or ``"Organization"``, ``""`` when there is no claimant.
    ``source_position`` says where the record was read and is not compared.
    """

    url: str
    claim_reviewed: str
    alternate_name: str = ""
    claimant: str = ""
    claimant_type: str = ""
    claim_date: dt.date | None = None
    appearances: list[Appearance] = field(default_factory=list)
    first_appearance: Appearance | None = None
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    rating_image: str | None = None
    publisher_name: str = ""
    publisher_url: str | None = None
    date_published: dt.date | None = None
    in_language: str | None = None
    headline: str | None = None
    review_body: str | None = None
    source_position: str = field(default="", compare=False)


@dataclass(frozen=True)
class ParseIssue:
    """A problem with one record (or one script block): where, what, how bad."""

    position: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


@dataclass
class ParseResult:
    """Records read from one source; ``errors`` were skipped, ``warnings`` were kept."""

    records: list[ClaimReviewRecord] = field(default_factory=list)
    errors: list[ParseIssue] = field(default_factory=list)
    warnings: list[ParseIssue] = field(default_factory=list)
    source_name: str = ""

    def extend(self, other: ParseResult) -> None:
        self.records.extend(other.records)
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)


# --------------------------------------------------------------------------- reading


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
    try:
        data = json.loads(text, strict=False)  # strict=False: raw newlines/tabs in strings
    except json.JSONDecodeError as exc:
        raise ClaimReviewSyntaxError(source_name, exc.lineno, exc.colno, exc.msg) from exc
    seen_types: set[str] = set()
    result = _parse_document(data, prefix="", base_url=base_url, seen_types=seen_types)
    if result is None:
        raise NotClaimReviewError(source_name, _describe_types(seen_types))
    result.source_name = source_name
    _warn_duplicate_urls(result)
    return result


def extract_claimreview_from_html(
    html_text: str, *, source_name: str, base_url: str | None = None
) -> ParseResult:
    """Parse every ``<script type="application/ld+json">`` block of a page.

    Blocks without a ClaimReview (NewsArticle, BreadcrumbList, ...) are skipped.
    A malformed block is reported as an error at ``script N (line L)`` (page
    line/column) and the other blocks are still read. If no block holds a
    ClaimReview, a malformed block raises ``ClaimReviewSyntaxError`` (the review
    may be inside it); otherwise ``NotClaimReviewError`` is raised.
    """
    collector = _LdJsonScriptCollector()
    collector.feed(html_text)
    collector.close()
    result = ParseResult(source_name=source_name)
    found = False
    first_syntax_error: ClaimReviewSyntaxError | None = None
    seen_types: set[str] = set()
    for number, (line, column, raw) in enumerate(collector.blocks, 1):
        block = _strip_script_wrappers(raw)
        if not block.strip():
            continue
        try:
            data = json.loads(block, strict=False)
        except json.JSONDecodeError as exc:
            page_line = line + exc.lineno - 1
            page_column = column + exc.colno if exc.lineno == 1 else exc.colno
            error = ClaimReviewSyntaxError(source_name, page_line, page_column, exc.msg)
            first_syntax_error = first_syntax_error or error
            result.errors.append(
                ParseIssue(
                    f"script {number} (line {line})",
                    f"invalid JSON at line {page_line}, column {page_column}: {exc.msg}",
                )
            )
            continue
        parsed = _parse_document(
            data, prefix=f"script {number}, ", base_url=base_url, seen_types=seen_types
        )
        if parsed is not None:
            found = True
            result.extend(parsed)
    if not found:
        if first_syntax_error is not None:
            raise first_syntax_error
        if not collector.blocks:
            raise NotClaimReviewError(source_name, "no application/ld+json script in the page")
        raise NotClaimReviewError(source_name, _describe_types(seen_types))
    _warn_duplicate_urls(result)
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


def _describe_types(seen_types: set[str]) -> str:
    return f"found {', '.join(sorted(seen_types))}" if seen_types else ""


def _parse_document(
    data: Any, *, prefix: str, base_url: str | None, seen_types: set[str]
) -> ParseResult | None:
    """Parse one decoded JSON document; ``None`` when it holds no ClaimReview at all."""
    result = ParseResult()
    found = False
    for position, node in _iter_claimreviews(data, seen_types):
        found = True
        record, report = _parse_record(node, prefix + position, base_url)
        result.errors.extend(report.errors)
        if record is not None:  # a skipped record's warnings would only add noise
            result.records.append(record)
            result.warnings.extend(report.warnings)
    return result if found else None


def _warn_duplicate_urls(result: ParseResult) -> None:
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
    elif isinstance(data, dict) and _has_type(data, "DataFeed"):
        top = list(enumerate(_as_list(data.get("dataFeedElement")), 1))
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
    seen_types.update(_types(node))
    children: list[tuple[str, Any]] = []
    if "@graph" in node:
        children = [(f"@graph item {i}", c) for i, c in enumerate(_as_list(node["@graph"]), 1)]
    elif "dataFeedElement" in node:
        elements = _as_list(node["dataFeedElement"])
        children = [(f"element {i}", c) for i, c in enumerate(elements, 1)]
    elif "item" in node or "itemListElement" in node:
        items = _as_list(node.get("item", node.get("itemListElement")))
        children = [(f"item {i}", c) for i, c in enumerate(items, 1)]
        if len(children) == 1:  # a DataFeedItem wrapping one review: no need to say so
            children = [("", children[0][1])]
    for step, child in children:
        yield from _expand(child, (*path, step) if step else path, seen_types)


def _types(node: Mapping) -> list[str]:
    """Type names with any ``schema:`` / ``http://schema.org/`` prefix removed."""
    raw = node.get("@type", node.get("type"))
    return [re.split(r"[/:#]", t.strip())[-1] for t in _as_list(raw) if isinstance(t, str)]


def _has_type(node: Mapping, name: str) -> bool:
    return name.lower() in (t.lower() for t in _types(node))


def _is_claimreview(node: Mapping) -> bool:
    if _has_type(node, "ClaimReview"):
        return True
    return not _types(node) and "claimReviewed" in node


# ------------------------------------------------------------------------ one record


class _Report:
    def __init__(self, position: str) -> None:
        self.position = position
        self.errors: list[ParseIssue] = []
        self.warnings: list[ParseIssue] = []

    def error(self, message: str) -> None:
        self.errors.append(ParseIssue(self.position, message, "error"))

    def warning(self, message: str) -> None:
        self.warnings.append(ParseIssue(self.position, message, "warning"))


def _parse_record(
    node: dict, position: str, base_url: str | None
) -> tuple[ClaimReviewRecord | None, _Report]:
    report = _Report(position)
    if not _types(node):
        report.warning("no @type; read as a ClaimReview because it has claimReviewed")
    context = node.get("@context")
    if context is not None and "schema.org" not in json.dumps(context):
        report.warning("@context is not schema.org; terms read as schema.org anyway")

    claim = _claim_text(node.get("claimReviewed"), report)
    if not claim:
        report.error("claimReviewed is missing or empty")

    publisher_name, publisher_url = _publisher(node, base_url, report)
    url = _review_url(node, base_url or publisher_url, report)

    rating = _first_mapping(node.get("reviewRating"))
    rating_fields = _rating(rating, base_url or publisher_url or url, report) if rating else None
    if rating is None:
        report.error("reviewRating is missing: a fact-check without a verdict cannot be imported")
    elif rating_fields is None:
        report.error("reviewRating has neither alternateName nor a numeric ratingValue")

    date_published = _date(node.get("datePublished"), "datePublished", report)
    if node.get("datePublished") in (None, ""):
        report.warning("datePublished is missing")

    item = _first_mapping(node.get("itemReviewed"))
    if item is None:
        report.warning("itemReviewed is missing (no claimant, claim date or appearance)")
        item = {}
    claimant, claimant_type = _entity_name_and_type(item.get("author"))
    claim_date = _date(item.get("datePublished"), "itemReviewed.datePublished", report)
    appearances = _appearances(item.get("appearance"), url, report)
    firsts = _appearances(item.get("firstAppearance"), url, report, label="firstAppearance")
    first_appearance = firsts[0] if firsts else None
    item_url, _ = _absolute_url(item.get("url"), url)
    known = {a.url for a in appearances} | {a.url for a in firsts}
    if item_url and item_url not in known:
        # Older markup (CreativeWork itemReviewed) puts where the claim appeared in its url.
        appearances.append(Appearance(item_url, claim_date))

    if report.errors:
        return None, report
    assert rating_fields is not None and url is not None
    record = ClaimReviewRecord(
        url=url,
        claim_reviewed=claim,
        claimant=claimant,
        claimant_type=claimant_type,
        claim_date=claim_date,
        appearances=appearances,
        first_appearance=first_appearance,
        publisher_name=publisher_name,
        publisher_url=publisher_url,
        date_published=date_published,
        in_language=_language_tag(_language_value(node.get("inLanguage"))),
        headline=_text(node.get("headline") or node.get("name")) or None,
        review_body=_text(node.get("reviewBody") or node.get("description")) or None,
        source_position=position,
        **rating_fields,
    )
    return record, report


def _claim_text(value: Any, report: _Report) -> str:
    if isinstance(value, list):
        parts = [t for t in (_text(v) for v in value) if t]
        parts = list(dict.fromkeys(parts))
        if len(parts) > 1:
            report.warning(f"claimReviewed is a list of {len(parts)}; joined with ' / '")
        return " / ".join(parts)
    return _text(value)


def _review_url(node: Mapping, base: str | None, report: _Report) -> str | None:
    raw, source = node.get("url"), "url"
    if _text(_scalar(raw)) == "":
        main = node.get("mainEntityOfPage")
        raw = main.get("url", main.get("@id")) if isinstance(main, Mapping) else main
        source = "mainEntityOfPage"
    url, note = _absolute_url(raw, base)
    if url is None:
        report.error(f"url is missing or unusable{f': {note}' if note else ''}")
        return None
    if source != "url":
        report.warning(f"url is missing; used {source} {url}")
    if note:
        report.warning(f"url: {note}")
    return url


def _publisher(node: Mapping, base: str | None, report: _Report) -> tuple[str, str | None]:
    """The fact-checking organisation: an Organization author, else publisher, else any author."""
    authors = [a for a in _as_list(node.get("author")) if a]
    publishers = [p for p in _as_list(node.get("publisher")) if p]
    organisations = [a for a in authors if isinstance(a, Mapping) and not _has_type(a, "Person")]
    for candidate in (*organisations, *publishers, *authors):
        name, _ = _entity_name_and_type(candidate)
        if name:
            url = None
            if isinstance(candidate, Mapping):
                for key in ("url", "@id"):
                    url, _ = _absolute_url(candidate.get(key), base)
                    if url:
                        break
            return name, url
    report.warning("author (the fact-checking organisation) is missing")
    return "", None


def _rating(rating: Mapping, base: str | None, report: _Report) -> dict[str, Any] | None:
    label = _text(rating.get("alternateName")) or _text(rating.get("name"))
    value = _number(rating.get("ratingValue"), "ratingValue", report)
    best = _number(rating.get("bestRating"), "bestRating", report)
    worst = _number(rating.get("worstRating"), "worstRating", report)
    if not label and value is None:
        return None
    if not label:
        report.warning("reviewRating.alternateName is missing; map the label from ratingValue")
    if None not in (value, best, worst) and not (
        min(worst, best) <= value <= max(worst, best)  # type: ignore[type-var]
    ):
        report.warning(
            f"ratingValue {value:g} is outside worstRating..bestRating ({worst:g}..{best:g})"
        )
    image = rating.get("image")
    if isinstance(image, Mapping):
        image = image.get("url", image.get("contentUrl"))
    image_url, _ = _absolute_url(image, base)
    return {
        "alternate_name": label,
        "rating_value": value,
        "best_rating": best,
        "worst_rating": worst,
        "rating_image": image_url,
    }


def _appearances(
    value: Any, base: str | None, report: _Report, *, label: str = "appearance"
) -> list[Appearance]:
    found: list[Appearance] = []
    for entry in _as_list(value):
        if isinstance(entry, Mapping):
            raw = entry.get("url", entry.get("@id"))
            when = _date(entry.get("datePublished"), f"{label}.datePublished", report)
            headline = _text(entry.get("headline") or entry.get("name")) or None
        else:
            raw, when, headline = entry, None, None
        url, note = _absolute_url(raw, base)
        if url is None:
            if note:
                report.warning(f"{label} dropped: {note}")
            continue
        if note:
            report.warning(f"{label}: {note}")
        if url not in {a.url for a in found}:
            found.append(Appearance(url, when, headline))
    return found


def _entity_name_and_type(value: Any) -> tuple[str, str]:
    """Name and Person/Organization of an author given as a string, object or list."""
    names: list[str] = []
    kind = ""
    for entity in _as_list(value):
        if isinstance(entity, Mapping):
            name = ", ".join(t for t in (_text(n) for n in _as_list(entity.get("name"))) if t)
            if name and not kind:
                types = [t.lower() for t in _types(entity)]
                kind = "Person" if "person" in types or not types else "Organization"
        else:
            name = _text(entity)
            if name and not kind:
                kind = "Person"
        if name and name not in names:
            names.append(name)
    return ", ".join(names), (kind if names else "")


def _language_value(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):  # {"@type": "Language", "alternateName": "sr-Cyrl"}
        value = value.get("alternateName") or value.get("name")
    return _text(value) or None


# ------------------------------------------------------------------------ values


_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MAX_UNESCAPE_PASSES = 3


def _text(value: Any) -> str:
    """Clean one text value (see "Text" in the module docstring); ``""`` when absent."""
    value = _scalar(value)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    text = value
    for _ in range(_MAX_UNESCAPE_PASSES):
        unescaped = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
        if unescaped == text:
            break
        text = unescaped
    text = _TAG.sub(" ", text).replace("\ufeff", "").replace("\u200b", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _number(value: Any, label: str, report: _Report) -> float | None:
    value = _scalar(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip().replace(",", ".")):
        number = float(value.strip().replace(",", "."))
    else:
        report.warning(f"{label} {value!r} is not a number; ignored")
        return None
    if not math.isfinite(number):
        report.warning(f"{label} {value!r} is not a finite number; ignored")
        return None
    return number


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s].*)?")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\.?(?:\s.*)?")  # 14.03.2024.


def _date(value: Any, label: str, report: _Report) -> dt.date | None:
    value = _scalar(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = _parse_date(value)
    if parsed is None:
        report.warning(f"{label} {value!r} is not a date; ignored")
    return parsed


def _parse_date(value: Any) -> dt.date | None:
    """The calendar date as written: ISO date/datetime or ``14.03.2024.``; ``None`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = match.groups()
        elif match := _DOTTED_DATE.fullmatch(text):
            day, month, year = match.groups()
        else:
            return None
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# A bare host at the start of a scheme-less URL ("aosfatos.org/noticias/..."), not a file name.
_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+(?!(?:html?|php|aspx?|jsp)\b)[A-Za-z]{2,}(?::\d+)?")


def _absolute_url(value: Any, base: str | None) -> tuple[str | None, str | None]:
    """An absolute http(s) URL and a note when it had to be repaired or was refused."""
    raw = _scalar(_first(value))
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    url = raw.strip().replace("&amp;", "&")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url, None
    if url.startswith("//"):
        return "https:" + url, f"scheme-relative {url!r}; assumed https"
    if _HOST.fullmatch(url.split("/")[0]):
        return "https://" + url, f"{url!r} has no scheme; assumed https"
    if parts.scheme:
        return None, f"{url!r} is not an http(s) URL"
    if base and urlsplit(base).scheme in ("http", "https"):
        return urljoin(base, url), f"relative {url!r} resolved against {base}"
    return None, f"relative {url!r} with no base URL to resolve it against"


def _language_tag(tag: str | None) -> str | None:
    """BCP 47 casing: ``sr_latn_rs`` -> ``sr-Latn-RS``."""
    if not tag:
        return None
    subtags = [s for s in re.split(r"[-_\s]+", tag.strip()) if s]
    if not subtags:
        return None
    out = [subtags[0].lower()]
    for sub in subtags[1:]:
        if len(sub) == 4 and sub.isalpha():
            out.append(sub.title())
        elif (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            out.append(sub.upper())
        else:
            out.append(sub.lower())
    return "-".join(out)


def _scalar(value: Any) -> Any:
    """Unwrap a JSON-LD value object ``{"@value": ...}``."""
    if isinstance(value, Mapping) and "@value" in value:
        return value["@value"]
    return value


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _first(value: Any) -> Any:
    items = _as_list(value)
    return items[0] if items else None


def _first_mapping(value: Any) -> Mapping | None:
    return next((v for v in _as_list(value) if isinstance(v, Mapping)), None)


# ------------------------------------------------------------------------ HTML


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


# --------------------------------------------------------------------------- writing


def build_claimreview(record: ClaimReviewRecord | Mapping[str, Any]) -> dict[str, Any]:
    """Schema.org ClaimReview JSON-LD for one fact-check, as Google documents it.

    ``record`` is a ``ClaimReviewRecord`` or a mapping with the same keys
    (appearances as ``Appearance``, mappings or URL strings; dates as ``date``,
    ``datetime`` or ISO strings). ``author`` is the publishing newsroom. Unknown
    values are omitted rather than emitted as ``null``.
    """
    rec = record if isinstance(record, ClaimReviewRecord) else _record_from_mapping(record)
    review: dict[str, Any] = {"@context": SCHEMA_CONTEXT, "@type": "ClaimReview"}
    _put(review, "url", rec.url)
    _put(review, "claimReviewed", rec.claim_reviewed)
    _put(review, "datePublished", _iso(rec.date_published))
    _put(review, "inLanguage", _language_tag(rec.in_language))
    _put(review, "headline", rec.headline)
    _put(review, "reviewBody", rec.review_body)

    author: dict[str, Any] = {"@type": "Organization"}
    _put(author, "name", rec.publisher_name)
    _put(author, "url", rec.publisher_url)
    if len(author) > 1:
        review["author"] = author

    rating: dict[str, Any] = {"@type": "Rating"}
    _put(rating, "ratingValue", _json_number(rec.rating_value))
    _put(rating, "bestRating", _json_number(rec.best_rating))
    _put(rating, "worstRating", _json_number(rec.worst_rating))
    _put(rating, "alternateName", rec.alternate_name)
    _put(rating, "image", rec.rating_image)
    review["reviewRating"] = rating

    claim: dict[str, Any] = {"@type": "Claim"}
    if rec.claimant:
        claim["author"] = {"@type": rec.claimant_type or "Person", "name": rec.claimant}
    _put(claim, "datePublished", _iso(rec.claim_date))
    _put(claim, "appearance", [_creative_work(a) for a in rec.appearances])
    if rec.first_appearance is not None:
        claim["firstAppearance"] = _creative_work(rec.first_appearance)
    if len(claim) > 1:
        review["itemReviewed"] = claim
    return review


def build_datafeed(
    reviews: Iterable[Mapping[str, Any] | ClaimReviewRecord],
    *,
    name: str,
    url: str,
    date_modified: dt.date | dt.datetime | str,
) -> dict[str, Any]:
    """A schema.org ``DataFeed`` of reviews, in the shape of Google's fact-check feed.

    Each review becomes a ``DataFeedItem`` with ``dateCreated`` (the review's
    ``datePublished``), ``url`` and an ``item`` list holding the ClaimReview, as
    in the Data Commons / Fact Check Markup Tool feed. The feed carries the one
    ``@context``; nested reviews drop theirs.
    """
    elements = []
    for review in reviews:
        body = build_claimreview(review) if isinstance(review, ClaimReviewRecord) else dict(review)
        body.pop("@context", None)
        element: dict[str, Any] = {"@type": "DataFeedItem"}
        _put(element, "dateCreated", body.get("datePublished"))
        _put(element, "url", body.get("url"))
        element["item"] = [body]
        elements.append(element)
    modified = date_modified if isinstance(date_modified, str) else date_modified.isoformat()
    feed: dict[str, Any] = {"@context": SCHEMA_CONTEXT, "@type": "DataFeed"}
    _put(feed, "name", name)
    _put(feed, "url", url)
    _put(feed, "dateModified", modified)
    feed["dataFeedElement"] = elements
    return feed


def _record_from_mapping(data: Mapping[str, Any]) -> ClaimReviewRecord:
    names = {f.name for f in fields(ClaimReviewRecord)}
    values = {k: v for k, v in data.items() if k in names}
    for key in ("claim_date", "date_published"):
        if key in values:
            values[key] = _parse_date(values[key])
    for key in ("rating_value", "best_rating", "worst_rating"):
        if values.get(key) not in (None, ""):
            values[key] = float(values[key])
        else:
            values[key] = None
    values["appearances"] = [
        a for a in (_coerce_appearance(v) for v in _as_list(values.get("appearances"))) if a
    ]
    values["first_appearance"] = _coerce_appearance(values.get("first_appearance"))
    values.setdefault("url", "")
    values.setdefault("claim_reviewed", "")
    return ClaimReviewRecord(**values)


def _coerce_appearance(value: Any) -> Appearance | None:
    if value is None or isinstance(value, Appearance):
        return value
    if isinstance(value, str):
        return Appearance(value) if value else None
    if isinstance(value, Mapping) and value.get("url"):
        when = value.get("date", value.get("datePublished"))
        return Appearance(value["url"], _parse_date(when), value.get("headline") or None)
    raise TypeError(f"cannot read an appearance from {value!r}")


def _creative_work(appearance: Appearance) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "url": appearance.url}
    _put(work, "datePublished", _iso(appearance.date))
    _put(work, "headline", appearance.headline)
    return work


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "" and value != []:
        target[key] = value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# --------------------------------------------------------------------------- validation


def validate_claimreview(obj: Mapping[str, Any]) -> list[str]:
    """Problems that stop ClaimReview consumers from using ``obj`` (one JSON-LD review).

    Each message starts with ``required:``, ``recommended:`` or ``invalid:``
    (a value present but wrong); an empty list means nothing to fix.

    Sources for the lists:

    - Google Search Central, "Fact check (ClaimReview) structured data"
      (developers.google.com/search/docs/appearance/structured-data/factcheck),
      tabulated by Full Fact's markup investigation: REQUIRED
      ``claimReviewed``, ``reviewRating``, ``reviewRating.alternateName``,
      ``url``; RECOMMENDED ``author``, ``datePublished``, ``itemReviewed``,
      ``itemReviewed.author``/``datePublished``/``appearance``/
      ``firstAppearance``, ``reviewRating.ratingValue``/``bestRating``/
      ``worstRating``. Google only reads the schema.org ``@context``.
    - schema.org (``shared/data/schemaorg-claimreview/``, v30.0): the types
      (ClaimReview, Rating, Claim, CreativeWork) and that rating numbers are
      digits with ``.`` as decimal point.

    Deviation: ``author`` (the fact-checking organisation, with ``name``) is
    treated as required, because the Fact Check Explorer and the Data Commons
    feed attribute every fact-check to it and our exports always have it.
    ``ratingValue`` must lie between ``worstRating`` and ``bestRating``.
    """
    problems: list[str] = []
    if not isinstance(obj, Mapping):
        return ["invalid: a ClaimReview must be a JSON object"]
    if not _has_type(obj, "ClaimReview"):
        problems.append("required: @type must be ClaimReview")
    context = obj.get("@context")
    if context is not None and "schema.org" not in json.dumps(context):
        problems.append("invalid: @context must be https://schema.org")
    if not _text(obj.get("claimReviewed")) or not isinstance(obj.get("claimReviewed"), str):
        problems.append("required: claimReviewed (one non-empty text)")
    url = obj.get("url")
    if not url:
        problems.append("required: url")
    elif _absolute_url(url, None) != (url, None):
        problems.append(f"invalid: url {url!r} must be an absolute http(s) URL")

    author = _first_mapping(obj.get("author"))
    if author is None or not _text(author.get("name")):
        problems.append("required: author with a name (the fact-checking organisation)")
    elif not author.get("url"):
        problems.append("recommended: author.url")

    _check_date(obj, "datePublished", "datePublished", problems)
    _validate_rating(obj.get("reviewRating"), problems)

    item = obj.get("itemReviewed")
    if not isinstance(item, Mapping):
        problems.append("recommended: itemReviewed (a Claim)")
        return problems
    claimant = _first_mapping(item.get("author"))
    if claimant is None or not _text(claimant.get("name")):
        problems.append("recommended: itemReviewed.author with a name")
    _check_date(item, "datePublished", "itemReviewed.datePublished", problems)
    if not item.get("appearance") and not item.get("firstAppearance"):
        problems.append("recommended: itemReviewed.appearance or itemReviewed.firstAppearance")
    for key in ("appearance", "firstAppearance"):
        for work in _as_list(item.get(key)):
            link = work.get("url") if isinstance(work, Mapping) else work
            if _absolute_url(link, None) != (link, None):
                problems.append(
                    f"invalid: itemReviewed.{key} {link!r} is not an absolute http(s) URL"
                )
    return problems


def _validate_rating(rating: Any, problems: list[str]) -> None:
    if not isinstance(rating, Mapping):
        problems.append("required: reviewRating (a Rating)")
        return
    if not _text(rating.get("alternateName")):
        problems.append("required: reviewRating.alternateName (the verdict as text)")
    numbers: dict[str, float] = {}
    for key in ("ratingValue", "bestRating", "worstRating"):
        value = rating.get(key)
        if value is None or value == "":
            problems.append(f"recommended: reviewRating.{key}")
        elif isinstance(value, bool) or not (
            isinstance(value, int | float) or _NUMBER.fullmatch(str(value).strip())
        ):
            problems.append(f"invalid: reviewRating.{key} {value!r} is not a number")
        else:
            numbers[key] = float(value)
    if len(numbers) == 3:
        value, best, worst = numbers["ratingValue"], numbers["bestRating"], numbers["worstRating"]
        if worst > best:
            problems.append(f"invalid: reviewRating.worstRating {worst:g} > bestRating {best:g}")
        elif not worst <= value <= best:
            problems.append(
                f"invalid: reviewRating.ratingValue {value:g} is outside {worst:g}..{best:g}"
            )


def _check_date(node: Mapping, key: str, label: str, problems: list[str]) -> None:
    value = node.get(key)
    if value is None or value == "":
        problems.append(f"recommended: {label}")
    elif not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        problems.append(f"invalid: {label} {value!r} is not an ISO 8601 date")
