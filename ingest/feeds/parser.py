"""Turn feed bytes into ``ParsedFeed``. Never fetches: feedparser only sees bytes.

Entry links are resolved against the feed's URL (without one, against the feed's own
home link) and must then pass the http(s) rule
(``sources.urls``): an entry whose link is ``javascript:``, ``data:``, carries
credentials, ... is skipped with a warning. JSON Feeds go through ``loads_bounded``
(nesting at most 64 levels), so a hostile document is a ``FeedParseError``.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from ingest.types import parse_iso_datetime
from sources.safejson import JSONLimitError, loads_bounded
from sources.urls import UnsafeURLError, check_http_url, safe_http_url

from .exceptions import FeedParseError
from .types import FeedEntry, ParsedFeed

MAX_ENTRIES = 500


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _entry_url(base_url: str, link: str, feed: ParsedFeed) -> str:
    """The entry's absolute http(s) URL, or "" with a warning on ``feed``."""
    try:
        return check_http_url(urljoin(base_url, link.strip()) if base_url else link)
    except (UnsafeURLError, ValueError) as exc:
        feed.warnings.append(f"skipped entry with an unusable link: {exc}")
        return ""


def looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def parse_json_feed(data: bytes, *, base_url: str = "") -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        doc = loads_bounded(data)
    except JSONLimitError as exc:
        raise FeedParseError(f"JSON Feed refused: {exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedParseError(f"not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise FeedParseError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    feed = ParsedFeed(
        title=str(doc.get("title", "")),
        link=safe_http_url(doc.get("home_page_url")),
        language=str(doc.get("language", "")),
        format="json",
    )
    items = doc.get("items") or []
    if not isinstance(items, list):
        raise FeedParseError("JSON Feed 'items' is not a list")
    for raw in items[:MAX_ENTRIES]:
        if not isinstance(raw, dict):
            feed.warnings.append("skipped an item that is not an object")
            continue
        url = raw.get("url") or raw.get("external_url") or ""
        if not url:
            feed.warnings.append(f"skipped item {raw.get('id', '?')!r} without url")
            continue
        url = _entry_url(base_url or feed.link, str(url), feed)
        if not url:
            continue
        authors = raw.get("authors") or (
            [raw["author"]] if isinstance(raw.get("author"), dict) else []
        )
        feed.entries.append(
            FeedEntry(
                url=url,
                title=str(raw.get("title", "")),
                summary_html=str(raw.get("summary", "")),
                content_html=str(raw.get("content_html") or raw.get("content_text") or ""),
                author=", ".join(str(a.get("name", "")) for a in authors if isinstance(a, dict)),
                published_at=parse_iso_datetime(raw.get("date_published")),
                guid=str(raw.get("id", "")),
                language=str(raw.get("language", "") or doc.get("language", "")),
            )
        )
    return feed


def parse_feed(data: bytes, *, base_url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0, Atom or JSON Feed bytes.

    Malformed XML that feedparser can salvage keeps every entry read so far and
    records a warning; a document with no recognisable feed raises ``FeedParseError``.
    """
    if "json" in content_type or looks_like_json(data):
        return parse_json_feed(data, base_url=base_url)
    parsed = feedparser.parse(
        data,
        response_headers={
            "content-location": base_url,
            "content-type": content_type or "application/xml",
        },
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    warnings: list[str] = []
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        if not parsed.entries and not parsed.get("version"):
            raise FeedParseError(f"not a readable feed: {exc}")
        warnings.append(f"malformed feed, {len(parsed.entries)} entries salvaged: {exc}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError("document is not RSS, Atom or JSON Feed")
    meta = parsed.get("feed", {})
    feed = ParsedFeed(
        title=str(meta.get("title", "")),
        link=safe_http_url(meta.get("link")),
        language=str(meta.get("language", "")),
        format=str(parsed.get("version", "")),
        warnings=warnings,
    )
    for entry in parsed.entries[:MAX_ENTRIES]:
        link = entry.get("link") or ""
        if not link and str(entry.get("id", "")).startswith("http"):
            link = entry["id"]
        if not link:
            feed.warnings.append(f"skipped entry without link: {entry.get('title', '')[:80]!r}")
            continue
        link = _entry_url(base_url or feed.link, str(link), feed)
        if not link:
            continue
        content = entry.get("content") or []
        feed.entries.append(
            FeedEntry(
                url=link,
                title=str(entry.get("title", "")),
                summary_html=str(entry.get("summary", "")),
                content_html=str(content[0].get("value", "")) if content else "",
                author=str(entry.get("author", "")),
                published_at=_struct_to_datetime(
                    entry.get("published_parsed") or entry.get("updated_parsed")
                ),
                guid=str(entry.get("id", "")),
                language=str(entry.get("language", "") or meta.get("language", "")),
            )
        )
    return feed
