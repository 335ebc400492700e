from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class TelegramPost:
    channel: str
    post_id: int
    url: str
    text: str = ""
    html: str = ""
    author: str = ""
    published_at: datetime | None = None
    views: int | None = None
    edited: bool = False
    forwarded_from: str = ""


@dataclass
class TelegramPage:
    posts: list[TelegramPost] = field(default_factory=list)
    before: int | None = None  # pass as ?before= to get older posts
