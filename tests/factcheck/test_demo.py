"""The demo newsroom that `make run` loads."""

from collections import Counter

import pytest
from django.conf import settings

from claims.models import Claim, ClaimMatch, FactCheckPage, Rating, StandardPage
from factcheck.demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_newsroom_is_complete_and_loads_idempotently():
    first = demo_load()
    originals = FactCheckPage.objects.live().filter(alias_of__isnull=True, is_demo=True)
    assert first.factchecks_created_or_changed == originals.count() >= 30
    by_locale = Counter(originals.values_list("locale__language_code", flat=True))
    assert set(by_locale) == {code for code, _ in settings.LANGUAGES}
    scales = set(originals.values_list("rating__scale__key", flat=True))
    assert scales == {"truth", "manipulation"}
    # Every grade of both scales is used somewhere.
    used = set(originals.values_list("rating__scale__key", "rating__key"))
    assert used == set(
        Rating.objects.filter(locale__language_code="en")
        .exclude(scale__key="imported")
        .values_list("scale__key", "key")
    )
    assert all(p.appearances.exists() and p.claimant for p in originals)
    about = StandardPage.objects.filter(slug="about")
    assert about.count() == len(settings.LANGUAGES)

    # The queue has items, and recurrences of demo hoaxes come with suggested debunks.
    assert first.claims == Claim.objects.count() >= 5
    assert ClaimMatch.objects.exists()

    pages_before = FactCheckPage.objects.count()
    second = demo_load()
    assert second.claims == 0
    assert second.factchecks_created_or_changed == 0
    assert second.factchecks_unchanged == first.factchecks_created_or_changed
    assert FactCheckPage.objects.count() == pages_before


def test_demo_serbian_sites_show_both_scripts(client):
    demo_load()
    cyrillic_originals = FactCheckPage.objects.filter(
        locale__language_code="sr", alias_of__isnull=True
    )
    page = cyrillic_originals.first()
    latin = client.get(f"/sr-latn/fact-checks/{page.slug}/")
    assert latin.status_code == 200
    assert page.title not in latin.content.decode().split("<script")[0]
