"""oEmbed and the embeddable card: no scripts, strict CSP, framable only there."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture
def factcheck(make_factcheck, search_index):
    return make_factcheck(title="Vaccines do not contain <microchips>")


def _oembed(client, url, **params):
    # No follow: /api/ is outside the locale prefixes, so its 404s are not redirected.
    return client.get("/api/v1/oembed/", {"url": url, **params})


def test_oembed_gives_an_iframe_of_the_card(client, factcheck) -> None:
    page_url = factcheck.get_full_url()
    response = _oembed(client, "http://testserver" + urlsplit(page_url).path, maxwidth=400)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["type"], body["width"]) == ("1.0", "rich", 400)
    assert body["title"] == factcheck.title
    parser = _Tags()
    parser.feed(body["html"])
    [(tag, attrs)] = parser.tags
    assert tag == "iframe"
    assert attrs["src"] == f"http://testserver/embed/factcheck/{factcheck.pk}/"
    assert "allow-scripts" not in attrs["sandbox"]
    assert "<microchips>" not in body["html"]  # the title is escaped


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("", 400),
        ("http://evil.example/en/fact-checks/vaccines-microchips/", 404),
        ("http://testserver/en/no-such-page/", 404),
        ("javascript:alert(1)", 404),
        ("http://testserver/" + "a/" * 1500, 400),
    ],
)
def test_oembed_refuses_other_urls(client, factcheck, url, status) -> None:
    assert _oembed(client, url).status_code == status


def test_oembed_xml_is_not_offered(client, factcheck) -> None:
    response = _oembed(client, factcheck.get_full_url(), format="xml")
    assert response.status_code == 501


def test_card_has_no_scripts_and_a_strict_csp(client, factcheck) -> None:
    response = client.get(f"/embed/factcheck/{factcheck.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp
    assert "script-src" not in csp  # falls back to default-src 'none': no script runs
    nonce = re.search(r"style-src 'nonce-([^']+)'", csp).group(1)
    parser = _Tags()
    parser.feed(html)
    tags = [tag for tag, _attrs in parser.tags]
    assert "script" not in tags and "iframe" not in tags and "img" not in tags
    assert [attrs.get("nonce") for tag, attrs in parser.tags if tag == "style"] == [nonce]
    assert not any(attrs.get("src") for _tag, attrs in parser.tags)
    assert not any(k.startswith("on") for _tag, attrs in parser.tags for k in attrs)
    assert "X-Frame-Options" not in response
    assert "&lt;microchips&gt;" in html and factcheck.claim_reviewed in html
    assert "False" in html  # the verdict


def test_a_fresh_nonce_per_response_and_other_pages_stay_unframable(client, factcheck) -> None:
    first = client.get(f"/embed/factcheck/{factcheck.pk}/")["Content-Security-Policy"]
    second = client.get(f"/embed/factcheck/{factcheck.pk}/")["Content-Security-Policy"]
    assert first != second

    page = client.get(urlsplit(factcheck.get_full_url()).path)
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"


def test_card_of_an_unpublished_factcheck_is_404(client, factcheck) -> None:
    factcheck.unpublish()

    gone = client.get(f"/embed/factcheck/{factcheck.pk}/")
    assert gone.status_code == 404
    assert factcheck.claim_reviewed not in gone.content.decode()
    assert _oembed(client, factcheck.get_full_url()).status_code == 404
