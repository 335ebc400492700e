"""Paths outside the locale prefixes answer their own 404; localised pages still redirect.

Django's LocaleMiddleware turns any 404 on an unprefixed path into a redirect to
``/<lang>/<path>`` when that path could exist, and with Wagtail's catch-all under the
locale prefix every path could. For the API, the embed card, the messenger webhooks and
the health check that meant a 302 to a page that 404s in HTML.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/factchecks/987654/",
        "/api/v1/factchecks/not-a-number/",
        "/api/v1/no-such-endpoint/",
        "/embed/factcheck/987654/",
        "/embed/no-such-thing/",
        "/tipline/no-such-bot/",
        "/healthz/deeper",
        "/sitemap.xml/other",
    ],
)
def test_unknown_non_localised_paths_are_their_own_404(client, newsroom, path) -> None:
    response = client.get(path)

    assert response.status_code == 404, response.get("Location")
    assert "Location" not in response


def test_api_404_stays_json(client, newsroom) -> None:
    response = client.get("/api/v1/factchecks/987654/", HTTP_ACCEPT="application/json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_oembed_of_an_unknown_url_is_a_json_404(client, newsroom) -> None:
    response = client.get("/api/v1/oembed/", {"url": "http://testserver/en/no-such-page/"})

    assert response.status_code == 404
    assert "Location" not in response
    assert response["Content-Type"].startswith("application/json")


def test_localised_pages_still_redirect_to_the_language_prefix(client, make_factcheck) -> None:
    page = make_factcheck()
    localised = urlsplit(page.get_full_url()).path  # /en/.../vaccines-microchips/
    assert localised.startswith("/en/")
    unprefixed = localised[len("/en") :]

    response = client.get(unprefixed)

    assert response.status_code == 302
    assert response["Location"] == localised
    assert client.get(response["Location"]).status_code == 200


def test_localised_routes_outside_wagtail_still_redirect(client, newsroom) -> None:
    response = client.get("/ratings/")

    assert response.status_code == 302
    assert response["Location"] == "/en/ratings/"
