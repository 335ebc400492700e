from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class SitemapError(ConnectorError):
    """Base class for sitemap connector errors."""


class SitemapParseError(SitemapError, ParseError):
    """Not a sitemap, or a gzip that does not decompress within the cap."""
