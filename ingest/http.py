"""Polite, safe HTTP for every connector and for any user-given URL.

Contract (``PoliteClient.get``):

* Only ``http``/``https`` URLs without credentials. The host is resolved and every
  address is checked (loopback, private, link-local, multicast, reserved,
  unspecified, CGNAT, cloud metadata, IPv4 embedded in IPv6, numeric forms such
  as ``http://2130706433/``). The check runs twice: before each hop (for a clear
  error) and again inside the transport when the TCP connection is opened, which
  connects to the address it has just validated, so DNS rebinding between the
  two cannot reach a private address. TLS SNI and the Host header keep the name.
* Redirects are followed by hand, up to ``max_redirects``; every hop goes through
  the guard and robots.txt.
* Hosts listed in ``settings.FACTCHECK_FETCH_ALLOW_HOSTS`` skip the address check
  (tests allow loopback this way); nothing else does.
* robots.txt is obeyed (protego), cached per origin, and its ``Crawl-delay`` raises
  the per-host delay. One request at a time per host in this process, at least
  ``delay`` seconds apart (``settings.FACTCHECK_HTTP_DELAY``, zero in tests).
* Conditional GET: pass ``etag``/``last_modified``; a 304 gives
  ``FetchResult.not_modified``.
* Network errors, 429 and 5xx are retried with exponential backoff; ``Retry-After``
  is honoured (capped). ``sleep`` is injectable so tests never sleep.
* Bodies larger than ``max_bytes`` (default 5 MB) raise ``ResponseTooLargeError``
  as soon as the limit is passed; ``accept`` restricts content types.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx
from django.conf import settings
from protego import Protego

from .exceptions import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    RobotsDisallowedError,
    TooManyRedirectsError,
    UnexpectedContentTypeError,
    UnsafeURLError,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
ROBOTS_MAX_BYTES = 512 * 1024
BOT_NAME = "BalkanFactCheckBot"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses that are "global" by the book but are cloud metadata endpoints.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$", re.I)


def user_agent() -> str:
    contact = getattr(settings, "FACTCHECK_BOT_CONTACT_URL", "") or (
        getattr(settings, "FACTCHECK_SITE_URL", "").rstrip("/") + "/about/crawler/"
    )
    return f"{BOT_NAME}/0.1 (fact-checking; +{contact})"


# --------------------------------------------------------------------------- guard


def is_forbidden_address(ip: IPAddress) -> bool:
    """True for any address a crawler must never connect to."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is exactly the IPv4 address
            return is_forbidden_address(ip.ipv4_mapped)
        embedded: IPAddress | None = ip.sixtofour
        if ip.teredo:
            embedded = ip.teredo[1]
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and is_forbidden_address(embedded):
            return True
    return (
        ip in METADATA_ADDRESSES
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def parse_ip_literal(host: str) -> IPAddress | None:
    """Parse ``host`` as an IP, including the decimal/octal/hex forms libc accepts."""
    host = host.strip("[]").rstrip(".")
    host = host.split("%", 1)[0]  # IPv6 zone id
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host)
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def default_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(str(sockaddr[0]))
    return seen


class AddressGuard:
    """Decides which URLs and addresses may be fetched; resolves hosts safely."""

    def __init__(
        self, *, allow_hosts: Iterable[str] | None = None, resolver: Resolver | None = None
    ) -> None:
        if allow_hosts is None:
            allow_hosts = getattr(settings, "FACTCHECK_FETCH_ALLOW_HOSTS", []) or []
        self.allow_hosts = frozenset(h.lower().strip("[]") for h in allow_hosts)
        self.resolver = resolver or default_resolver

    def is_allowed_host(self, host: str) -> bool:
        return host.lower().strip("[]").rstrip(".") in self.allow_hosts

    def check_url(self, url: str | httpx.URL) -> httpx.URL:
        """Validate scheme, credentials and literal IP hosts; return the parsed URL."""
        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url).strip())
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            # httpx rejects e.g. 0177.0.0.1; treat anything unparsable as unsafe.
            raise UnsafeURLError(f"not a valid URL: {url!r} ({exc})", url=str(url)) from exc
        if parsed.scheme not in ("http", "https"):
            raise UnsafeURLError(
                f"only http(s) URLs are fetched, not {parsed.scheme or 'no scheme'!r}",
                url=str(url),
            )
        host = parsed.raw_host.decode("ascii", "replace")
        if not host:
            raise UnsafeURLError("URL has no host", url=str(url))
        if parsed.userinfo:
            raise UnsafeURLError("URLs with credentials are refused", url=str(url))
        if self.is_allowed_host(host):
            return parsed
        literal = parse_ip_literal(host)
        if literal is not None and is_forbidden_address(literal):
            raise BlockedAddressError(
                f"refusing non-public address {literal} (from host {host!r})", url=str(url)
            )
        if host.lower().rstrip(".") in (
            "localhost",
            "metadata.google.internal",
        ) or host.lower().endswith((".localhost", ".internal", ".local")):
            raise BlockedAddressError(f"refusing internal host name {host!r}", url=str(url))
        return parsed

    def resolve(self, host: str, port: int) -> list[str]:
        """Resolve and validate: every address must be public (unless allow-listed)."""
        literal = parse_ip_literal(host)
        if self.is_allowed_host(host):
            return [str(literal)] if literal else self.resolver(host.strip("[]"), port)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchError(f"cannot resolve host {host!r}: {exc}", url=host) from exc
        if not addresses:
            raise FetchError(f"host {host!r} resolved to no address", url=host)
        for address in addresses:
            ip = parse_ip_literal(address)
            if ip is None or is_forbidden_address(ip):
                raise BlockedAddressError(
                    f"host {host!r} resolves to non-public address {address}", url=host
                )
        return addresses


