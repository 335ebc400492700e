"""Parse CSV, JSON lines or a JSON array of post objects into ``ItemDraft``s.

A row's URL must pass the http(s) rule (``sources.urls``: no ``javascript:``, no
credentials, no control characters, at most 2,048 characters); other rows are skipped
with a warning. JSON is decoded with ``loads_bounded`` (at most 64 levels deep).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser

from ingest.types import ItemDraft
from sources.safejson import JSONLimitError, loads_bounded
from sources.urls import UnsafeURLError, check_http_url

from .exceptions import ImportParseError
from .types import ColumnMapping

MAX_ROWS = 50_000
_NUMBER_SUFFIX = {"k": 1_000, "m": 1_000_000}


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1250", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """Rows as dicts with lower-cased keys; format sniffed from the first character."""
    text = _decode(data).strip()
    if not text:
        raise ImportParseError("empty import file")
    rows: list[Any]
    if text[0] == "[":
        try:
            rows = loads_bounded(text)
        except JSONLimitError as exc:
            raise ImportParseError(f"JSON array refused: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise ImportParseError(f"not a JSON array: {exc}") from exc
    elif text[0] == "{":
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(loads_bounded(line))
                except JSONLimitError as exc:
                    raise ImportParseError(f"JSON lines: line {number}: {exc}") from exc
                except json.JSONDecodeError as exc:
                    raise ImportParseError(f"JSON lines: line {number}: {exc}") from exc
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
        except csv.Error as exc:
            raise ImportParseError(f"not valid CSV: {exc}") from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ImportParseError("expected a list of objects (one per post)")
    return [{str(k).strip().lower(): v for k, v in r.items() if k is not None} for r in rows]


def _pick(row: dict[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = row.get(name.lower())
        if value not in (None, ""):
            return value
    return None


def parse_count(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip().lower().replace(",", "").replace(" ", "")
    multiplier = _NUMBER_SUFFIX.get(text[-1:], 1) if text else 1
    if multiplier > 1:
        text = text[:-1]
    try:
        return int(float(text) * multiplier)
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float) or str(value).strip().isdigit():
            seconds = float(value)
            if seconds > 1e11:  # milliseconds
                seconds /= 1000
            return datetime.fromtimestamp(seconds, UTC)
        parsed = dateparser.parse(str(value))
    except (ValueError, OverflowError, OSError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_import(
    data: bytes, *, mapping: ColumnMapping | None = None
) -> tuple[list[ItemDraft], list[str]]:
    """Drafts and warnings (rows skipped for lack of a URL). Raises ``ImportParseError``."""
    mapping = mapping or ColumnMapping()
    rows = read_rows(data)
    if len(rows) > MAX_ROWS:
        raise ImportParseError(f"{len(rows)} rows: more than {MAX_ROWS} in one file")
    drafts: list[ItemDraft] = []
    warnings: list[str] = []
    for number, row in enumerate(rows, 1):
        url = _pick(row, mapping.candidates("url"))
        if not url or not str(url).strip().lower().startswith(("http://", "https://")):
            warnings.append(f"row {number}: no http(s) URL, skipped")
            continue
        try:
            url = check_http_url(str(url))
        except UnsafeURLError as exc:
            warnings.append(f"row {number}: unusable URL, skipped: {exc}")
            continue

        def field(name: str, row: dict[str, Any] = row) -> str:
            value = _pick(row, mapping.candidates(name))
            return "" if value is None else str(value).strip()

        engagement = {}
        for key, names in mapping.engagement_candidates().items():
            count = parse_count(_pick(row, names))
            if count is not None:
                engagement[key] = count
        drafts.append(
            ItemDraft(
                url=url,
                platform=(field("platform") or mapping.platform).lower()[:50],
                title=field("title"),
                text=field("text"),
                author=field("author"),
                published_at=parse_datetime(_pick(row, mapping.candidates("published_at"))),
                engagement=engagement,
                language=field("language"),
                external_id=field("external_id"),
                raw=json.dumps(row, ensure_ascii=False, default=str).encode(),
                raw_content_type="application/json",
            )
        )
    return drafts, warnings
