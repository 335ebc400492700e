"""Types shared by every connector and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def parse_iso_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as connectors receive it (``Z`` allowed), always timezone-aware
    (naive values are taken as UTC); None for anything that is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class ItemDraft:
    """What a connector produces for one article/post, before normalisation and dedupe."""

    url: str
    platform: str
    title: str = ""
    text: str = ""
    html: str = ""  # untrusted; the pipeline sanitises it
    author: str = ""
    published_at: datetime | None = None
    engagement: dict[str, Any] = field(default_factory=dict)
    language: str = ""  # the source's own declaration (feed/page/API), a hint only
    raw: bytes = b""
    raw_content_type: str = ""
    external_id: str = ""
    image: str = ""
    needs_article_fetch: bool = False  # feed/sitemap entries: fetch the page for full text


@dataclass
class ChannelPoll:
    """The outcome of polling one channel once."""

    items: list[ItemDraft] = field(default_factory=list)
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""
    warnings: list[str] = field(default_factory=list)