class GuardedNetworkBackend(httpcore.SyncBackend):
    """Opens TCP connections only to addresses the guard validated at that moment."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in self.guard.resolve(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"could not connect to {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx transport whose connection pool connects through ``GuardedNetworkBackend``."""

    def __init__(self, guard: AddressGuard, *, verify: bool = True) -> None:
        super().__init__(verify=verify, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=10,
            network_backend=GuardedNetworkBackend(guard),
        )


# ------------------------------------------------------------------ politeness


class HostThrottle:
    """One request at a time per host, at least ``delay`` seconds apart (per process).

    ``lock_factory`` makes the per-host locks (tests pass a virtual-time lock so a
    worker waiting for a busy host counts as idle on their fake clock).
    """

    def __init__(self, lock_factory: Callable[[], Any] = threading.Lock) -> None:
        self._lock_factory = lock_factory
        self._locks: dict[str, Any] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def slot(
        self, host: str, delay: float, *, sleep: Callable[[float], None], clock: Callable[[], float]
    ) -> Iterator[None]:
        with self._guard:
            lock = self._locks.get(host)
            if lock is None:
                lock = self._locks[host] = self._lock_factory()
        with lock:
            last = self._last.get(host)
            if last is not None and delay > 0:
                wait = last + delay - clock()
                if wait > 0:
                    sleep(wait)
            try:
                yield
            finally:
                self._last[host] = clock()


_THROTTLE = HostThrottle()


@dataclass
class RobotsCache:
    """Parsed robots.txt per origin; ``None`` means "could not fetch: disallow all"."""

    ttl: float = 3600.0
    entries: dict[str, tuple[float, Protego | None]] = field(default_factory=dict)


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes = b""
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def encoding(self) -> str | None:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.headers.get("content-type", ""), re.I)
        return match.group(1) if match else None

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return None


def _content_type_ok(content_type: str, accept: Iterable[str]) -> bool:
    for pattern in accept:
        pattern = pattern.lower()
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
        if content_type == pattern or (pattern.startswith("+") and content_type.endswith(pattern)):
            return True
    return False


# ----------------------------------------------------------------------- client


