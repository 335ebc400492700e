from __future__ import annotations

from dataclasses import dataclass, field

# Our field -> column names tried in order (case-insensitive). Covers the usual
# exports (CrowdTangle, Junkipedia, 4CAT, Telegram/Twitter scrapers).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "post url", "post_url", "permalink", "URL"),
    "text": ("text", "message", "body", "content", "description", "post text", "full_text"),
    "title": ("title", "link text", "headline"),
    "author": ("author", "account", "account name", "user", "username", "channel", "page name"),
    "published_at": (
        "published_at",
        "date",
        "created_at",
        "post created",
        "timestamp",
        "time",
        "datetime",
    ),
    "platform": ("platform", "source", "network"),
    "external_id": ("id", "post_id", "post id", "message_id"),
    "language": ("language", "lang"),
}
ENGAGEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "likes": ("likes", "like_count", "favourites", "favorite_count", "reactions"),
    "shares": ("shares", "share_count", "retweets", "reposts", "forwards"),
    "comments": ("comments", "comment_count", "replies", "reply_count"),
    "views": ("views", "view_count", "impressions"),
}


@dataclass
class ColumnMapping:
    """Which export column feeds which item field; unset fields use ``DEFAULT_COLUMNS``."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    engagement: dict[str, tuple[str, ...]] = field(default_factory=dict)
    platform: str = "import"  # when the file has no platform column

    @classmethod
    def from_dict(cls, raw: dict) -> ColumnMapping:
        def norm(d: dict) -> dict[str, tuple[str, ...]]:
            return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in (d or {}).items()}

        engagement = norm(raw.get("engagement", {}))
        columns = norm({k: v for k, v in raw.items() if k not in ("engagement", "platform")})
        return cls(columns=columns, engagement=engagement, platform=raw.get("platform", "import"))

    def candidates(self, name: str) -> tuple[str, ...]:
        return self.columns.get(name) or DEFAULT_COLUMNS.get(name, ())

    def engagement_candidates(self) -> dict[str, tuple[str, ...]]:
        return {**ENGAGEMENT_COLUMNS, **self.engagement}
