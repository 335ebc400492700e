"""The public fact-check API and the ClaimReview feed: bounded pages, a cached feed."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

FEED = "/api/v1/claimreview.json"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_factchecks_limit_is_capped_at_100(client, make_factcheck, monkeypatch):
    from claims.api import FactCheckViewSet

    paginator = FactCheckViewSet.pagination_class
    assert paginator.max_limit == 100
    # Publishing 101 pages to show it would be slow; the same cap, lowered, on 3 pages:
    monkeypatch.setattr(paginator, "max_limit", 2)
    for i in range(3):
        make_factcheck(slug=f"claim-{i}", title=f"Claim {i}")
    data = client.get("/api/v1/factchecks/", {"limit": 100_000}).json()
    assert data["count"] == 3 and len(data["results"]) == 2
    assert "limit=2" in data["next"]


def _claims_in(response) -> list[str]:
    feed = response.json()
    return [item["claimReviewed"] for el in feed["dataFeedElement"] for item in el["item"]]


def test_feed_is_built_once_and_not_on_every_request(client, make_factcheck):
    make_factcheck(slug="one", claim_reviewed="The first claim")
    with CaptureQueriesContext(connection) as building:
        first = client.get(FEED)
    assert first.status_code == 200 and len(building) > 0
    with CaptureQueriesContext(connection) as serving:
        second = client.get(FEED)
    assert len(serving) == 0, [q["sql"] for q in serving]
    assert second.content == first.content
    assert second["Content-Type"] == "application/ld+json; charset=utf-8"


def test_a_publish_shows_up_in_the_next_response(client, make_factcheck):
    make_factcheck(slug="one", claim_reviewed="The first claim")
    assert _claims_in(client.get(FEED)) == ["The first claim"]
    page = make_factcheck(slug="two", claim_reviewed="The second claim")
    assert sorted(_claims_in(client.get(FEED))) == ["The first claim", "The second claim"]
    page.unpublish()
    assert _claims_in(client.get(FEED)) == ["The first claim"]


def test_a_deleted_factcheck_leaves_the_feed(client, make_factcheck):
    make_factcheck(slug="one", claim_reviewed="The first claim")
    page = make_factcheck(slug="two", claim_reviewed="The second claim")
    assert len(_claims_in(client.get(FEED))) == 2
    page.delete()
    assert _claims_in(client.get(FEED)) == ["The first claim"]


def test_feed_urls_follow_the_host_asked(client, make_factcheck, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    make_factcheck(slug="one")
    a = client.get(FEED, HTTP_HOST="a.example").json()
    b = client.get(FEED, HTTP_HOST="b.example").json()
    assert a["url"].startswith("http://a.example/") and b["url"].startswith("http://b.example/")


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/factchecks/", None),
        ("get", FEED, None),
        ("get", "/api/v1/search/?q=vakcine", None),
        ("post", "/api/v1/match/", {"text": "Vakcine sadrže mikročipove"}),
    ],
)
def test_public_endpoints_are_no_password_oracle(client, editor, method, path, data):
    """Only the throttled staff API checks HTTP Basic: elsewhere a guess tells nothing.

    DRF's default authentication checks Basic credentials on every view, so a wrong
    password on a public endpoint answered 401 and a right one 200: a password oracle
    outside the Basic-auth failure throttle of ``claims.api_auth``.
    """
    import base64

    def basic(password: str) -> str:
        token = base64.b64encode(f"{editor.username}:{password}".encode()).decode()
        return f"Basic {token}"

    send = getattr(client, method)
    statuses = set()
    for password in ("wrong-guess", "another-guess", "correct-horse-editor"):
        editor.set_password("correct-horse-editor")
        editor.save()
        response = (
            send(path, data, content_type="application/json", HTTP_AUTHORIZATION=basic(password))
            if data
            else send(path, HTTP_AUTHORIZATION=basic(password))
        )
        statuses.add(response.status_code)
    assert statuses == {200}
