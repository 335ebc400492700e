from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class MastodonError(ConnectorError):
    """Base class for mastodon connector errors."""


class MastodonParseError(MastodonError, ParseError):
    """The mastodon response did not have the expected shape."""


class MastodonTargetError(MastodonError):
    """The channel's url_or_handle is not a mastodon target we understand."""
