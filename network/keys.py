"""API keys: made, hashed, checked, revoked.

A key reads ``fck_<prefix>_<secret>``: ``prefix`` is 8 hex characters (stored, shown in
the admin, used to find the row), ``secret`` is 32 random bytes in URL-safe base64. Only
the SHA-256 of the whole key is stored: a database leak gives no usable key, and keys
are random (256 bits), so a slow password hash would add nothing. The stored and the
presented hash are compared with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "fck_"
MAX_KEY_CHARS = 80
_KEY = re.compile(r"^fck_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often per key: not one UPDATE per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def apikey_create(*, name: str, tier: str, organisation: str = "", contact_email: str = ""):
    """Create a key; returns ``(ApiKey, key)``. The key is never stored: show it now."""
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    name=name,
                    tier=tier,
                    organisation=organisation,
                    contact_email=contact_email,
                    prefix=prefix,
                    key_hash=hash_key(key),
                )
        except IntegrityError:  # prefix collision: 1 in 4 billion, try another
            continue
        return api_key, key
    raise RuntimeError("could not find a free key prefix")


def apikey_assign_new_key(api_key: ApiKey) -> str:
    """Give an unsaved ``ApiKey`` (the admin's form) a fresh key; returns it. Saves."""
    for _attempt in range(5):
        api_key.prefix = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{api_key.prefix}_{secrets.token_urlsafe(32)}"
        api_key.key_hash = hash_key(key)
        try:
            with transaction.atomic():
                api_key.save()
        except IntegrityError:
            continue
        return key
    raise RuntimeError("could not find a free key prefix")


def apikey_revoke(api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def apikey_check(key: str) -> ApiKey | None:
    """The active key ``key`` names, or ``None`` (unknown, malformed, revoked)."""
    match = _KEY.match(key) if len(key) <= MAX_KEY_CHARS else None
    # Hash even a malformed key, so that the time taken does not tell what was wrong.
    presented = hash_key(key[:MAX_KEY_CHARS])
    if match is None:
        return None
    api_key = ApiKey.objects.filter(prefix=match.group(1)).first()
    if api_key is None or not hmac.compare_digest(presented, api_key.key_hash):
        return None
    if api_key.revoked_at is not None:
        return None
    return api_key


def apikey_touch(api_key: ApiKey, *, now=None) -> None:
    """Record use, at most once per ``LAST_USED_RESOLUTION``."""
    now = now or timezone.now()
    last = api_key.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
