"""GET /api/v1/search/: results, facets, parameter errors, throttling, schema."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

URL = "/api/v1/search/"


@pytest.fixture
def debunks(make_factcheck):
    return {
        "sr": make_factcheck(
            locale="sr",
            slug="vakcine-mikrocipovi",
            title="Вакцине не садрже микрочипове",
            claim_reviewed="Вакцине садрже микрочипове",
            summary="Нетачно.",
            country_codes=["rs"],
            topic_keys=["health"],
        ),
        "hr": make_factcheck(
            locale="hr",
            slug="cjepiva-mikrocipovi",
            title="Cjepiva ne sadrže mikročipove",
            claim_reviewed="Cjepiva sadrže mikročipove",
            summary="Netočno.",
            country_codes=["hr"],
        ),
        "en": make_factcheck(
            locale="en",
            verdict_key="true",
            slug="true-one",
            title="Microchips exist",
            claim_reviewed="Microchips are small",
            summary="True.",
        ),
    }


def test_results_carry_the_contract_fields(client, debunks):
    response = client.get(URL, {"q": "vakcine mikrocipovi"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] >= 1 and data["limit"] == 10 and data["offset"] == 0
    first = next(r for r in data["results"] if r["id"] == str(debunks["sr"].pk))
    assert first["claim_reviewed"] == "Вакцине садрже микрочипове"
    assert first["rating"] == {"label": "Нетачно", "verdict": "false"}
    assert first["url"] == "http://testserver/sr/fact-checks/vakcine-mikrocipovi/"
    assert first["language"] == "sr"
    assert isinstance(first["score"], float) and first["score"] > 0
    assert "<mark>" in first["highlight"]
    assert first["countries"] == ["RS"] and first["topics"] == ["health"]


def test_facet_counts_and_filters(client, debunks):
    data = client.get(URL, {"q": "mikrocipovi"}).json()
    assert data["facets"]["lang"] == {"sr": 1, "hr": 1}
    assert data["facets"]["rating"] == {"false": 2}
    assert data["facets"]["country"] == {"RS": 1, "HR": 1}
    assert data["facets"]["topic"] == {"health": 1}
    only_hr = client.get(URL, {"q": "mikrocipovi", "lang": "hr"}).json()
    assert [r["id"] for r in only_hr["results"]] == [str(debunks["hr"].pk)]
    by_country = client.get(URL, {"q": "mikrocipovi", "country": "rs,ba"}).json()
    assert [r["id"] for r in by_country["results"]] == [str(debunks["sr"].pk)]
    by_topic = client.get(URL, {"q": "mikrocipovi", "topic": "health"}).json()
    assert by_topic["count"] == 1
    by_rating = client.get(URL, {"q": "microchips mikrocipovi", "rating": "true"}).json()
    assert [r["id"] for r in by_rating["results"]] == [str(debunks["en"].pk)]


def test_limit_and_offset_page_through(client, debunks):
    page1 = client.get(URL, {"q": "mikrocipovi", "limit": 1}).json()
    page2 = client.get(URL, {"q": "mikrocipovi", "limit": 1, "offset": 1}).json()
    assert page1["count"] == page2["count"] == 2
    assert page1["results"][0]["id"] != page2["results"][0]["id"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "a", "limit": 0}, "limit"),
        ({"q": "a", "limit": 51}, "limit"),
        ({"q": "a", "limit": "ten"}, "limit"),
        ({"q": "a", "offset": -1}, "offset"),
        ({"q": "a", "offset": 1001}, "offset"),
        ({"q": "a", "rating": "fake-news"}, "rating"),
        ({"q": "a", "lang": "xx"}, "lang"),
        ({"q": "a", "country": "SRB"}, "country"),
        ({"q": "a", "topic": "<b>"}, "topic"),
        ({"q": "a", "published_from": "yesterday"}, "published_from"),
        ({"q": "a", "published_from": "2025-02-01", "published_to": "2025-01-01"}, "published_to"),
    ],
)
def test_bad_parameters_give_400_with_a_message(client, debunks, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    data = response.json()
    assert field in data["errors"] and data["detail"].startswith(f"{field}:")


def test_unknown_rating_message_lists_the_verdicts(client, debunks):
    detail = client.get(URL, {"q": "a", "rating": "fake-news"}).json()["detail"]
    assert "fake-news" in detail and "mostly-false" in detail


@pytest.mark.parametrize("query", ['"', "*", "(", ")", "AND", ":", 'a" OR (b*', "title:x"])
def test_operator_characters_never_error(client, debunks, query):
    assert client.get(URL, {"q": query}).status_code == 200


def test_throttled_with_the_search_scope(client, debunks, settings):
    from django.core.cache import cache

    from search.api.search import SearchAPIView

    assert SearchAPIView.throttle_scope == "search"
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "search": "2/min"},
    }
    cache.clear()
    codes = [client.get(URL, {"q": "mikrocipovi"}).status_code for _ in range(3)]
    cache.clear()
    assert codes == [200, 200, 429]


def test_schema_documents_the_endpoint(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "lang", "rating", "country", "topic", "limit", "offset"} <= names
    assert "200" in operation["responses"] and "400" in operation["responses"]


def test_latin_site_gets_serbian_debunks_in_latin_with_the_mirror_link(client, debunks):
    data = client.get(URL, {"q": "вакцине микрочипови", "site_language": "sr-latn"}).json()
    first = next(r for r in data["results"] if r["id"] == str(debunks["sr"].pk))
    assert first["title"] == "Vakcine ne sadrže mikročipove"
    assert first["claim_reviewed"] == "Vakcine sadrže mikročipove"
    assert first["rating"]["label"] == "Netačno"
    assert first["url"] == "http://testserver/sr-latn/fact-checks/vakcine-mikrocipovi/"
    assert "<mark>" in first["highlight"] and not re.search("[а-яђјљњћџ]", first["highlight"])
    # The Croatian debunk is not Serbian: it is shown as written.
    croatian = next(r for r in data["results"] if r["id"] == str(debunks["hr"].pk))
    assert croatian["title"] == "Cjepiva ne sadrže mikročipove"
    # The Cyrillic site keeps the Cyrillic original.
    cyrillic = client.get(URL, {"q": "вакцине микрочипови", "site_language": "sr"}).json()
    first = next(r for r in cyrillic["results"] if r["id"] == str(debunks["sr"].pk))
    assert first["title"] == "Вакцине не садрже микрочипове"
    assert first["url"] == "http://testserver/sr/fact-checks/vakcine-mikrocipovi/"
