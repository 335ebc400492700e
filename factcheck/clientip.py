"""Who is the client: the one place that turns a request into a client address.

Every per-client limit (DRF throttles, the tip form, the Basic-auth failure
throttle) keys on ``client_ip(request)`` so that they all agree, and so that a
client cannot pick its own bucket.

The rule is set by one setting, ``FACTCHECK_TRUSTED_PROXIES``: the number of
reverse-proxy hops in front of the app that append to ``X-Forwarded-For``.

* ``0`` (the default): the app faces clients directly. ``REMOTE_ADDR`` is the
  client and ``X-Forwarded-For`` is ignored entirely: anyone can send it, so a
  client rotating it must not get a fresh bucket per request.
* ``N > 0``: each trusted proxy appends the address it saw, so the last N
  entries of ``X-Forwarded-For`` were written by our proxies and the Nth from
  the right is the address the outermost trusted proxy saw: the client.
  Anything further left was sent by the client and is not trusted, so
  prepending fake addresses changes nothing.

Malformed input falls back safely: if the header is missing, has fewer than N
entries, or the chosen entry is not an IP address, ``REMOTE_ADDR`` is used
(the nearest proxy; all such clients share one bucket, which fails closed).

Limits count per :func:`client_bucket`, not per address: an IPv6 client usually holds
a whole /64 and could otherwise take a fresh address, and a fresh bucket, per request.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_bucket", "client_ip", "trusted_proxies"]

UNKNOWN = "unknown"


def trusted_proxies() -> int:
    """The configured number of trusted proxy hops (never negative)."""
    try:
        hops = int(settings.FACTCHECK_TRUSTED_PROXIES or 0)
    except (TypeError, ValueError):
        return 0
    return max(hops, 0)


def _normalise(value: str) -> str | None:
    """``value`` as a canonical IP address string, or None if it is not one."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    # "[2001:db8::1]:443" and "203.0.113.7:51000" (some proxies add a port).
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return None
        value = value[1:end]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address for ``request``, as a string.

    Honours ``FACTCHECK_TRUSTED_PROXIES`` (see the module docstring). Never
    raises; returns ``"unknown"`` only when even ``REMOTE_ADDR`` is unusable.
    """
    meta = getattr(request, "META", {}) or {}
    remote = _normalise(str(meta.get("REMOTE_ADDR") or "")) or UNKNOWN
    hops = trusted_proxies()
    if hops == 0:
        return remote
    header = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if len(header) > 4096:
        # Cut from the left: the trusted entries are the rightmost ones.
        header = header[-4096:]
    entries = [item.strip() for item in header.split(",")]
    if len(entries) < hops or not entries[-1]:
        return remote
    return _normalise(entries[-hops]) or remote


def client_bucket(request: HttpRequest) -> str:
    """What a per-client limit counts against: :func:`client_ip`, with IPv6 addresses
    widened to their /64 (IPv4-mapped IPv6 addresses count as the IPv4 address)."""
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return ip
