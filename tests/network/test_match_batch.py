"""POST /api/v1/match/batch/: a key required, bounded cost, the single endpoint's results."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

import search
from network.keys import apikey_create
from network.models import ApiKeyTier
from search.backends import reset_search_backends
from search.embeddings import get_embedder
from search.types import SearchDocument

URL = "/api/v1/match/batch/"
CLAIMS = {
    "7": ("Coca-Cola je priznala da njeni proizvodi sadrže alkohol", "bs"),
    "8": ("Вакцине против ковида садрже микрочипове за праћење", "sr"),
}


@pytest.fixture
def client(db, settings, tmp_path):
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    cache.clear()
    texts = [claim for claim, _language in CLAIMS.values()]
    vectors = get_embedder("test").embed_passages(texts)
    search.index_documents(
        [
            SearchDocument(
                id=doc_id,
                title=claim[:30],
                claim_reviewed=claim,
                language=language,
                rating_verdict="false",
                rating_label="Netačno",
                url=f"/{language}/provjere/{doc_id}/",
                vector=list(vector),
            )
            for (doc_id, (claim, language)), vector in zip(CLAIMS.items(), vectors, strict=True)
        ]
    )
    _api_key, key = apikey_create(name="Platform", tier=ApiKeyTier.PLATFORM)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    yield client
    cache.clear()
    reset_search_backends()


def _post(client, body):
    return client.post(URL, body, format="json")


def test_results_equal_the_single_endpoints(client) -> None:
    texts = [
        "RT: Coca-Cola je PRIZNALA da njeni proizvodi sadrže alkohol!!!",
        "Vakcine protiv kovida sadrže mikročipove za praćenje",
        "Danas je lijep dan u Sarajevu",
    ]

    response = _post(client, {"texts": texts, "limit": 3})

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["index"] for item in items] == [0, 1, 2]
    for text, item in zip(texts, items, strict=True):
        single = client.post("/api/v1/match/", {"text": text, "limit": 3}, format="json").json()
        assert item["results"] == single["results"]
        assert item["text_chars"] == single["text_chars"] == len(text)
    assert items[0]["results"][0]["id"] == "7" and items[0]["results"][0]["is_match"]
    assert items[1]["results"][0]["id"] == "8"


def test_a_key_is_required(client) -> None:
    anonymous = APIClient()

    response = anonymous.post(URL, {"texts": ["x"]}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_hundred_texts_pass_and_101_are_400(client, monkeypatch) -> None:
    calls = []
    real = search.match
    monkeypatch.setattr(search, "match", lambda text, **kw: calls.append(text) or real(text, **kw))

    ok = _post(client, {"texts": [f"tekst broj {i} o alkoholu" for i in range(100)]})
    assert ok.status_code == 200, ok.content
    assert len(ok.json()["items"]) == 100

    calls.clear()
    too_many = _post(client, {"texts": ["tekst"] * 101})
    assert too_many.status_code == 400
    assert "1 to 100 texts" in too_many.json()["detail"]
    assert calls == []  # refused before any matching


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"texts": ["ok", "x" * 5001]}, "texts[1]: 5001 characters"),
        ({"texts": ["x" * 5000] * 21}, "characters in all"),
        ({"texts": []}, "1 to 100"),
        ({"texts": "one text"}, "texts is required"),
        ({}, "texts is required"),
        ({"texts": ["ok", 5]}, "texts[1]: each text must be a string"),
        ({"texts": ["ok", {"a": 1}]}, "texts[1]"),
        ({"texts": ["ok", "  \n "]}, "texts[1]: the text is empty"),
        ({"texts": ["ok"], "limit": 500}, "limit"),
        ({"texts": ["ok"], "limit": "x"}, "limit"),
        (["ok"], "send a JSON object"),
    ],
)
def test_bad_or_oversized_batches_are_400(client, body, message) -> None:
    response = _post(client, body)

    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


def test_total_cap_is_a_setting(client, settings) -> None:
    settings.FACTCHECK_MATCH_BATCH_MAX_TOTAL_CHARS = 50

    response = _post(client, {"texts": ["x" * 30, "y" * 30]})

    assert response.status_code == 400
    assert "60 characters in all; at most 50" in response.json()["detail"]


def test_invalid_json_is_400(client) -> None:
    response = client.generic("POST", URL, b'{"texts": [', content_type="application/json")
    assert response.status_code == 400
    response = client.generic("POST", URL, b"\xff\xfe{}", content_type="application/json")
    assert response.status_code == 400


def test_each_text_counts_towards_the_keys_rate(client, settings) -> None:
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "apikey_platform": "5/min"},
    }

    first = _post(client, {"texts": ["alkohol"] * 3})
    second = _post(client, {"texts": ["alkohol"] * 3})  # 3 + 3 > 5
    third = _post(client, {"texts": ["alkohol"] * 2})  # 3 + 2 = 5

    assert [first.status_code, second.status_code, third.status_code] == [200, 429, 200]
    assert _post(client, {"texts": ["alkohol"]}).status_code == 429


def test_batch_is_in_the_openapi_schema(client) -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/match/batch/"]["post"]
    assert operation["operationId"] == "match_batch"
    assert {"200", "400", "401", "429"} <= set(operation["responses"])
    assert "texts" in schema["components"]["schemas"]["BatchRequest"]["properties"]
    assert schema["components"]["securitySchemes"]["apiKeyAuth"]["name"] == "X-Api-Key"
    assert {"apiKeyAuth": []} in operation["security"]
