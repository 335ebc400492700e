"""The public search: "our debunks / partners' debunks", hostile queries with the vector
channel on, and the backend hook that counts a document both channels found once."""

from __future__ import annotations

import re

import pytest

import search
from search.types import SearchDocument

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]


def _hit_links(html: str) -> list[str]:
    return re.findall(r'<h3 lang="[^"]*"><a href="([^"]+)"', html)


@pytest.fixture
def own_and_partner(make_factcheck):
    from claims import services
    from claims.models import Rating

    own = make_factcheck(
        locale="hr",
        slug="mikrocipovi-nase",
        title="Cjepiva ne sadrže mikročipove",
        claim_reviewed="Cjepiva sadrže mikročipove kojima se prate građani",
    )
    rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code="hr")
    partner, _ = services.factcheck_upsert(
        index=services.index_for(locale_code="hr", imported=True),
        slug="mikrocipovi-partner",
        rating=rating,
        title="Mikročipovi u cjepivima: netočno",
        claim_reviewed="U cjepivima su mikročipovi za praćenje ljudi",
        summary="Netočno.",
        claimant="Objava na Facebooku",
        appearances=[],
    )
    return own, partner


def test_origin_filter_on_the_page(client, own_and_partner):
    own, partner = own_and_partner
    both = client.get("/en/search/", {"q": "mikročipovi"}).content.decode()
    assert set(_hit_links(both)) == {own.url, partner.url}
    assert re.search(r'name="origin" value="own"[^>]*>\s*Our debunks', both)
    assert re.search(r"name=\"origin\" value=\"partner\"[^>]*>\s*Partners&#x27; debunks", both)
    assert re.search(r"a partner(&#x27;|')s debunk", both)
    ours = client.get("/en/search/", {"q": "mikročipovi", "origin": "own"}).content.decode()
    assert _hit_links(ours) == [own.url]
    theirs = client.get("/en/search/", {"q": "mikročipovi", "origin": "partner"}).content.decode()
    assert _hit_links(theirs) == [partner.url]
    # The facet is counted without its own filter: "our debunks" can still be added.
    assert re.search(r'name="origin" value="own"\s*>', theirs)
    # An unknown value is ignored, never an error.
    assert client.get("/en/search/", {"q": "mikročipovi", "origin": "x"}).status_code == 200


def test_origin_filter_in_the_api(client, own_and_partner):
    own, partner = own_and_partner
    data = client.get("/api/v1/search/", {"q": "mikročipovi", "origin": "partner"}).json()
    assert [r["id"] for r in data["results"]] == [str(partner.pk)]
    assert data["results"][0]["origin"] == "partner"
    assert data["facets"]["origin"] == {"partner": 1}
    everything = client.get("/api/v1/search/", {"q": "mikročipovi"}).json()
    assert everything["facets"]["origin"] == {"own": 1, "partner": 1}
    bad = client.get("/api/v1/search/", {"q": "mikročipovi", "origin": "theirs"})
    assert bad.status_code == 400 and "origin" in bad.json()["detail"]


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> "><mark>mikročipovi'


def test_hostile_query_cannot_inject_html_with_the_vector_channel_on(
    client, settings, monkeypatch, make_factcheck
):
    # A fact-check whose own text is hostile too, and a floor every hit passes, so the
    # vector channel's snippets (built outside the engine) are on the page.
    settings.FACTCHECK_SEARCH_VECTOR = "always"
    settings.FACTCHECK_SEARCH_MIN_COSINE = -1.0
    monkeypatch.setattr("search.public.RELATIVE_FLOOR", 2.0)
    make_factcheck(
        locale="hr",
        slug="hostile-text",
        title="Mikročipovi <b>u</b> cjepivima",
        claim_reviewed='Mikročipovi <script>alert("x")</script> u cjepivima',
    )
    make_factcheck(
        locale="en",
        slug="unrelated-english",
        title="Bananas",
        claim_reviewed="Bananas <i>yellow</i> & ripe",  # found by the vector channel only
    )
    html = client.get("/en/search/", {"q": HOSTILE}).content.decode()
    assert "<script>" not in html.split("<body", 1)[1].replace('<script src="', "")
    assert "<img src=x" not in html and 'alert("x")</script>' not in html
    assert "<i>yellow</i>" not in html
    snippets = re.findall(r'<p class="hit-snippet"[^>]*>(.*?)</p>', html, re.S)
    assert len(snippets) == 2  # the lexical hit and the vector-only one
    for snippet in snippets:
        assert re.sub(r"</?mark>", "", snippet).count("<") == 0, snippet
    api = client.get("/api/v1/search/", {"q": HOSTILE}).json()
    for result in api["results"]:
        assert re.sub(r"</?mark>", "", result["highlight"]).count("<") == 0


def test_lexical_matches_names_the_ids_the_text_query_matches(settings):
    docs = [
        SearchDocument(id="a", claim_reviewed="Mikročipovi u cjepivima", language="hr"),
        SearchDocument(id="b", claim_reviewed="Банане изазивају срчани удар", language="sr"),
        SearchDocument(id="c", claim_reviewed="Mikročip u banani", language="hr", origin="partner"),
    ]
    search.index_documents(docs)
    backend = search.get_backend()
    assert backend.lexical_matches("mikrocipovi", ["a", "b", "c", "zz"]) == {"a", "c"}
    assert backend.lexical_matches("банана", ["a", "b", "c"]) == {"b", "c"}
    only_partner = {"origin": "partner"}
    assert backend.lexical_matches("mikrocip", ["a", "c"], filters=only_partner) == {"c"}
    assert backend.lexical_matches("", ["a"]) == set()
    assert [h.id for h in search.query("mikrocip", filters=only_partner).hits] == ["c"]
