"""Poll a Bluesky author feed or search through the polite HTTP layer."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings

from ingest.http import PoliteClient
from ingest.types import ChannelPoll, ItemDraft
from sources.safejson import JSONLimitError, loads_bounded

from .exceptions import BlueskyParseError
from .parser import parse_posts, parse_target

DEFAULT_APPVIEW = "https://public.api.bsky.app"


class BlueskyClient:
    def __init__(self, http: PoliteClient, *, base_url: str | None = None, limit: int = 50) -> None:
        self.http = http
        appview = base_url or settings.FACTCHECK_BLUESKY_APPVIEW or DEFAULT_APPVIEW
        self.base_url = appview.rstrip("/")
        self.limit = limit

    def posts(self, target_value: str) -> list[ItemDraft]:
        target = parse_target(target_value)
        if target.query:
            method = "app.bsky.feed.searchPosts"
            params = {"q": target.query, "limit": self.limit, "sort": "latest"}
        else:
            method = "app.bsky.feed.getAuthorFeed"
            params = {"actor": target.actor, "limit": self.limit, "filter": "posts_no_replies"}
        url = f"{self.base_url}/xrpc/{method}?{urlencode(params)}"
        result = self.http.get(url, accept=("application/json", "+json"))
        try:
            payload = loads_bounded(result.content)
        except JSONLimitError as exc:
            raise BlueskyParseError(f"refused JSON from {method}: {exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BlueskyParseError(f"invalid JSON from {method}: {exc}") from exc
        return parse_posts(payload)

    def poll(self, target_value: str) -> ChannelPoll:
        return ChannelPoll(items=self.posts(target_value))
