from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class TelegramError(ConnectorError):
    """Base class for telegram connector errors."""


class TelegramParseError(TelegramError, ParseError):
    """The telegram response did not have the expected shape."""


class TelegramTargetError(TelegramError):
    """The channel's url_or_handle is not a telegram target we understand."""
