"""Newsroom site settings and country names: what the public pages and ClaimReview read."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from wagtail.models import Site

from claims.models import Country, CountryName, NewsroomSettings, Rating, RatingScale
from claims.page_forms import rating_choices
from claims.selectors.pages import factcheck_claimreview_datafeed

pytestmark = pytest.mark.django_db


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def _newsroom(**fields) -> NewsroomSettings:
    newsroom = NewsroomSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(newsroom, name, value)
    newsroom.save()
    return newsroom


def test_unset_settings_fall_back_to_the_deployment(client, make_factcheck):
    page = make_factcheck(locale="en")
    html = client.get(page.url).content.decode()
    assert f'class="brand" href="/en/">{settings.FACTCHECK_NEWSROOM_NAME}</a>' in html
    author = _jsonld(html)["author"]
    assert author == {
        "@type": "Organization",
        "name": settings.FACTCHECK_NEWSROOM_NAME,
        "url": "http://testserver/",
    }
    assert "membership-badge" not in html


def test_templates_and_claimreview_read_the_site_settings(client, make_factcheck):
    _newsroom(
        newsroom_name="Raskrinkavanje CG",
        claimreview_author_name="Centar za demokratsku tranziciju",
        claimreview_author_url="https://cdtmn.example/",
        contact_email="tips@cdtmn.example",
        social_links=[("link", {"platform": "facebook", "url": "https://facebook.example/cdt"})],
        badges=[
            (
                "badge",
                {"name": "IFCN signatory", "url": "https://ifcn.example/cdt", "image": ""},
            ),
            ("badge", {"name": "EFCSN member", "url": "https://efcsn.example/", "image": ""}),
        ],
    )
    page = make_factcheck(locale="en")
    html = client.get(page.url).content.decode()
    assert 'class="brand" href="/en/">Raskrinkavanje CG</a>' in html
    assert "<title>" in html and "· Raskrinkavanje CG</title>" in html
    assert '<a class="membership-badge" href="https://ifcn.example/cdt"' in html
    assert "EFCSN member" in html
    assert '<a href="https://facebook.example/cdt" rel="me noopener">Facebook</a>' in html
    assert 'href="mailto:tips@cdtmn.example"' in html
    assert _jsonld(html)["author"] == {
        "@type": "Organization",
        "name": "Centar za demokratsku tranziciju",
        "url": "https://cdtmn.example/",
    }
    # The DataFeed export names the same author.
    feed = factcheck_claimreview_datafeed(base_url="http://testserver")
    review = feed["dataFeedElement"][0]["item"][0]
    assert review["author"]["name"] == "Centar za demokratsku tranziciju"


def test_imported_fact_checks_keep_their_publisher_as_author(client, make_factcheck):
    _newsroom(claimreview_author_name="Us")
    page = make_factcheck(
        locale="en",
        original_url="https://other.example/fc/1",
        original_publisher="Other Newsroom",
        original_publisher_url="https://other.example/",
    )
    author = _jsonld(client.get(page.url).content.decode())["author"]
    assert author["name"] == "Other Newsroom" and author["url"] == "https://other.example/"


def test_hostile_links_in_settings_are_never_live_links(client, make_factcheck):
    # StreamField validation refuses these in the admin; a value that reached the
    # database some other way must still not become a link.
    _newsroom(
        social_links=[("link", {"platform": "x", "url": "javascript:alert(1)"})],
        badges=[("badge", {"name": "Fake", "url": "data:text/html,hi", "image": "javascript:x"})],
        contact_text='<script>alert("x")</script>',
    )
    page = make_factcheck(locale="en")
    html = client.get(page.url).content.decode()
    assert "javascript:" not in html and "data:text/html" not in html
    assert '<script>alert("x")</script>' not in html


def test_tip_form_text_comes_from_the_settings(client, newsroom):
    assert "Seen something doubtful" in client.get("/en/tips/").content.decode()
    _newsroom(tip_form_text="Pišite nam: šta ste vidjeli i gdje.")
    html = client.get("/en/tips/").content.decode()
    assert "Pišite nam: šta ste vidjeli i gdje." in html
    assert "Seen something doubtful" not in html


def test_default_rating_scale_is_offered_first(newsroom):
    en = newsroom["en"].locale
    other = RatingScale.objects.create(key="manipulation", name="Manipulation", locale=en)
    Rating.objects.create(
        scale=other, key="clickbait", label="Clickbait", verdict="misleading",
        rating_value=1, best_rating=3, worst_rating=1, alternate_name="Clickbait",
    )  # fmt: skip
    keys = [r.scale.key for r in rating_choices(locale_id=en.pk, default_scale=other)]
    assert keys[0] == "manipulation" and "truth" in keys
    keys = [
        r.scale.key
        for r in rating_choices(
            locale_id=en.pk, default_scale=RatingScale.objects.get(key="truth", locale=en)
        )
    ]
    assert keys[0] == "truth"


def test_countries_have_names_in_every_site_language(newsroom):
    for code, _name in settings.LANGUAGES:
        names = CountryName.objects.filter(locale__language_code=code)
        assert names.count() == Country.objects.count(), code
    montenegro = Country.objects.get(code="ME")
    assert montenegro.name_for("sq") == "Mali i Zi"
    assert montenegro.name_for("sr") == "Црна Гора"
    assert montenegro.name_for("xx") == "Montenegro"


def test_pages_show_the_country_name_editors_set(client, make_factcheck):
    page = make_factcheck(locale="hr", country_codes=["me"])
    CountryName.objects.filter(country__code="ME", locale__language_code="hr").update(
        name="Crna Gora (uređeno)"
    )
    html = client.get(page.url).content.decode()
    assert '<span class="tag">Crna Gora (uređeno)</span>' in html


def test_outlet_country_codes_all_have_a_country_snippet():
    # sources.models.Country is the outlets' code list; claims.Country owns the names.
    from sources.models import Country as OutletCountry

    codes = {value for value, _label in OutletCountry.choices if value != OutletCountry.OTHER}
    assert codes <= set(Country.objects.values_list("code", flat=True))
