"""Poll a feed through the polite HTTP layer (conditional GET) and turn entries into drafts."""

from __future__ import annotations

from ingest.http import PoliteClient
from ingest.text import html_to_text
from ingest.types import ChannelPoll, ItemDraft

from .parser import parse_feed

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
    "text/plain",
    "text/html",
    "+xml",
    "+json",
)


class FeedClient:
    def __init__(self, http: PoliteClient) -> None:
        self.http = http

    def poll(self, url: str, *, etag: str = "", last_modified: str = "") -> ChannelPoll:
        result = self.http.get(url, etag=etag, last_modified=last_modified, accept=FEED_TYPES)
        if result.not_modified:
            return ChannelPoll(not_modified=True, etag=etag, last_modified=last_modified)
        feed = parse_feed(result.content, base_url=result.url, content_type=result.content_type)
        items = [
            ItemDraft(
                url=entry.url,
                platform="feed",
                title=html_to_text(entry.title),
                text=html_to_text(entry.content_html or entry.summary_html),
                html=entry.content_html or entry.summary_html,
                author=entry.author,
                published_at=entry.published_at,
                language=entry.language,
                external_id=entry.guid,
                needs_article_fetch=True,
            )
            for entry in feed.entries
        ]
        return ChannelPoll(
            items=items,
            etag=result.etag,
            last_modified=result.last_modified,
            warnings=feed.warnings,
        )