class PoliteClient:
    """The one way ingest fetches a URL. See the module docstring for the contract."""

    def __init__(
        self,
        *,
        delay: float | None = None,
        allow_hosts: Iterable[str] | None = None,
        resolver: Resolver | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_retry_after: float = 600.0,
        timeout: float = 20.0,
        total_timeout: float = 90.0,
        obey_robots: bool = True,
        robots_cache: RobotsCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        throttle: HostThrottle | None = None,
        verify: bool = True,
    ) -> None:
        self.delay = float(
            getattr(settings, "FACTCHECK_HTTP_DELAY", 1.0) if delay is None else delay
        )
        self.guard = AddressGuard(allow_hosts=allow_hosts, resolver=resolver)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.total_timeout = total_timeout
        self.obey_robots = obey_robots
        self.robots = robots_cache or RobotsCache()
        self.sleep = sleep
        self.clock = clock
        self.throttle = throttle or _THROTTLE
        self.user_agent = user_agent()
        self._client = httpx.Client(
            transport=GuardedTransport(self.guard, verify=verify),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- public

    def get(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: Iterable[str] | None = None,
        max_bytes: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` following redirects safely; raise a ``FetchError`` subclass on failure."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.max_bytes
        current = self.guard.check_url(url)
        hops: list[str] = []
        while True:
            self._check_robots(current)
            response = self._request_with_retries(current, request_headers, accept, limit)
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(
                        f"redirect {response.status} without Location", url=str(current)
                    )
                if len(hops) >= self.max_redirects:
                    raise TooManyRedirectsError(
                        f"more than {self.max_redirects} redirects", url=str(current)
                    )
                hops.append(str(current))
                current = self.guard.check_url(current.join(location))
                continue
            return FetchResult(
                url=str(current),
                status=response.status,
                headers=response.headers,
                content=response.content,
                redirects=tuple(hops),
            )

    def robots_allows(self, url: str) -> bool:
        parsed = self.guard.check_url(url)
        robots = self._robots_for(parsed)
        return robots is not None and robots.can_fetch(str(parsed), BOT_NAME)

    def sitemaps_from_robots(self, url: str) -> list[str]:
        robots = self._robots_for(self.guard.check_url(url))
        return list(robots.sitemaps) if robots else []

    # --------------------------------------------------------------- internal

    def _host_key(self, url: httpx.URL) -> str:
        return f"{url.raw_host.decode('ascii', 'replace').lower()}:{url.port or ''}"

    def _crawl_delay(self, url: httpx.URL) -> float:
        entry = self.robots.entries.get(self._origin(url))
        delay = self.delay
        if entry and entry[1] is not None:
            crawl_delay = entry[1].crawl_delay(BOT_NAME)
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        return delay

    @staticmethod
    def _origin(url: httpx.URL) -> str:
        return str(url.copy_with(path="/", query=None, fragment=None))

    def _robots_for(self, url: httpx.URL) -> Protego | None:
        origin = self._origin(url)
        cached = self.robots.entries.get(origin)
        now = self.clock()
        if cached and now - cached[0] < self.robots.ttl:
            return cached[1]
        robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
        parsed: Protego | None
        try:
            # No retries and no redirects to other origins for robots.txt: keep it cheap.
            response = self._send_once(robots_url, {}, None, ROBOTS_MAX_BYTES)
            if response.status == 200:
                parsed = Protego.parse(response.content.decode("utf-8", errors="replace"))
            elif 400 <= response.status < 500 or response.status in REDIRECT_STATUSES:
                parsed = Protego.parse("")  # RFC 9309: unavailable robots.txt allows all
            else:
                parsed = None  # server error: treat as complete disallow for now
        except (BlockedAddressError, UnsafeURLError):
            raise
        except FetchError as exc:
            logger.info("robots.txt unreachable for %s: %s", origin, exc)
            parsed = None
        self.robots.entries[origin] = (now, parsed)
        return parsed

    def _check_robots(self, url: httpx.URL) -> None:
        if not self.obey_robots:
            return
        robots = self._robots_for(url)
        if robots is None:
            raise RobotsDisallowedError(
                "robots.txt could not be fetched (server error): not crawling", url=str(url)
            )
        if not robots.can_fetch(str(url), BOT_NAME):
            raise RobotsDisallowedError(f"robots.txt disallows {url}", url=str(url))

    def _request_with_retries(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
    ) -> _RawResponse:
        attempt = 0
        while True:
            try:
                response = self._send_once(url, headers, accept, limit)
            except FetchError as exc:
                if not getattr(exc, "retryable", False) or attempt >= self.max_retries:
                    raise
                wait = self.backoff * 2**attempt
                logger.info("network error on %s (%s); retry in %.1fs", url, exc, wait)
            else:
                if response.status not in RETRY_STATUSES:
                    if response.status >= 400:
                        raise HTTPStatusError(
                            f"HTTP {response.status} from {url}",
                            url=str(url),
                            status=response.status,
                        )
                    return response
                if attempt >= self.max_retries:
                    raise HTTPStatusError(
                        f"HTTP {response.status} from {url} after {attempt + 1} attempts",
                        url=str(url),
                        status=response.status,
                    )
                wait = self.backoff * 2**attempt
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    wait = max(wait, retry_after)
                wait = min(wait, self.max_retry_after)
            attempt += 1
            self.sleep(wait)

    def _send_once(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
    ) -> _RawResponse:
        deadline = self.clock() + self.total_timeout
        with self.throttle.slot(
            self._host_key(url), self._crawl_delay(url), sleep=self.sleep, clock=self.clock
        ):
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                        return _RawResponse(response.status_code, response.headers, b"")
                    if response.status_code >= 400:
                        return _RawResponse(response.status_code, response.headers, b"")
                    content_type = (
                        response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                    )
                    if (
                        accept is not None
                        and content_type
                        and not _content_type_ok(content_type, accept)
                    ):
                        raise UnexpectedContentTypeError(
                            f"unexpected content type {content_type!r} from {url}", url=str(url)
                        )
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise ResponseTooLargeError(
                            f"response of {declared} bytes exceeds the {limit}-byte limit",
                            url=str(url),
                        )
                    chunks: list[bytes] = []
                    total = 0
                    for chunk in response.iter_bytes():
                        total += len(chunk)
                        if total > limit:
                            raise ResponseTooLargeError(
                                f"response exceeds the {limit}-byte limit; stopped reading",
                                url=str(url),
                            )
                        if self.clock() > deadline:
                            raise FetchError(
                                f"download took longer than {self.total_timeout}s", url=str(url)
                            )
                        chunks.append(chunk)
                    return _RawResponse(response.status_code, response.headers, b"".join(chunks))
            except httpx.TransportError as exc:
                error = FetchError(f"network error fetching {url}: {exc!s}", url=str(url))
                error.retryable = True  # type: ignore[attr-defined]
                raise error from exc


@dataclass(frozen=True)
class _RawResponse:
    status: int
    headers: httpx.Headers
    content: bytes


def get_client(**kwargs: Any) -> PoliteClient:
    """A ``PoliteClient`` configured from settings; keyword arguments override."""
    return PoliteClient(**kwargs)
