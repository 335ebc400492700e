"""Which connector polls which kind of channel."""

from __future__ import annotations

from ingest.bluesky.client import BlueskyClient
from ingest.exceptions import ConnectorError
from ingest.feeds.client import FeedClient
from ingest.http import PoliteClient
from ingest.imports.client import ImportClient
from ingest.mastodon.client import MastodonClient
from ingest.sitemaps.client import SitemapClient
from ingest.telegram.client import TelegramClient
from ingest.types import ChannelPoll, ItemDraft
from sources.models import Channel, ChannelKind


def poll_channel(channel: Channel, *, http: PoliteClient) -> ChannelPoll:
    """Poll once; raises ``FetchError``/``ConnectorError`` subclasses on failure."""
    target = channel.url_or_handle
    match channel.kind:
        case ChannelKind.FEED:
            return FeedClient(http).poll(
                target, etag=channel.etag, last_modified=channel.last_modified
            )
        case ChannelKind.SITEMAP:
            return SitemapClient(http).collect(
                target, etag=channel.etag, last_modified=channel.last_modified
            )
        case ChannelKind.ARTICLE:
            return ChannelPoll(
                items=[ItemDraft(url=target, platform="article", needs_article_fetch=True)]
            )
        case ChannelKind.TELEGRAM:
            return TelegramClient(http).poll(target)
        case ChannelKind.MASTODON:
            return MastodonClient(http).poll(target)
        case ChannelKind.BLUESKY:
            return BlueskyClient(http).poll(target)
        case ChannelKind.IMPORT:
            return ImportClient(http).poll(target)
    raise ConnectorError(f"{channel.kind!r} channels are not polled")
