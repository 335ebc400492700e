from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class FeedError(ConnectorError):
    """Base class for feed connector errors."""


class FeedParseError(FeedError, ParseError):
    """The document is not a feed we can read (and nothing could be salvaged)."""
