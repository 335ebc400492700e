"""DRF authentication by partner API key: ``Authorization: Api-Key <key>`` or ``X-Api-Key``.

* No key: not ours (``None``); the request stays anonymous with the public limits.
* A key that is malformed, unknown or revoked: 401 with ``WWW-Authenticate: Api-Key``.
  A caller that sends a key wants its tier; silently serving it anonymously would hide
  a revoked key from its owner.
* A valid key: ``request.user`` stays anonymous (a key is not a staff account and opens
  nothing the public API does not), ``request.auth`` is the :class:`~network.models.ApiKey`,
  whose ``throttle_scope`` picks the tier's rate (``factcheck.throttling.CredentialThrottle``).

Search's API views take this class from ``settings.FACTCHECK_API_KEY_AUTHENTICATION``
(search does not import ``network``).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .keys import MAX_KEY_CHARS, apikey_check, apikey_touch

SCHEME = "Api-Key"


def presented_key(request) -> str | None:
    """The key the request carries, ``None`` when it carries none.

    Raises ``AuthenticationFailed`` for a malformed ``Api-Key`` header or for two
    different keys in the two headers."""
    meta = request.META
    from_header = None
    authorization = meta.get("HTTP_AUTHORIZATION", "")
    if authorization:
        scheme, _sep, value = authorization.strip().partition(" ")
        if scheme.lower() == SCHEME.lower():
            from_header = value.strip()
            if not from_header:
                raise AuthenticationFailed("Api-Key header without a key.")
    x_key = meta.get("HTTP_X_API_KEY")
    if x_key is not None:
        x_key = x_key.strip()
        if not x_key:
            raise AuthenticationFailed("X-Api-Key header without a key.")
    if from_header is not None and x_key is not None and from_header != x_key:
        raise AuthenticationFailed("Two different API keys in one request.")
    return from_header if from_header is not None else x_key


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        key = presented_key(request)
        if key is None:
            return None
        if len(key) > MAX_KEY_CHARS or not key.isascii() or not key.isprintable():
            raise AuthenticationFailed("Invalid API key.")
        api_key = apikey_check(key)
        if api_key is None:
            raise AuthenticationFailed("Invalid or revoked API key.")
        apikey_touch(api_key)
        return AnonymousUser(), api_key

    def authenticate_header(self, request) -> str:
        return SCHEME


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "network.auth.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "A partner key (or `Authorization: Api-Key <key>`); "
            "optional on public endpoints, where it raises the rate limit to its tier.",
        }
