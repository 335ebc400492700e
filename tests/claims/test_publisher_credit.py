"""An imported fact-check credits its publisher: on the page, in <link rel=canonical>,
in its ClaimReview ``url``/``author`` and in the export."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from claims.models import FactCheckPage

pytestmark = pytest.mark.django_db

ORIGINAL = "https://raskrinkavanje.example/analiza/5g-virus"
PUBLISHER_URL = "https://raskrinkavanje.example/"

HOSTILE = [
    "javascript:alert(document.cookie)//",
    " java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "//evil.example/x",
    "https://user:pass@evil.example/x",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            self.links.append({"tag": tag, **{k: v or "" for k, v in attrs}})


def _links(html: str) -> list[dict[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _claimreview(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no ClaimReview JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.fixture
def imported(make_factcheck):
    return make_factcheck(
        locale="hr",
        slug="5g-virus",
        title="5G ne širi virus",
        original_url=ORIGINAL,
        original_publisher="Raskrinkavanje",
        original_publisher_url=PUBLISHER_URL,
    )


def test_page_credits_the_publisher_with_links_and_date(client, imported) -> None:
    html = client.get(imported.url).content.decode()
    assert "Raskrinkavanje" in html
    credit = html[html.index('class="imported-note publisher-credit"') :]
    credit = credit[: credit.index("</aside>")]
    hrefs = [link["href"] for link in _links(credit)]
    assert ORIGINAL in hrefs and PUBLISHER_URL in hrefs
    assert f'datetime="{imported.first_published_at:%Y-%m-%d}' in credit


def test_canonical_and_claimreview_point_to_the_original(client, imported) -> None:
    html = client.get(imported.url).content.decode()
    canonical = [link["href"] for link in _links(html) if link.get("rel") == "canonical"]
    assert canonical == [ORIGINAL]
    review = _claimreview(html)
    assert review["url"] == ORIGINAL
    assert review["author"] == {
        "@type": "Organization",
        "name": "Raskrinkavanje",
        "url": PUBLISHER_URL,
    }


def test_our_own_page_is_its_own_canonical(client, make_factcheck) -> None:
    page = make_factcheck(locale="en", slug="ours")
    html = client.get(page.url).content.decode()
    canonical = [link["href"] for link in _links(html) if link.get("rel") == "canonical"]
    assert canonical == [f"http://testserver{page.url}"]
    assert "publisher-credit" not in html


def test_export_keeps_the_original_publisher_as_author(imported, tmp_path) -> None:
    out = tmp_path / "feed.json"
    call_command(
        "export_claimreview", "--output", str(out), "--base-url", "https://factcheck.example"
    )
    feed = json.loads(out.read_text(encoding="utf-8"))
    reviews = [item["item"][0] for item in feed["dataFeedElement"]]
    ours = [r for r in reviews if r["url"] == ORIGINAL]
    assert len(ours) == 1
    assert ours[0]["author"]["name"] == "Raskrinkavanje"
    assert ours[0]["author"]["url"] == PUBLISHER_URL


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_original_url_is_never_a_link_or_canonical(client, imported, url) -> None:
    FactCheckPage.objects.filter(pk=imported.pk).update(
        original_url=url, original_publisher_url=url
    )
    html = client.get(imported.url).content.decode()
    assert "publisher-credit" in html and "Raskrinkavanje" in html  # the credit stays
    for link in _links(html):
        href = re.sub(r"[\x00-\x20\x7f]", "", link.get("href", "")).lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:", "//")), link
        assert "evil.example" not in href, link
    canonical = [link["href"] for link in _links(html) if link.get("rel") == "canonical"]
    assert canonical == [f"http://testserver{imported.url}"]
    assert "url" not in _claimreview(html) or _claimreview(html)["url"] != url
