"""Poll a public Telegram channel's web preview through the polite HTTP layer."""

from __future__ import annotations

from django.conf import settings

from ingest.http import PoliteClient
from ingest.types import ChannelPoll, ItemDraft

from .parser import channel_name, parse_preview
from .types import TelegramPost

DEFAULT_BASE_URL = "https://t.me"


class TelegramClient:
    def __init__(
        self, http: PoliteClient, *, base_url: str | None = None, max_pages: int = 1
    ) -> None:
        self.http = http
        self.base_url = (
            base_url or settings.FACTCHECK_TELEGRAM_BASE_URL or DEFAULT_BASE_URL
        ).rstrip("/")
        self.max_pages = max_pages

    def posts(self, target: str) -> list[TelegramPost]:
        name = channel_name(target)
        url = f"{self.base_url}/s/{name}"
        posts: list[TelegramPost] = []
        for _ in range(self.max_pages):
            result = self.http.get(url, accept=("text/html",))
            page = parse_preview(result.text, base_url=self.base_url)
            posts.extend(page.posts)
            if page.before is None:
                break
            url = f"{self.base_url}/s/{name}?before={page.before}"
        return posts

    def poll(self, target: str) -> ChannelPoll:
        return ChannelPoll(items=[post_to_draft(p) for p in self.posts(target)])


def post_to_draft(post: TelegramPost) -> ItemDraft:
    engagement: dict[str, object] = {}
    if post.views is not None:
        engagement["views"] = post.views
    if post.forwarded_from:
        engagement["forwarded_from"] = post.forwarded_from
    if post.edited:
        engagement["edited"] = True
    return ItemDraft(
        url=post.url,
        platform="telegram",
        text=post.text,
        html=post.html,
        author=post.author or post.channel,
        published_at=post.published_at,
        engagement=engagement,
        external_id=f"{post.channel}/{post.post_id}",
    )
