from __future__ import annotations

from ingest.exceptions import ConnectorError, ParseError


class ImportError_(ConnectorError):  # noqa: N801 - not the builtin ImportError
    """Base class of import connector errors."""


class ImportParseError(ImportError_, ParseError):
    """The file is not CSV / JSON lines / a JSON array of objects, or has no URL column."""


class ImportSourceError(ImportError_):
    """The channel's ``url_or_handle`` is neither an http(s) URL nor a file in the import folder."""
