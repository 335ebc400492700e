from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class ArticleError(ConnectorError):
    """Base class for article connector errors."""


class ArticleExtractionError(ArticleError, ParseError):
    """No main text could be extracted from the page."""
