"""Per-client rate limits for the public API and the HTML pages, keyed on one rule.

Every throttle here identifies the client with :func:`factcheck.clientip.client_bucket`
(the address from ``client_ip``, ``FACTCHECK_TRUSTED_PROXIES``; an IPv6 client by its
/64), never with DRF's own ``get_ident``: with DRF's default
(``NUM_PROXIES = None``) a client that sends a new random ``X-Forwarded-For`` on each
request gets a new bucket each time. ``REST_FRAMEWORK["NUM_PROXIES"]`` is also set from
the same setting, so a stock DRF throttle that slips in elsewhere agrees for the common
cases; ``tests/factcheck/test_client_limits.py`` checks that every API view uses these.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, read on each request
rather than copied onto the class at import as DRF does, so ``settings`` overrides (tests,
``override_settings``) take effect without patching class attributes.

* :class:`ScopedClientThrottle`: ``throttle_scope`` on the view picks the rate.
* :class:`AnonClientThrottle`: the ``anon`` rate, the default for every DRF view.
* :class:`ClientRateThrottle`: a fixed ``scope`` set on a subclass (function views).
* :class:`CredentialThrottle`: per API key (its tier's rate) when the request carries
  one, else the view's scope per client; a view may charge several requests at once.
* :func:`throttle_request`: the same buckets for plain Django views (the search page).
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle

from factcheck.clientip import client_bucket

__all__ = [
    "AnonClientThrottle",
    "ClientRateThrottle",
    "ClientThrottleMixin",
    "CredentialThrottle",
    "ScopedClientThrottle",
    "throttle_request",
]


class ClientThrottleMixin:
    """Identify the client with ``client_bucket`` (``client_ip``; IPv6 by /64) and read
    rates from the current settings."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:  # noqa: N802 (DRF's name)
        return api_settings.DEFAULT_THROTTLE_RATES

    def get_ident(self, request) -> str:
        return client_bucket(request)


class ScopedClientThrottle(ClientThrottleMixin, ScopedRateThrottle):
    """DRF's ``ScopedRateThrottle`` keyed on :func:`client_bucket`."""


class AnonClientThrottle(ClientThrottleMixin, AnonRateThrottle):
    """DRF's ``AnonRateThrottle`` (scope ``anon``) keyed on :func:`client_bucket`."""


class ClientRateThrottle(ClientThrottleMixin, SimpleRateThrottle):
    """A fixed ``scope`` (set on a subclass), for every client, signed in or not.

    For views that cannot carry a ``throttle_scope`` (function views)."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CredentialThrottle(ScopedClientThrottle):
    """A partner's key is limited by its tier, everyone else by the view's scope.

    ``request.auth`` with a ``throttle_scope`` and a ``throttle_ident`` (an API key,
    ``network.models.ApiKey``) is counted in its own bucket at that scope's rate, not by
    address; without one the request is counted per client at ``view.throttle_scope``.
    A view's ``throttle_cost(request)`` (default 1) is how many requests this one
    counts for: a batch of 100 texts uses 100 of the key's requests.
    """

    def allow_request(self, request, view) -> bool:
        credential = getattr(request, "auth", None)
        scope = getattr(credential, "throttle_scope", None)
        if scope:
            ident = f"cred:{credential.throttle_ident}"
        else:
            scope = getattr(view, self.scope_attr, None)
            if not scope:
                return True
            ident = self.get_ident(request)
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        cost = max(int(getattr(view, "throttle_cost", lambda _request: 1)(request)), 1)
        self.key = self.cache_format % {"scope": scope, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) + cost > self.num_requests:
            return self.throttle_failure()
        self.history[:0] = [self.now] * cost
        self.cache.set(self.key, self.history, self.duration)
        return True


class _PageThrottle(ClientRateThrottle):
    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()


def throttle_request(request: HttpRequest, scope: str) -> float | None:
    """Count ``request`` against ``scope``'s rate for its client.

    Returns ``None`` when the request may go ahead, else the seconds to wait (for a
    ``Retry-After`` header). A scope whose rate is ``None`` is not limited; a scope
    missing from the rates is ``ImproperlyConfigured``, as in DRF.
    """
    throttle = _PageThrottle(scope)
    if throttle.allow_request(request, None):
        return None
    return max(throttle.wait() or 1.0, 1.0)
