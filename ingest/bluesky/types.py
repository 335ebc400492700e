from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BlueskyTarget:
    actor: str = ""  # handle or DID for getAuthorFeed
    query: str = ""  # words for searchPosts
