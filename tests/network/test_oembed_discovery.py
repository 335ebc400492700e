"""The fact-check page announces its oEmbed endpoint (oEmbed 1.0, section 4: discovery)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "link":
            self.links.append(dict(attrs))


def _oembed_links(html: str) -> list[dict]:
    parser = _Links()
    parser.feed(html)
    return [
        link
        for link in parser.links
        if link.get("rel") == "alternate" and link.get("type") == "application/json+oembed"
    ]


def test_factcheck_page_links_to_its_oembed(client, make_factcheck, search_index) -> None:
    page = make_factcheck(title="Vaccines & <microchips>")
    page_path = urlsplit(page.get_full_url()).path

    response = client.get(page_path)

    assert response.status_code == 200
    [link] = _oembed_links(response.content.decode())
    href = urlsplit(link["href"])
    assert (href.scheme, href.netloc, href.path) == ("http", "testserver", "/api/v1/oembed/")
    assert parse_qs(href.query) == {"url": [f"http://testserver{page_path}"]}
    assert link["title"] == "Vaccines & <microchips>"

    # The advertised URL is the endpoint's answer for this very page.
    oembed = client.get(f"{href.path}?{href.query}")
    assert oembed.status_code == 200, oembed.content
    body = oembed.json()
    assert body["type"] == "rich" and body["title"] == page.title
    assert f"/embed/factcheck/{page.pk}/" in body["html"]


def test_other_pages_do_not_announce_an_oembed(client, newsroom) -> None:
    response = client.get("/en/", follow=True)

    assert response.status_code == 200
    assert _oembed_links(response.content.decode()) == []
