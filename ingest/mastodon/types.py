from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MastodonTarget:
    base_url: str  # e.g. https://mastodon.social
    tag: str = ""
    account: str = ""  # 'user' (local to base_url) or 'user@other.instance'
