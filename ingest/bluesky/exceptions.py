from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class BlueskyError(ConnectorError):
    """Base class for bluesky connector errors."""


class BlueskyParseError(BlueskyError, ParseError):
    """The bluesky response did not have the expected shape."""


class BlueskyTargetError(BlueskyError):
    """The channel's url_or_handle is not a bluesky target we understand."""
