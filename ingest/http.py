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
* Only ports 80 and 443: an internal service on another port of a public host
  (SSH, Redis, an admin UI) is not ours to probe. The check runs on every hop and
  again at connect time.
* ``fec0::/10`` (deprecated IPv6 site-local) is refused like the private ranges:
  some networks still route it internally and ``ipaddress`` calls it global.
* Hosts listed in ``settings.FACTCHECK_FETCH_ALLOW_HOSTS`` skip the address and
  port checks (tests allow loopback this way); nothing else does.
* robots.txt is obeyed (protego), cached per origin, and its ``Crawl-delay`` raises
  the per-host delay. One request at a time per host in this process, at least
  ``delay`` seconds apart (``settings.FACTCHECK_HTTP_DELAY``, zero in tests).
* ``Crawl-delay`` is capped at ``MAX_CRAWL_DELAY`` (60 s): ``Crawl-delay: 1e9`` made
  the first fetch sleep forever. A host asking for more is "polled rarely", never
  slept for: one page per Crawl-delay, and any other request to it in that window
  fails at once with ``CrawlDelayError`` (crawl passes then schedule the channel's
  next poll no sooner than the Crawl-delay, see ``crawl_delay_watch``).
* One deadline per ``get()`` (``deadline``, ``settings.FACTCHECK_FETCH_DEADLINE``,
  default 90 s) covers robots.txt, throttle waits, connect, TLS, headers, body,
  retries, ``Retry-After`` and redirect hops: every socket read and write gets the
  time left, so a server that sends headers a byte at a time, or answers 503 with
  ``Retry-After: 600``, cannot hold a worker past it (``FetchDeadlineError``). A wait
  that would end past the deadline is not started. DNS resolution is bounded by
  the system resolver only.
* Conditional GET: pass ``etag``/``last_modified``; a 304 gives
  ``FetchResult.not_modified``.
* Only what may succeed on a second try is retried: connection/read errors and
  timeouts, 429 and 5xx, with exponential backoff; ``Retry-After`` is honoured
  (capped). Malformed responses, invalid ``Location`` headers, refused URLs, size,
  content-type and encoding errors, and a passed deadline fail at once, because
  they would fail the same way again. ``sleep`` is injectable so tests never sleep.
* Bodies larger than ``max_bytes`` (default 5 MB) raise ``ResponseTooLargeError``
  as soon as the limit is passed, on the wire and after decoding; ``accept``
  restricts content types.
* Decompression is ours, not httpx's: at most one ``Content-Encoding`` layer (gzip
  or deflate, the only ones we advertise), decoded in bounded steps that stop at
  ``max_bytes``. A 400 MB ``gzip, gzip`` bomb used to take 928 MB of memory before
  the cap fired; stacked or unrequested encodings (``br``, ``zstd``) are refused.
* Nothing but ``IngestError`` leaves ``get()``: anything unexpected from the HTTP
  stack is wrapped in ``FetchError`` (fuzzed with arbitrary bytes from a raw socket).
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import functools
import ipaddress
import logging
import math
import re
import socket
import threading
import time
import zlib
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
    IngestError,
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
ALLOWED_PORTS = frozenset({80, 443})
DEFAULT_DEADLINE = 90.0
MAX_CRAWL_DELAY = 60.0
# Encodings we decode (and advertise), and the ones we know but never asked for.
ACCEPT_ENCODING = "gzip, deflate"
KNOWN_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress", "x-compress"})
DECODE_STEP = 256 * 1024  # most bytes one decompress call may produce

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses that are "global" by the book but are cloud metadata endpoints.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$", re.I)


