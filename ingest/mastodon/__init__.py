"""Mastodon public hashtag and account timelines through the JSON API (no token).

Instances that switched public previews off answer 401/422: such a channel fails
with a clear error and backs off; per-instance tokens are a later addition.
"""
