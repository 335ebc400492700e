"""Bluesky targets and XRPC JSON -> drafts. Pure: never fetches.

A post's URL is built, never taken from the payload: ``https://bsky.app/profile/``
+ the author's handle (only when it is a valid handle, else the DID from the post's
``at://`` URI) + ``/post/`` + the record key (atproto record-key syntax only). A post
whose parts do not fit is skipped, so nothing from the payload can change the URL's
scheme or host.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ingest.types import ItemDraft, parse_iso_datetime
from sources.urls import safe_http_url

from .exceptions import BlueskyParseError, BlueskyTargetError
from .types import BlueskyTarget

_HANDLE = re.compile(r"^(did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")
_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}")
_RKEY = re.compile(r"[A-Za-z0-9._~:-]{1,512}")
_POST_URI = re.compile(r"at://([^/]+)/app\.bsky\.feed\.post/([^/]+)")
EARLIEST = datetime(2023, 1, 1, tzinfo=UTC)


def parse_target(value: str) -> BlueskyTarget:
    """'@name.bsky.social', 'did:plc:...', 'https://bsky.app/profile/NAME', 'search:words'."""
    value = value.strip()
    if value.lower().startswith("search:"):
        query = value[7:].strip()
        if not query:
            raise BlueskyTargetError("empty Bluesky search query")
        return BlueskyTarget(query=query)
    if value.startswith(("http://", "https://")):
        path = urlsplit(value).path.strip("/").split("/")
        value = path[1] if len(path) >= 2 and path[0] == "profile" else ""
    value = value.lstrip("@")
    if not _HANDLE.match(value):
        raise BlueskyTargetError(f"not a Bluesky handle, DID or 'search:' query: {value!r}")
    return BlueskyTarget(actor=value)


def post_url(uri: str, handle: str) -> str:
    """at://did/app.bsky.feed.post/RKEY -> https://bsky.app/profile/HANDLE/post/RKEY

    "" when the URI's record key or repo is not valid atproto syntax; a handle that is
    not a valid handle is replaced by the repo DID (or handle) from the URI."""
    match = _POST_URI.fullmatch(uri)
    if not match:
        return ""
    repo, rkey = match.groups()
    if not _RKEY.fullmatch(rkey) or rkey in (".", ".."):
        return ""
    if not (handle and _HANDLE.fullmatch(handle) and len(handle) <= 253):
        handle = repo
    if not (_DID.fullmatch(handle) or (_HANDLE.fullmatch(handle) and len(handle) <= 253)):
        return ""
    return safe_http_url(f"https://bsky.app/profile/{handle}/post/{rkey}")


def _post_to_draft(post: dict[str, Any], *, now: datetime) -> ItemDraft | None:
    record = post.get("record") if isinstance(post.get("record"), dict) else {}
    author = post.get("author") if isinstance(post.get("author"), dict) else {}
    handle = str(author.get("handle") or "")
    url = post_url(str(post.get("uri") or ""), handle)
    if not url:
        return None
    created = parse_iso_datetime(record.get("createdAt"))
    if created is None or created < EARLIEST or created > now + timedelta(hours=1):
        created = parse_iso_datetime(post.get("indexedAt"))  # createdAt is forgeable
    langs = record.get("langs") if isinstance(record.get("langs"), list) else []
    return ItemDraft(
        url=url,
        platform="bluesky",
        text=str(record.get("text") or ""),
        author=handle,
        published_at=created,
        language=str(langs[0]) if langs else "",
        external_id=str(post.get("uri")),
        engagement={
            key: post[key]
            for key in ("likeCount", "repostCount", "replyCount", "quoteCount")
            if isinstance(post.get(key), int)
        },
    )


def parse_posts(payload: Any, *, now: datetime | None = None) -> list[ItemDraft]:
    """``getAuthorFeed`` ({"feed": [{"post": ...}]}) or ``searchPosts`` ({"posts": [...]})."""
    if not isinstance(payload, dict):
        raise BlueskyParseError("expected a JSON object")
    now = now or datetime.now(UTC)
    if isinstance(payload.get("feed"), list):
        posts = [i.get("post") for i in payload["feed"] if isinstance(i, dict)]
    elif isinstance(payload.get("posts"), list):
        posts = payload["posts"]
    else:
        raise BlueskyParseError(f"no 'feed' or 'posts' in response: {payload.get('error', '')!s}")
    drafts = []
    for post in posts:
        if isinstance(post, dict) and (draft := _post_to_draft(post, now=now)):
            drafts.append(draft)
    return drafts
