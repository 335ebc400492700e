"""Who may read the staff claim-queue API, and how password guessing on it is stopped.

``/api/v1/claims/`` accepts HTTP Basic (for scripts) and the admin session. Basic auth
checks a password on every request, so without a limit the endpoint is a password oracle.

* :class:`ThrottledBasicAuthentication` counts failed Basic attempts (wrong password,
  unknown user, malformed header) in Django's cache, per client address
  (``factcheck.clientip.client_ip``: ``X-Forwarded-For`` only from trusted proxies) and
  per username. Once either count reaches ``FACTCHECK_API_AUTH_FAILURE_LIMIT`` (default
  10) within ``FACTCHECK_API_AUTH_FAILURE_WINDOW`` seconds (default 900), every Basic
  attempt from that address or for that username is answered 429 with ``Retry-After``,
  the right password included: a guesser learns nothing more until the window ends.
  Rotating usernames does not help (the address counts), nor does rotating addresses
  against one account (the username counts). A successful login does not reset either
  count. The cost: a guesser can lock one account out of the API (not out of the admin)
  for a window.
* :class:`CanViewClaims`: the ``claims.view_claim`` permission (the Fact-checkers and
  Editors groups), not merely ``is_staff``.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BasicAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import BasePermission

from factcheck.clientip import client_ip

__all__ = ["CanViewClaims", "ThrottledBasicAuthentication"]


def _limit() -> int:
    return max(int(settings.FACTCHECK_API_AUTH_FAILURE_LIMIT), 1)


def _window() -> int:
    return max(int(settings.FACTCHECK_API_AUTH_FAILURE_WINDOW), 1)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{value}".encode()).hexdigest()[:32]
    return f"claims:api-auth-failures:{kind}:{digest}"


def _check(key: str) -> None:
    """Raise 429 if ``key`` has used up its failures in the current window."""
    if (cache.get(key) or 0) >= _limit():
        ends = cache.get(f"{key}:ends") or (time.time() + _window())
        raise Throttled(wait=max(ends - time.time(), 1))


def _fail(key: str) -> None:
    window = _window()
    if cache.add(key, 0, timeout=window):
        cache.set(f"{key}:ends", time.time() + window, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


class ThrottledBasicAuthentication(BasicAuthentication):
    """DRF's Basic auth, with failed attempts limited per client address and username."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"basic":
            return None
        address = _key("ip", client_ip(request))
        _check(address)
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            _fail(address)
            raise

    def authenticate_credentials(self, userid, password, request=None):
        username = _key("user", (userid or "").strip().lower())
        _check(username)
        try:
            return super().authenticate_credentials(userid, password, request)
        except AuthenticationFailed:
            _fail(username)
            raise


class CanViewClaims(BasePermission):
    """An active user with ``claims.view_claim``."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and user.has_perm("claims.view_claim")
        )


class ThrottledBasicScheme(OpenApiAuthenticationExtension):
    """Document :class:`ThrottledBasicAuthentication` as plain HTTP Basic in the schema."""

    target_class = "claims.api_auth.ThrottledBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}
