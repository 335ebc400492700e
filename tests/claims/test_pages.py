"""The public site: pages render, in the right language and script, with their metadata."""

import json
import re

import pytest

from claims.claimreview import validate_claimreview

pytestmark = pytest.mark.django_db


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_factcheck_page_renders_claim_verdict_and_claimreview(client, make_factcheck):
    page = make_factcheck(locale="en")
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "COVID-19 vaccines contain microchips" in html
    assert "rating-badge" in html and ">False</span>" in html
    assert 'property="og:title" content="Vaccines do not contain microchips"' in html
    review = _jsonld(html)
    assert review["@type"] == "ClaimReview"
    assert [p for p in validate_claimreview(review) if p.startswith(("required", "invalid"))] == []
    assert review["claimReviewed"] == "COVID-19 vaccines contain microchips that track people"
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["reviewRating"]["bestRating"] == 5
    assert review["itemReviewed"]["author"]["name"] == "A viral Facebook post"
    assert review["itemReviewed"]["appearance"][0]["url"] == "https://social.example/p/1"
    assert review["itemReviewed"]["firstAppearance"]["url"] == "https://social.example/p/1"
    assert review["url"].endswith("/en/fact-checks/vaccines-microchips/")
    assert review["inLanguage"] == "en"
    assert review["author"]["@type"] == "Organization"


def test_claimreview_cannot_break_out_of_the_script_tag(client, make_factcheck):
    page = make_factcheck(
        locale="en", slug="xss", claim_reviewed="</script><script>alert(1)</script>"
    )
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert _jsonld(html)["claimReviewed"] == "</script><script>alert(1)</script>"


def test_cyrillic_factcheck_reads_in_latin_on_the_sr_latn_site(client, make_factcheck):
    make_factcheck(
        locale="sr",
        slug="vakcine",
        title="Вакцине не садрже микрочипове",
        claim_reviewed="Вакцине садрже микрочипове, тврди Ђорђе",
        summary="Нетачно. Погледајте https://www.who.int/ и извор на Vučić.example.",
    )
    cyrillic = client.get("/sr/fact-checks/vakcine/").content.decode()
    assert '<html lang="sr-Cyrl">' in cyrillic
    assert "Вакцине не садрже микрочипове" in cyrillic
    latin = client.get("/sr-latn/fact-checks/vakcine/").content.decode()
    assert '<html lang="sr-Latn">' in latin
    assert "Vakcine ne sadrže mikročipove" in latin
    assert "Đorđe" in latin
    assert "Netačno" in latin
    assert "https://www.who.int/" in latin
    assert "Вакцине" not in latin.split("<script")[0]
    # Both scripts point at each other, and the copy names the original as canonical.
    assert 'hreflang="sr-Cyrl" href="http://testserver/sr/fact-checks/vakcine/"' in latin
    assert 'hreflang="sr-Latn" href="http://testserver/sr-latn/fact-checks/vakcine/"' in cyrillic
    assert 'rel="canonical" href="http://testserver/sr/fact-checks/vakcine/"' in latin


def test_language_switcher_links_translations(client, make_factcheck):
    original = make_factcheck(locale="en", slug="five-g")
    make_factcheck(locale="hr", slug="pet-g", title="5G ne širi virus", translation_of=original)
    html = client.get(original.url).content.decode()
    assert 'href="/hr/fact-checks/pet-g/" hreflang="hr"' in html
    assert 'hreflang="hr" href="http://testserver/hr/fact-checks/pet-g/"' in html
    # Without a translation the switcher falls back to that language's home page.
    assert 'href="/mk/" hreflang="mk"' in html


def test_home_page_lists_latest_debunks_and_search_box(client, make_factcheck):
    make_factcheck(locale="hr", slug="cjepivo", title="Cjepivo ne sadrži čip")
    html = client.get("/hr/").content.decode()
    assert "Cjepivo ne sadrži čip" in html
    assert 'role="search"' in html and 'name="q"' in html


def test_index_filters_and_paginates(client, make_factcheck):
    for n in range(14):
        make_factcheck(
            locale="en",
            slug=f"claim-{n}",
            title=f"Claim number {n}",
            verdict_key="true" if n % 2 else "false",
        )
    html = client.get("/en/fact-checks/").content.decode()
    assert html.count('class="card"') == 12
    assert "Page 1 of 2" in html
    page2 = client.get("/en/fact-checks/?page=2").content.decode()
    assert page2.count('class="card"') == 2
    only_true = client.get("/en/fact-checks/?rating=true").content.decode()
    assert only_true.count('class="card"') == 7
    assert ">False</span>" not in only_true
    assert client.get("/en/fact-checks/?page=abc").status_code == 200


def test_index_language_filter_lists_other_locales(client, make_factcheck):
    make_factcheck(locale="en", slug="en-one", title="English one")
    make_factcheck(locale="hr", slug="hr-one", title="Hrvatska provjera")
    own = client.get("/en/fact-checks/").content.decode()
    assert "English one" in own and "Hrvatska provjera" not in own
    all_languages = client.get("/en/fact-checks/?language=all").content.decode()
    assert "English one" in all_languages and "Hrvatska provjera" in all_languages
    only_hr = client.get("/en/fact-checks/?language=hr").content.decode()
    assert "Hrvatska provjera" in only_hr and "English one" not in only_hr


def test_missing_page_is_a_404_in_the_readers_language(client, newsroom):
    response = client.get("/hr/fact-checks/does-not-exist/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="hr">' in html
    assert "Stranica nije pronađena" in html


def test_unknown_locale_prefix_ends_in_a_404(client, newsroom):
    # Django's i18n_patterns sends an unprefixed path to the default language first.
    response = client.get("/xx/fact-checks/", follow=True)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_feeds_sitemap_robots(client, make_factcheck):
    make_factcheck(locale="mk", slug="vakcini", title="Вакцините не содржат чипови")
    rss = client.get("/mk/feeds/latest.rss")
    assert rss.status_code == 200
    assert "Вакцините не содржат чипови" in rss.content.decode()
    assert "<language>mk</language>" in rss.content.decode()
    atom = client.get("/mk/feeds/latest.atom")
    assert atom.status_code == 200 and b"<feed" in atom.content
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/mk/fact-checks/vakcini/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
