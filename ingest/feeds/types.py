from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class FeedEntry:
    url: str
    title: str = ""
    summary_html: str = ""
    content_html: str = ""
    author: str = ""
    published_at: datetime | None = None
    guid: str = ""
    language: str = ""


@dataclass
class ParsedFeed:
    title: str = ""
    link: str = ""
    language: str = ""
    format: str = ""  # 'rss20', 'atom10', 'json', ...
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. malformed XML that was salvaged
