"""Partner API keys: hashed at rest, a tier's rate per key, revoked keys refused, hostile headers."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from network import keys as keys_module
from network.keys import apikey_create, apikey_revoke
from network.models import ApiKey, ApiKeyTier

URL = "/api/v1/match/"
CLAIM = "Coca-Cola je priznala da njeni proizvodi sadrže alkohol"  # match_index's debunk


@pytest.fixture
def api(db, match_index):
    cache.clear()
    yield APIClient()
    cache.clear()


def _rates(settings, **rates: str) -> None:
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], **rates},
    }


def _match(client, **headers):
    return client.get(URL, {"text": CLAIM}, **headers)


def test_key_is_never_stored_in_clear(db) -> None:
    api_key, key = apikey_create(name="Partner", tier=ApiKeyTier.PARTNER)

    assert key.startswith(f"fck_{api_key.prefix}_")
    secret_part = key.split("_", 2)[2]
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    stored = " ".join(str(value) for value in row.values())
    assert key not in stored and secret_part not in stored
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()


def test_valid_key_gets_its_tier_and_anonymous_keeps_the_public_limit(api, settings) -> None:
    _rates(settings, match="1/min", apikey_partner="3/min", apikey_standard="2/min")
    _partner, partner_key = apikey_create(name="Partner", tier=ApiKeyTier.PARTNER)
    _standard, standard_key = apikey_create(name="Blog", tier=ApiKeyTier.STANDARD)

    anonymous = [_match(api).status_code for _ in range(2)]
    partner = [_match(api, HTTP_X_API_KEY=partner_key).status_code for _ in range(4)]
    standard = [
        _match(api, HTTP_AUTHORIZATION=f"Api-Key {standard_key}").status_code for _ in range(3)
    ]

    assert anonymous == [200, 429]
    assert partner == [200, 200, 200, 429]  # its own bucket, not the address's
    assert standard == [200, 200, 429]


def test_over_limit_key_gets_429_with_retry_after(api, settings) -> None:
    _rates(settings, apikey_standard="2/min")
    _api_key, key = apikey_create(name="Blog", tier=ApiKeyTier.STANDARD)

    codes = [_match(api, HTTP_X_API_KEY=key) for _ in range(3)]

    assert [r.status_code for r in codes] == [200, 200, 429]
    assert 1 <= int(codes[-1]["Retry-After"]) <= 60


def test_revoked_key_is_refused_with_401(api) -> None:
    api_key, key = apikey_create(name="Old partner", tier=ApiKeyTier.PARTNER)
    assert _match(api, HTTP_X_API_KEY=key).status_code == 200

    apikey_revoke(api_key)
    response = _match(api, HTTP_X_API_KEY=key)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert "results" not in response.json()


def test_last_used_time_is_recorded(api) -> None:
    api_key, key = apikey_create(name="Partner", tier=ApiKeyTier.PARTNER)
    assert api_key.last_used_at is None

    _match(api, HTTP_X_API_KEY=key)

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_keys_are_compared_in_constant_time(api, monkeypatch) -> None:
    api_key, key = apikey_create(name="Partner", tier=ApiKeyTier.PARTNER)
    calls = []
    real = keys_module.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keys_module.hmac, "compare_digest", spy)
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")  # same prefix

    assert _match(api, HTTP_X_API_KEY=wrong).status_code == 401
    assert _match(api, HTTP_X_API_KEY=key).status_code == 200
    assert calls == [
        (hashlib.sha256(wrong.encode()).hexdigest(), api_key.key_hash),
        (api_key.key_hash, api_key.key_hash),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Api-Key"},
        {"HTTP_AUTHORIZATION": "Api-Key    "},
        {"HTTP_X_API_KEY": ""},
        {"HTTP_X_API_KEY": "   "},
        {"HTTP_X_API_KEY": "fck_" + "a" * 100_000},
        {"HTTP_X_API_KEY": "fck_deadbeef_' OR 1=1 --"},
        {"HTTP_X_API_KEY": "fck_deadbeef_" + "ž" * 43},
        {"HTTP_X_API_KEY": "fck_deadbeef_" + "a" * 42 + "\x00"},
        {"HTTP_AUTHORIZATION": "Api-Key fck_deadbeef_" + "a" * 43},  # unknown prefix
        {"HTTP_X_API_KEY": "%00"},
    ],
)
def test_hostile_key_headers_are_401_never_500(api, headers) -> None:
    response = _match(api, **headers)

    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Api-Key"


def test_two_different_keys_in_one_request_are_refused(api) -> None:
    _a, key_a = apikey_create(name="A", tier=ApiKeyTier.PARTNER)
    _b, key_b = apikey_create(name="B", tier=ApiKeyTier.PLATFORM)

    response = _match(api, HTTP_AUTHORIZATION=f"Api-Key {key_a}", HTTP_X_API_KEY=key_b)

    assert response.status_code == 401


def test_other_schemes_and_case_are_handled(api) -> None:
    _api_key, key = apikey_create(name="A", tier=ApiKeyTier.PARTNER)

    assert _match(api, HTTP_AUTHORIZATION=f"api-key {key}").status_code == 200
    # Not our scheme: the request stays anonymous (Basic is not taken here at all).
    assert _match(api, HTTP_AUTHORIZATION="Bearer something").status_code == 200
    assert _match(api, HTTP_AUTHORIZATION="Basic YWRtaW46YWRtaW4=").status_code == 200


def test_admin_creates_a_key_shown_once_and_revokes_it(api, admin_client) -> None:
    response = admin_client.post(
        "/admin/api_keys/new/",
        {"name": "Partner newsroom", "organisation": "Raskrikavanje", "tier": "partner"},
    )
    assert response.status_code == 200, response.content
    api_key = ApiKey.objects.get(name="Partner newsroom")
    html = response.content.decode()
    start = html.index("fck_" + api_key.prefix)
    key = html[start : start + len("fck_") + 8 + 1 + 43]
    assert hashlib.sha256(key.encode()).hexdigest() == api_key.key_hash
    assert api_key.tier == "partner"
    assert _match(api, HTTP_X_API_KEY=key).status_code == 200
    listing = admin_client.get("/admin/api_keys/").content.decode()
    assert key not in listing and f"fck_{api_key.prefix}_" in listing

    assert admin_client.post(f"/admin/api_keys/revoke/{api_key.pk}/").status_code == 302

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert _match(api, HTTP_X_API_KEY=key).status_code == 401
