"""The public fact-check API, the ClaimReview feed and the staff-only queue endpoint."""

import pytest
from django.contrib.auth.models import User

from claims.services import SightingData, claim_create

pytestmark = pytest.mark.django_db


def test_factchecks_list_and_filters(client, make_factcheck):
    make_factcheck(locale="en", slug="one", verdict_key="false")
    make_factcheck(locale="hr", slug="dva", title="Cjepivo", verdict_key="true")
    data = client.get("/api/v1/factchecks/").json()
    assert data["count"] == 2
    first = data["results"][0]
    assert {"claim_reviewed", "rating", "url", "language", "topics", "countries"} <= set(first)
    assert first["url"].startswith("http://testserver/")
    hr = client.get("/api/v1/factchecks/?lang=hr").json()
    assert [r["language"] for r in hr["results"]] == ["hr"]
    assert hr["results"][0]["rating"]["label"] == "Točno"
    only_false = client.get("/api/v1/factchecks/?rating=false").json()
    assert [r["rating"]["verdict"] for r in only_false["results"]] == ["false"]


def test_each_factcheck_names_its_publisher_a_partners_is_credited(
    client, make_factcheck, settings
):
    settings.FACTCHECK_NEWSROOM_NAME = "Provjera Balkan"
    ours = make_factcheck(locale="hr", slug="nasa")
    partners = make_factcheck(
        locale="hr",
        slug="partnerova",
        original_publisher="Partner Provjera",
        original_publisher_url="https://partner.example/",
        original_url="https://partner.example/provjere/1",
    )
    results = {r["id"]: r for r in client.get("/api/v1/factchecks/?lang=hr").json()["results"]}
    assert results[partners.pk]["publisher"] == {
        "name": "Partner Provjera",
        "url": "https://partner.example/",
    }
    assert results[partners.pk]["original_url"] == "https://partner.example/provjere/1"
    assert results[ours.pk]["publisher"]["name"] == "Provjera Balkan"
    assert results[ours.pk]["publisher"]["url"].startswith("http://testserver/")


def test_match_api_credits_each_debunks_publisher(client, make_factcheck, search_index, settings):
    settings.FACTCHECK_NEWSROOM_NAME = "Provjera Balkan"
    claim = "Vakcine protiv gripa sadrže mikročipove za praćenje ljudi"
    ours = make_factcheck(locale="hr", slug="nasa", claim_reviewed=claim)
    partners = make_factcheck(
        locale="hr",
        slug="partnerova",
        claim_reviewed=claim + " u Sarajevu",
        original_publisher="Partner Provjera",
        original_publisher_url="https://partner.example/",
        original_url="https://partner.example/provjere/1",
    )
    response = client.post("/api/v1/match/", {"text": claim}, content_type="application/json")
    assert response.status_code == 200, response.content
    credits = {r["id"]: r["publisher"] for r in response.json()["results"]}
    assert credits[str(ours.pk)]["name"] == "Provjera Balkan"
    assert credits[str(partners.pk)] == {
        "name": "Partner Provjera",
        "url": "https://partner.example/",
    }


def test_claimreview_feed_is_a_datafeed(client, make_factcheck):
    make_factcheck(locale="en")
    response = client.get("/api/v1/claimreview.json")
    assert response["Content-Type"].startswith("application/ld+json")
    feed = response.json()
    assert feed["@type"] == "DataFeed"
    review = feed["dataFeedElement"][0]["item"][0]
    assert review["@type"] == "ClaimReview"
    assert review["reviewRating"]["alternateName"] == "False"


def test_claims_queue_is_staff_only(client, newsroom, monkeypatch):
    import search

    monkeypatch.setattr(search, "match", lambda *a, **k: [])
    claim_create(
        text="Struja poskupljuje 40 posto od siječnja",
        language="hr",
        sighting=SightingData(source="manual", url="https://x.example/1"),
    )
    anonymous = client.get("/api/v1/claims/")
    assert anonymous.status_code == 401 and "results" not in anonymous.json()
    User.objects.create_user("reader", password="pw")
    client.login(username="reader", password="pw")
    assert client.get("/api/v1/claims/").status_code == 403
    # ``is_staff`` alone is not enough: the queue needs claims.view_claim (an Editor has it).
    User.objects.create_user("staff", password="pw", is_staff=True)
    client.login(username="staff", password="pw")
    assert client.get("/api/v1/claims/").status_code == 403
    from django.contrib.auth.models import Group

    editor = User.objects.create_user("editor", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.login(username="editor", password="pw")
    data = client.get("/api/v1/claims/?lang=hr").json()
    assert data["count"] == 1
    detail = client.get(f"/api/v1/claims/{data['results'][0]['id']}/").json()
    assert detail["sighting_count"] == 1
    assert data["results"][0]["text"] == "Struja poskupljuje 40 posto od siječnja"
    assert data["results"][0]["status"] == "new"


def test_openapi_schema_documents_the_public_api(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = set(schema["paths"])
    for path in (
        "/api/v1/factchecks/",
        "/api/v1/claims/",
        "/api/v1/search/",
        "/api/v1/match/",
        "/api/v1/claimreview.json",
    ):
        assert path in paths
    assert not any(p.startswith("/admin/") for p in paths)
