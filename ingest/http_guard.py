"""The address guard of ``ingest.http``: which hosts, addresses and ports may be fetched.

Contract: only ``http``/``https`` URLs without credentials; the host is resolved and
every address checked (loopback, private, link-local, multicast, reserved, unspecified,
CGNAT, cloud metadata, IPv4 embedded in IPv6, numeric forms such as
``http://2130706433/``, ``fec0::/10``); only ports 80 and 443. The transport connects to
the address it has just validated, so DNS rebinding cannot reach a private address.
Hosts in ``settings.FACTCHECK_FETCH_ALLOW_HOSTS`` skip the address and port checks.
Every socket operation is bounded by the current fetch's deadline (``FETCH_DEADLINE``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx
from django.conf import settings

from .exceptions import BlockedAddressError, FetchError, UnsafeURLError

ALLOWED_PORTS = frozenset({80, 443})
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
FETCH_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "ingest_fetch_deadline", default=None
)


def _time_left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current fetch's deadline."""
    end = FETCH_DEADLINE.get()
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
