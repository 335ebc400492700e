"""Bluesky through the public AppView XRPC JSON API (getAuthorFeed, searchPosts).

``searchPosts`` is refused unauthenticated on the public AppView since 2025-01
(research/ingest-libraries.md §4.3); it is supported for AppViews that allow it
(``settings.FACTCHECK_BLUESKY_APPVIEW``). ``createdAt`` is user-controlled: dates
before 2023 or in the future fall back to ``indexedAt``.
"""
