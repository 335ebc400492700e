"""/api/v1/match/: results, 400s for bad input (never a 500), throttling, the schema."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

URL = "/api/v1/match/"
CLAIM = "Coca-Cola je priznala da njeni proizvodi sadrže alkohol"  # match_index's debunk


@pytest.fixture
def client(match_index):
    return APIClient()


def _check_result(item) -> None:
    assert item["claim_reviewed"] == CLAIM
    assert item["rating"] == {"label": "Netačno", "verdict": "false"}
    assert item["url"] == "http://testserver/bs/provjere/coca-cola/"
    assert item["language"] == "bs"
    assert item["is_match"] is True
    assert 0.99 <= item["score"] <= 1.0
    assert item["matched_sentence"]


def test_get_and_post(client) -> None:
    response = client.get(URL, {"text": CLAIM, "limit": 3})
    assert response.status_code == 200, response.content
    _check_result(response.json()["results"][0])
    response = client.post(
        URL, {"text": f"RT @x: {CLAIM.upper()}!!! 😱", "url": "https://t.me/x/1"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["url"] == "https://t.me/x/1"
    _check_result(body["results"][0])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n\t "}, "empty"),
        ({"text": "x" * 20_001}, "too long"),
        ({"text": "ž" * 1_000_000}, "too long"),
        ({"text": CLAIM, "limit": "abc"}, "limit"),
        ({"text": CLAIM, "limit": 0}, "limit"),
        ({"text": CLAIM, "limit": 500}, "limit"),
    ],
)
def test_get_bad_input_is_400(client, params, message) -> None:
    response = client.get(URL, params)
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2, 3]",
        b'"just a string"',
        b'{"text": null}',
        b'{"text": "\\u0000\\u0000"}',
        b'{"text": "\\ud800"}',
        b"\xff\xfe\x00binary",
        json.dumps({"text": "a" * 1_000_000}).encode(),
        b'{"text": "ok", "limit": "many"}',
    ],
)
def test_post_bad_input_is_400(client, body) -> None:
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "text", ["😱🔥", "https://t.co/x @a #b", "\x01\x02 binary \x7f", "....!!!", "Zagreb"]
)
def test_odd_unicode_gives_results_or_400(client, text) -> None:
    response = client.post(URL, {"text": text}, format="json")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert isinstance(response.json()["results"], list)


def test_throttled_per_client(client, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "match": "2/min",
        },
    }
    # Rates are read from settings on each request (factcheck.throttling): no class patching.
    try:
        codes = [client.get(URL, {"text": CLAIM}).status_code for _ in range(3)]
    finally:
        cache.clear()
    assert codes == [200, 200, 429]


def test_in_openapi_schema(client) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operations = schema["paths"]["/api/v1/match/"]
    assert {"get", "post"} <= set(operations)
    assert "MatchResponse" in schema["components"]["schemas"]
    result = schema["components"]["schemas"]["MatchResult"]["properties"]
    assert {"claim_reviewed", "rating", "url", "language", "score", "is_match"} <= set(result)