def user_agent() -> str:
    contact = settings.FACTCHECK_BOT_CONTACT_URL or (
        settings.FACTCHECK_SITE_URL.rstrip("/") + "/about/crawler/"
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
        or ip in _SITE_LOCAL
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
            allow_hosts = settings.FACTCHECK_FETCH_ALLOW_HOSTS or []
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
        check_port(host, parsed.port, url=str(url))
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


def check_port(host: str, port: int | None, *, url: str = "") -> None:
    """Refuse any port but 80/443 (``None`` is the scheme's default) for a host not allow-listed."""
    if port is not None and port not in ALLOWED_PORTS:
        raise UnsafeURLError(
            f"refusing port {port} of {host!r}: only ports 80 and 443 are fetched", url=url or host
        )


# The wall-clock end of the fetch running in this thread (``time.monotonic()``); the
# network streams read it at every read and write. ``None`` outside ``get()``.
_FETCH_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "ingest_fetch_deadline", default=None
)


def _time_left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current fetch's deadline."""
    end = _FETCH_DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the fetch deadline has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read/write/handshake ends by the fetch deadline.

    httpx's timeouts are per operation: a server sending one byte per second never
    trips a 20 s read timeout. Bounding each operation by the time left does.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return DeadlineStream(
            self._stream.start_tls(
                ssl_context, server_hostname, _time_left(timeout, httpcore.ConnectTimeout)
            )
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedNetworkBackend(httpcore.SyncBackend):
    """Opens TCP connections only to addresses (and ports) the guard validated at that moment."""

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
        if not self.guard.is_allowed_host(host):
            check_port(host, port)
        last_error: Exception | None = None
        for address in self.guard.resolve(host, port):
            try:
                stream = super().connect_tcp(
                    address,
                    port,
                    _time_left(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except httpcore.ConnectError as exc:
                last_error = exc
            else:
                return DeadlineStream(stream)
        raise last_error or httpcore.ConnectError(f"could not connect to {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx transport whose connection pool connects through ``GuardedNetworkBackend``."""

    def __init__(self, guard: AddressGuard, *, verify: bool = True) -> None:
        # The parent's own pool is replaced below: build it without loading CA certificates.
        super().__init__(verify=False, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(verify),
            max_connections=10,
            network_backend=GuardedNetworkBackend(guard),
        )


@functools.cache
def _ssl_context(verify: bool) -> Any:
    """One TLS context per process: loading the CA bundle costs tens of milliseconds."""
    return httpx.create_ssl_context(verify=verify, trust_env=False)


# ------------------------------------------------------------------ politeness


class ThrottleWaitTooLong(Exception):
    """Raised by ``HostThrottle.slot`` instead of sleeping ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"would have to wait {wait:.1f} s")
        self.wait = wait


class HostThrottle:
    """One request at a time per host, at least ``delay`` seconds apart (per process).

    ``lock_factory`` makes the per-host locks (tests pass a virtual-time lock so a
    worker waiting for a busy host counts as idle on their fake clock).

    A wait longer than ``max_wait`` (a number or a callable, read once the host's
    lock is held) raises ``ThrottleWaitTooLong`` instead of sleeping. A ``rare``
    host (Crawl-delay above the cap) is never waited for: its gap is measured from
    its last page (robots.txt fetches do not count) and any wait raises.
    """

    def __init__(self, lock_factory: Callable[[], Any] = threading.Lock) -> None:
        self._lock_factory = lock_factory
        self._locks: dict[str, Any] = {}
        self._last: dict[str, float] = {}
        self._last_page: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def slot(
        self,
        host: str,
        delay: float,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        max_wait: float | Callable[[], float] = math.inf,
        rare: bool = False,
        robots: bool = False,
    ) -> Iterator[None]:
        with self._guard:
            lock = self._locks.get(host)
            if lock is None:
                lock = self._locks[host] = self._lock_factory()
        with lock:
            last = (self._last_page if rare else self._last).get(host)
            if last is not None and delay > 0:
                wait = last + delay - clock()
                if wait > 0:
                    allowed = 0.0 if rare else (max_wait() if callable(max_wait) else max_wait)
                    if wait > allowed:
                        raise ThrottleWaitTooLong(wait)
                    sleep(wait)
            try:
                yield
            finally:
                now = clock()
                self._last[host] = now
                if not robots:
                    self._last_page[host] = now


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


class FetchDeadlineError(FetchError):
    """The whole fetch (robots.txt, waits, retries, hops, body) ran past its deadline."""


class CrawlDelayError(FetchError):
    """robots.txt asks for more than ``MAX_CRAWL_DELAY`` between requests, and this host
    had its one page for now: try again after ``retry_in`` seconds, do not wait."""

    def __init__(self, message: str, *, url: str = "", retry_in: float = 0.0) -> None:
        super().__init__(message, url=url)
        self.retry_in = retry_in


@dataclass(eq=False)
class CrawlDelayWatch:
    """The largest robots.txt ``Crawl-delay`` (seconds, uncapped) of any host fetched
    while the watch was open in this thread; crawl passes poll no sooner than this."""

    seconds: float = 0.0
    _stack: list[CrawlDelayWatch] | None = field(default=None, repr=False)

    def close(self) -> None:
        if self._stack is not None and self in self._stack:
            self._stack.remove(self)

    def __enter__(self) -> CrawlDelayWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Budget:
    """The time left to one ``get()``, on the injectable clock and on the wall clock."""

    seconds: float
    clock: Callable[[], float]
    clock_end: float
    wall_end: float

    @classmethod
    def start(cls, seconds: float, clock: Callable[[], float]) -> _Budget:
        return cls(seconds, clock, clock() + seconds, time.monotonic() + seconds)

    def left(self) -> float:
        return min(self.clock_end - self.clock(), self.wall_end - time.monotonic())

    def error(self, url: object, doing: str) -> FetchDeadlineError:
        return FetchDeadlineError(
            f"fetch took longer than its {self.seconds:g} s deadline ({doing})", url=str(url)
        )

    def check(self, url: object, doing: str) -> None:
        if self.left() <= 0:
            raise self.error(url, doing)


class BoundedDecoder:
    """Decodes at most one content coding, never producing more than ``limit`` bytes.

    zlib's ``max_length`` bounds every step, so a bomb costs at most ``limit`` plus
    one step of memory however well it compresses. Gzip members that follow one
    another are decoded in turn; other bytes after the end of the stream are ignored.
    """

    def __init__(self, coding: str, *, limit: int, url: str) -> None:
        self.coding = coding  # "", "gzip" or "deflate"
        self.limit = limit
        self.url = url
        self.total = 0
        self._pending = b""  # deflate: bytes held until the zlib header can be sniffed
        self._done = False
        self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if coding == "gzip" else None

    @classmethod
    def for_header(cls, header: str, *, limit: int, url: str) -> BoundedDecoder:
        tokens = [t.strip().lower() for t in header.split(",") if t.strip()]
        codings = [t for t in tokens if t in KNOWN_CODINGS]
        if len(codings) > 1:
            raise FetchError(
                f"stacked Content-Encoding {header!r} refused: at most one layer is decoded",
                url=url,
            )
        coding = codings[0] if codings else ""
        if coding == "x-gzip":
            coding = "gzip"
        if coding not in ("", "gzip", "deflate"):
            raise FetchError(
                f"Content-Encoding {coding!r} was not asked for (we accept {ACCEPT_ENCODING})",
                url=url,
            )
        return cls(coding, limit=limit, url=url)

    def feed(self, data: bytes) -> list[bytes]:
        if not self.coding:
            self._count(len(data))
            return [data] if data else []
        if self._z is None:
            self._pending += data
            if len(self._pending) < 2:
                return []
            data, self._pending = self._pending, b""
            zlib_header = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        return self._drain(data)

    def flush(self) -> list[bytes]:
        if self.coding == "deflate" and self._z is None:
            if not self._pending:
                return []
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            data, self._pending = self._pending, b""
            return self._drain(data)
        if not self.coding:
            return []
        out = self._drain(b"")
        if not self._done:
            tail = self._z.flush()
            self._count(len(tail))
            if tail:
                out.append(tail)
        return out

    def _count(self, size: int) -> None:
        self.total += size
        if self.total > self.limit:
            raise ResponseTooLargeError(
                f"response exceeds the {self.limit}-byte limit once decoded; stopped decoding",
                url=self.url,
            )

    def _drain(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        while not self._done:
            if self._z.eof:
                data = self._z.unused_data + data
                if not data:
                    break
                if self.coding == "gzip" and data.startswith(b"\x1f\x8b"):
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)  # the next member
                    continue
                self._done = True  # trailing bytes after the stream: ignored
                break
            if not data:
                break
            step = min(DECODE_STEP, self.limit - self.total + 1)
            try:
                piece = self._z.decompress(data, step)
            except zlib.error as exc:
                raise FetchError(
                    f"could not decode the {self.coding} body: {exc}", url=self.url
                ) from exc
            self._count(len(piece))
            if piece:
                out.append(piece)
            data = self._z.unconsumed_tail
        return out


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
        deadline: float | None = None,
        total_timeout: float | None = None,
        obey_robots: bool = True,
        robots_cache: RobotsCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        throttle: HostThrottle | None = None,
        verify: bool = True,
    ) -> None:
        self.delay = float(settings.FACTCHECK_HTTP_DELAY if delay is None else delay)
        self.guard = AddressGuard(allow_hosts=allow_hosts, resolver=resolver)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        if deadline is None:
            deadline = total_timeout  # the old name of the same limit
        if deadline is None:
            deadline = settings.FACTCHECK_FETCH_DEADLINE
        self.deadline = float(deadline)
        self.total_timeout = self.deadline
        self.timeout = timeout
        self.obey_robots = obey_robots
        self.robots = robots_cache or RobotsCache()
        self.sleep = sleep
        self.clock = clock
        self.throttle = throttle or _THROTTLE
        self.user_agent = user_agent()
        self._watches = threading.local()
        self._client = httpx.Client(
            transport=GuardedTransport(self.guard, verify=verify),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
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
        with self._fetching(url) as budget:
            current = self.guard.check_url(url)
            hops: list[str] = []
            while True:
                budget.check(current, "before the request")
                self._check_robots(current, budget)
                response = self._request_with_retries(
                    current, request_headers, accept, limit, budget
                )
                if response.status in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise FetchError(
                            f"redirect {response.status} without Location", url=str(current)
                        )
                    if len(hops) >= self.max_redirects:
                        raise TooManyRedirectsError(
                            f"more than {self.max_redirects} redirects", url=str(current)
                        )
                    hops.append(str(current))
                    try:
                        target = current.join(location)
                    except (httpx.InvalidURL, ValueError, TypeError) as exc:
                        raise UnsafeURLError(
                            f"redirect to an invalid Location {location[:200]!r}", url=str(current)
                        ) from exc
                    current = self.guard.check_url(target)
                    continue
                return FetchResult(
                    url=str(current),
                    status=response.status,
                    headers=response.headers,
                    content=response.content,
                    redirects=tuple(hops),
                )

    def robots_allows(self, url: str) -> bool:
        with self._fetching(url) as budget:
            parsed = self.guard.check_url(url)
            robots = self._robots_for(parsed, budget)
            return robots is not None and robots.can_fetch(str(parsed), BOT_NAME)

    def sitemaps_from_robots(self, url: str) -> list[str]:
        with self._fetching(url) as budget:
            robots = self._robots_for(self.guard.check_url(url), budget)
            return list(robots.sitemaps) if robots else []

    def crawl_delay_watch(self) -> CrawlDelayWatch:
        """Start recording the robots.txt Crawl-delay of every host fetched in this thread.

        ``close()`` the watch (or use it as a context manager) when done; its
        ``seconds`` is the largest Crawl-delay seen, uncapped.
        """
        stack = getattr(self._watches, "stack", None)
        if stack is None:
            stack = self._watches.stack = []
        watch = CrawlDelayWatch(_stack=stack)
        stack.append(watch)
        return watch

    # --------------------------------------------------------------- internal

    @contextlib.contextmanager
    def _fetching(self, url: object) -> Iterator[_Budget]:
        """One deadline for everything inside; nothing but ``IngestError`` leaves it."""
        budget = _Budget.start(self.deadline, self.clock)
        token = _FETCH_DEADLINE.set(budget.wall_end)
        try:
            yield budget
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - the contract: only IngestError escapes
            logger.warning("unexpected %s fetching %s: %s", type(exc).__name__, url, exc)
            raise FetchError(
                f"could not fetch {url}: {type(exc).__name__}: {str(exc)[:300]}", url=str(url)
            ) from exc
        finally:
            _FETCH_DEADLINE.reset(token)

    def _host_key(self, url: httpx.URL) -> str:
        return f"{url.raw_host.decode('ascii', 'replace').lower()}:{url.port or ''}"

    def _robots_crawl_delay(self, url: httpx.URL) -> float:
        """The Crawl-delay robots.txt gives us for this origin (uncapped; 0 when none)."""
        entry = self.robots.entries.get(self._origin(url))
        if not entry or entry[1] is None:
            return 0.0
        try:
            value = float(entry[1].crawl_delay(BOT_NAME) or 0.0)
        except (TypeError, ValueError):
            return 0.0
        if not value > 0:  # also NaN
            return 0.0
        return min(value, 365 * 86400.0)

    def _spacing(self, url: httpx.URL, *, robots: bool) -> tuple[float, bool]:
        """(seconds between requests to this host, whether it is a "poll rarely" host)."""
        crawl_delay = self._robots_crawl_delay(url)
        if crawl_delay > MAX_CRAWL_DELAY:
            return (self.delay, False) if robots else (crawl_delay, True)
        return max(self.delay, crawl_delay), False

    @staticmethod
    def _origin(url: httpx.URL) -> str:
        return str(url.copy_with(path="/", query=None, fragment=None))

    def _robots_for(self, url: httpx.URL, budget: _Budget) -> Protego | None:
        origin = self._origin(url)
        cached = self.robots.entries.get(origin)
        now = self.clock()
        if cached and now - cached[0] < self.robots.ttl:
            return cached[1]
        robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
        parsed: Protego | None
        try:
            # No retries and no redirects to other origins for robots.txt: keep it cheap.
            response = self._send_once(robots_url, {}, None, ROBOTS_MAX_BYTES, budget, robots=True)
            if response.status == 200:
                parsed = Protego.parse(response.content.decode("utf-8", errors="replace"))
            elif 400 <= response.status < 500 or response.status in REDIRECT_STATUSES:
                parsed = Protego.parse("")  # RFC 9309: unavailable robots.txt allows all
            else:
                parsed = None  # server error: treat as complete disallow for now
        except (BlockedAddressError, UnsafeURLError, FetchDeadlineError, CrawlDelayError):
            raise  # not the server's answer: nothing to cache
        except FetchError as exc:
            logger.info("robots.txt unreachable for %s: %s", origin, exc)
            parsed = None
        except Exception as exc:  # noqa: BLE001 - a robots.txt that breaks the parser
            logger.warning("robots.txt of %s could not be parsed: %r", origin, exc)
            parsed = None
        self.robots.entries[origin] = (now, parsed)
        return parsed

    def _check_robots(self, url: httpx.URL, budget: _Budget) -> None:
        if not self.obey_robots:
            return
        robots = self._robots_for(url, budget)
        if robots is None:
            raise RobotsDisallowedError(
                "robots.txt could not be fetched (server error): not crawling", url=str(url)
            )
        crawl_delay = self._robots_crawl_delay(url)
        for watch in getattr(self._watches, "stack", None) or ():
            watch.seconds = max(watch.seconds, crawl_delay)
        if not robots.can_fetch(str(url), BOT_NAME):
            raise RobotsDisallowedError(f"robots.txt disallows {url}", url=str(url))

    def _request_with_retries(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
        budget: _Budget,
    ) -> _RawResponse:
        attempt = 0
        while True:
            try:
                response = self._send_once(url, headers, accept, limit, budget)
            except FetchError as exc:
                if not getattr(exc, "retryable", False) or attempt >= self.max_retries:
                    raise
                wait = self.backoff * 2**attempt
                if wait >= budget.left():
                    raise  # the retry could not finish in time: give the real error now
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
                if wait >= budget.left():
                    raise HTTPStatusError(
                        f"HTTP {response.status} from {url}; waiting {wait:g} s to retry "
                        f"would pass the {self.deadline:g} s fetch deadline",
                        url=str(url),
                        status=response.status,
                    )
            attempt += 1
            self.sleep(wait)

    def _send_once(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
        budget: _Budget,
        *,
        robots: bool = False,
    ) -> _RawResponse:
        delay, rare = self._spacing(url, robots=robots)
        try:
            with self.throttle.slot(
                self._host_key(url),
                delay,
                sleep=self.sleep,
                clock=self.clock,
                max_wait=budget.left,
                rare=rare,
                robots=robots,
            ):
                return self._exchange(url, headers, accept, limit, budget)
        except ThrottleWaitTooLong as too_long:
            if rare:
                raise CrawlDelayError(
                    f"robots.txt asks for {delay:g} s between requests, above the "
                    f"{MAX_CRAWL_DELAY:g} s Crawl-delay cap: this host is polled rarely; "
                    f"next request in {too_long.wait:.0f} s",
                    url=str(url),
                    retry_in=too_long.wait,
                ) from None
            raise budget.error(url, f"waiting {too_long.wait:.1f} s for the host") from None

    def _exchange(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
        budget: _Budget,
    ) -> _RawResponse:
        left = budget.left()
        if left <= 0:
            raise budget.error(url, "before the request")
        timeout = httpx.Timeout(
            min(self.timeout, left), connect=min(self.timeout, 10.0, left), pool=left
        )
        try:
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
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
                declared = response.headers.get("content-length", "").strip()
                if declared.isdigit() and int(declared) > limit:
                    raise ResponseTooLargeError(
                        f"response of {declared} bytes exceeds the {limit}-byte limit",
                        url=str(url),
                    )
                decoder = BoundedDecoder.for_header(
                    response.headers.get("content-encoding", ""), limit=limit, url=str(url)
                )
                chunks: list[bytes] = []
                on_wire = 0
                for raw in response.iter_raw():
                    on_wire += len(raw)
                    if on_wire > limit:
                        raise ResponseTooLargeError(
                            f"response exceeds the {limit}-byte limit; stopped reading",
                            url=str(url),
                        )
                    chunks.extend(decoder.feed(raw))
                    budget.check(url, "reading the body")
                chunks.extend(decoder.flush())
                return _RawResponse(response.status_code, response.headers, b"".join(chunks))
        except httpx.HTTPError as exc:
            if budget.left() <= 0:
                raise budget.error(url, type(exc).__name__) from exc
            transient = isinstance(exc, (httpx.TimeoutException, httpx.NetworkError))
            kind = "network error" if transient else "bad response"
            error = FetchError(f"{kind} fetching {url}: {exc!s}", url=str(url))
            error.retryable = transient  # type: ignore[attr-defined]
            raise error from exc


@dataclass(frozen=True)
class _RawResponse:
    status: int
    headers: httpx.Headers
    content: bytes


def get_client(**kwargs: Any) -> PoliteClient:
    """A ``PoliteClient`` configured from settings; keyword arguments override."""
    return PoliteClient(**kwargs)
