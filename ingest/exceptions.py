"""Errors raised by the ingest layer. Every connector error derives from ``IngestError``."""

from __future__ import annotations


class IngestError(Exception):
    """Base class for everything ingest raises on purpose."""


class FetchError(IngestError):
    """A URL could not be fetched. ``url`` is the URL of the failing hop."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class UnsafeURLError(FetchError):
    """The URL is not something we fetch: bad scheme, no host, credentials, ..."""


class BlockedAddressError(UnsafeURLError):
    """The host is, or resolves to, a private/loopback/link-local/metadata address."""


class TooManyRedirectsError(FetchError):
    """The redirect chain is longer than the limit."""


class ResponseTooLargeError(FetchError):
    """The body is bigger than the cap; we stopped reading."""


class UnexpectedContentTypeError(FetchError):
    """The server sent a content type the caller did not ask for."""


class RobotsDisallowedError(FetchError):
    """robots.txt disallows our user agent from this URL."""


class HTTPStatusError(FetchError):
    """A final non-2xx (and non-304) answer after any retries."""

    def __init__(self, message: str, *, url: str = "", status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status


class ConnectorError(IngestError):
    """A connector got bytes it could not turn into items."""


class ParseError(ConnectorError):
    """Input was malformed beyond recovery."""


class FetchDeadlineError(FetchError):
    """The whole fetch (robots.txt, waits, retries, hops, body) ran past its deadline."""


class CrawlDelayError(FetchError):
    """robots.txt asks for more than ``MAX_CRAWL_DELAY`` between requests, and this host
    had its one page for now: try again after ``retry_in`` seconds, do not wait."""

    def __init__(self, message: str, *, url: str = "", retry_in: float = 0.0) -> None:
        super().__init__(message, url=url)
        self.retry_in = retry_in
