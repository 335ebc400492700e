"""Poll a Mastodon hashtag or account timeline through the polite HTTP layer."""

from __future__ import annotations

import json
from urllib.parse import quote

from ingest.http import PoliteClient
from ingest.types import ChannelPoll, ItemDraft
from sources.safejson import JSONLimitError, loads_bounded

from .exceptions import MastodonParseError
from .parser import parse_statuses, parse_target, timeline_path

JSON_TYPES = ("application/json", "+json")


class MastodonClient:
    def __init__(self, http: PoliteClient, *, base_url: str | None = None, limit: int = 40) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") if base_url else None  # overrides the instance
        self.limit = limit

    def _json(self, url: str) -> object:
        result = self.http.get(url, accept=JSON_TYPES)
        try:
            return loads_bounded(result.content)
        except JSONLimitError as exc:
            raise MastodonParseError(f"refused JSON from {url}: {exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MastodonParseError(f"invalid JSON from {url}: {exc}") from exc

    def statuses(self, target_value: str, *, warnings: list[str] | None = None) -> list[ItemDraft]:
        target = parse_target(target_value)
        base = self.base_url or target.base_url
        if target.tag:
            payload = self._json(base + timeline_path(target, limit=self.limit))
            return parse_statuses(payload, warnings=warnings)
        account = self._json(f"{base}/api/v1/accounts/lookup?acct={quote(target.account)}")
        if not isinstance(account, dict) or "id" not in account:
            raise MastodonParseError(f"account lookup for {target.account!r} returned no id")
        path = f"/api/v1/accounts/{quote(str(account['id']))}/statuses"
        payload = self._json(f"{base}{path}?limit={self.limit}&exclude_reblogs=false")
        return parse_statuses(payload, warnings=warnings)

    def poll(self, target_value: str) -> ChannelPoll:
        warnings: list[str] = []
        items = self.statuses(target_value, warnings=warnings)
        return ChannelPoll(items=items, warnings=warnings)
