"""The public search page: any script, highlights, facets, pagination, empty state."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

SR_CYRILLIC = {
    "slug": "vakcine-ne-sadrze-mikrocipove",
    "title": "Вакцине не садрже микрочипове",
    "claim_reviewed": "Вакцине против грипа садрже микрочипове којима власт прати грађане",
    "summary": "Нетачно. Ниједна вакцина не садржи микрочип.",
    "claimant": "Вајбер порука",
}
BS_LATIN = {
    "slug": "vakcine-protiv-gripe-ne-sadrze-mikrocipove",
    "title": "Vakcine protiv gripe ne sadrže mikročipove",
    "claim_reviewed": "Ovogodišnje vakcine protiv gripe sadrže mikročipove pomoću kojih vlasti prate ljude",
    "summary": "Netačno. U vakcinama nema mikročipova.",
}
HR_LATIN = {
    "slug": "cjepiva-ne-sadrze-mikrocipove",
    "title": "Cjepiva ne sadrže mikročipove",
    "claim_reviewed": "Cjepiva protiv gripe sadrže mikročipove kojima se prate građani",
    "summary": "Netočno. Nijedno cjepivo ne sadrži mikročip.",
}
UNRELATED = {
    "slug": "5g-antene",
    "title": "5G antene ne šire viruse",
    "claim_reviewed": "Nove 5G antene šire virus i izazivaju masovna oboljenja",
    "summary": "Netačno.",
}


@pytest.fixture
def debunks(make_factcheck):
    return {
        "sr": make_factcheck(locale="sr", **SR_CYRILLIC),
        "bs": make_factcheck(locale="bs", **BS_LATIN) if _has_locale("bs") else None,
        "hr": make_factcheck(locale="hr", topic_keys=["health"], country_codes=["hr"], **HR_LATIN),
        "other": make_factcheck(locale="sr-latn", verdict_key="true", **UNRELATED),
    }


def _has_locale(code: str) -> bool:
    from claims.models import Rating

    return Rating.objects.filter(scale__key="truth", locale__language_code=code).exists()


def _hit_links(html: str) -> list[str]:
    return re.findall(r'<h3 lang="[^"]*"><a href="([^"]+)"', html)


@pytest.mark.parametrize(
    "query", ["вакцине микрочипови", "vakcine mikrocipovi", "cjepivo mikročip"]
)
def test_every_script_and_spelling_finds_the_same_debunks(client, debunks, query):
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    links = _hit_links(response.content.decode())
    expected = {p.url for key, p in debunks.items() if p is not None and key != "other"}
    assert set(links) == expected
    assert debunks["other"].url not in links


def test_highlights_are_shown_in_the_readers_script(client, debunks):
    latin = client.get("/sr-latn/search/", {"q": "вакцине микрочипови"}).content.decode()
    snippets = re.findall(r'<p class="hit-snippet"[^>]*>(.*?)</p>', latin, re.S)
    assert snippets and all("<mark>" in s for s in snippets)
    assert any("<mark>Vakcine</mark>" in s for s in snippets)  # the Cyrillic debunk, in Latin
    assert not re.search("[\u0400-\u04ff]", " ".join(snippets))
    assert '<p class="hit-snippet" lang="sr-Latn">' in latin  # tagged as the script shown
    # ... and its link goes to the Latin mirror of the Cyrillic original.
    assert "/sr-latn/fact-checks/vakcine-ne-sadrze-mikrocipove/" in _hit_links(latin)

    cyrillic = client.get("/sr/search/", {"q": "vakcine mikrocipovi"}).content.decode()
    assert "<mark>Вакцине</mark>" in cyrillic


def test_rating_badges_and_facets(client, debunks):
    html = client.get("/en/search/", {"q": "mikrocipovi"}).content.decode()
    assert 'class="rating-badge verdict-false"' in html
    assert re.search(
        r'name="rating" value="false"[^>]*>.*?False\s*<span class="facet-count">\(\d\)', html, re.S
    )
    assert re.search(r'name="lang" value="hr"', html)
    assert re.search(r'name="country" value="HR"[^>]*>\s*Croatia', html)
    assert re.search(r'name="topic" value="health"[^>]*>\s*Health', html)
    assert 'type="date" name="from"' in html


def test_language_filter_narrows_and_keeps_other_languages_offered(client, debunks):
    html = client.get("/en/search/", {"q": "mikrocipovi", "lang": "hr"}).content.decode()
    assert _hit_links(html) == [debunks["hr"].url]
    # The language facet is counted without its own filter, so Serbian can be added.
    assert re.search(r'name="lang" value="sr"\s*>', html)
    assert re.search(r'name="lang" value="hr" checked>', html)


def test_serbian_filter_covers_both_scripts(client, debunks, make_factcheck):
    latin = make_factcheck(
        locale="sr-latn",
        slug="mikrocipovi-latinica",
        title="Mikročipovi u vakcinama",
        claim_reviewed="Mikročipovi u vakcinama",
        summary="Netačno.",
    )
    html = client.get("/en/search/", {"q": "mikrocipovi", "lang": "sr"}).content.decode()
    assert set(_hit_links(html)) == {debunks["sr"].url, latin.url}


def test_verdict_and_date_filters(client, debunks):
    html = client.get("/en/search/", {"q": "antene", "rating": "true"}).content.decode()
    assert _hit_links(html) == [debunks["other"].url]
    html = client.get("/en/search/", {"q": "mikrocipovi", "to": "2000-01-01"}).content.decode()
    assert _hit_links(html) == [] and 'class="empty-state"' in html


def test_empty_state_suggests_removing_filters_and_sending_a_tip(client, debunks):
    html = client.get("/hr/search/", {"q": "mikrocipovi", "rating": "satire"}).content.decode()
    assert 'class="empty-state"' in html
    assert 'href="?q=mikrocipovi"' in html  # search again without filters
    assert 'href="/hr/tips/"' in html
    html = client.get("/en/search/", {"q": "zzzyyyxxx"}).content.decode()
    assert 'class="empty-state"' in html and 'href="/en/tips/"' in html
    assert "Search again without filters" not in html


def test_pagination(client, make_factcheck):
    for n in range(12):
        make_factcheck(
            locale="hr",
            slug=f"mikrocip-{n}",
            title=f"Mikročip broj {n}",
            claim_reviewed=f"Mikročip broj {n} u cjepivu",
        )
    first = client.get("/en/search/", {"q": "mikrocip"}).content.decode()
    assert len(_hit_links(first)) == 10 and "12 fact-checks found" in first
    assert 'rel="next" href="?q=mikrocip&amp;page=2"' in first
    second = client.get("/en/search/", {"q": "mikrocip", "page": "2"}).content.decode()
    assert len(_hit_links(second)) == 2 and 'rel="prev"' in second
    assert not set(_hit_links(first)) & set(_hit_links(second))
    for bad in ("0", "-1", "abc", "999999"):
        assert client.get("/en/search/", {"q": "mikrocip", "page": bad}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "(",
        ")",
        "AND",
        ":",
        'vakcine" AND (mikro*',
        "title:vakcine",
        "OR NOT",
        "\\",
        "[]{}^~",
        "<script>alert(1)</script>",
        "\x00",
        "🦠💉",
    ],
)
def test_operator_characters_never_error(client, debunks, query):
    response = client.get("/sr-latn/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_queries_are_length_capped(client, debunks):
    response = client.get("/en/search/", {"q": "mikrocipovi " + "x" * 5000})
    assert response.status_code == 200
    assert len(response.context["search_query"]) == 200


def test_bad_filter_values_are_ignored_not_errors(client, debunks):
    response = client.get(
        "/en/search/",
        {
            "q": "mikrocipovi",
            "rating": "nonsense",
            "lang": "xx",
            "country": "ABC",
            "from": "not-a-date",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_hit_links(html)) >= 2 and "YYYY-MM-DD" in html


def test_empty_query_shows_the_prompt(client, debunks):
    response = client.get("/mk/search/")
    assert response.status_code == 200
    assert 'class="search-hits"' not in response.content.decode()
