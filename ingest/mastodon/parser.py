"""Mastodon targets and status JSON -> drafts. Pure: never fetches.

A status' ``url`` (its web page), else its ``uri`` (the ActivityPub id), must pass the
http(s) rule (``sources.urls``): a status with neither is skipped with a warning.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from ingest.text import html_to_text
from ingest.types import ItemDraft, parse_iso_datetime
from sources.urls import UnsafeURLError, check_http_url, safe_http_url

from .exceptions import MastodonParseError, MastodonTargetError
from .types import MastodonTarget

_HOST = r"[A-Za-z0-9.-]+(?::\d+)?"


def parse_target(value: str) -> MastodonTarget:
    """'#tag@instance', '@user@instance', 'https://instance/tags/tag', 'https://instance/@user'."""
    value = value.strip()
    if match := re.fullmatch(rf"#(\w+)@({_HOST})", value):
        return MastodonTarget(base_url=f"https://{match.group(2)}", tag=match.group(1))
    if match := re.fullmatch(rf"@?(\w+)@({_HOST})", value):
        return MastodonTarget(base_url=f"https://{match.group(2)}", account=match.group(1))
    if safe_http_url(value):
        parts = urlsplit(value)
        base = f"{parts.scheme}://{parts.netloc}"
        path = parts.path.strip("/").split("/")
        if len(path) == 2 and path[0] == "tags" and path[1]:
            return MastodonTarget(base_url=base, tag=path[1])
        if len(path) == 1 and path[0].startswith("@") and len(path[0]) > 1:
            return MastodonTarget(base_url=base, account=path[0][1:])
    raise MastodonTargetError(
        f"not a Mastodon hashtag or account: {value!r} (use '#tag@instance' or '@user@instance')"
    )


def timeline_path(target: MastodonTarget, *, limit: int = 40) -> str:
    return f"/api/v1/timelines/tag/{quote(target.tag)}?limit={limit}"


def _status_url(status: dict[str, Any], warnings: list[str]) -> str:
    """The status' web URL, else its ActivityPub id; "" (with a warning) if neither is http(s)."""
    problem = ""
    for key in ("url", "uri"):
        value = status.get(key)
        if not value:
            continue
        try:
            return check_http_url(value)
        except UnsafeURLError as exc:
            problem = problem or str(exc)
    if problem:
        warnings.append(f"skipped status {str(status.get('id', '?'))[:40]!r}: {problem}")
    return ""


def parse_statuses(payload: Any, *, warnings: list[str] | None = None) -> list[ItemDraft]:
    """Drafts from a list of statuses; skipped statuses are noted in ``warnings``."""
    if not isinstance(payload, list):
        raise MastodonParseError("expected a JSON list of statuses")
    warnings = warnings if warnings is not None else []
    drafts: list[ItemDraft] = []
    for status in payload:
        if not isinstance(status, dict):
            continue
        if isinstance(status.get("reblog"), dict):
            status = status["reblog"]  # the boosted post is the content
        url = _status_url(status, warnings)
        if not url:
            continue
        content = str(status.get("content") or "")
        account = status.get("account") if isinstance(status.get("account"), dict) else {}
        drafts.append(
            ItemDraft(
                url=url,
                platform="mastodon",
                text=html_to_text(content),
                html=content,
                author=str(account.get("acct") or account.get("username") or ""),
                published_at=parse_iso_datetime(status.get("created_at")),
                language=str(status.get("language") or ""),
                external_id=str(status.get("id", "")),
                engagement={
                    key: status[key]
                    for key in ("replies_count", "reblogs_count", "favourites_count")
                    if isinstance(status.get(key), int)
                },
            )
        )
    return drafts
