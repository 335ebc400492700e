import pytest
from django.conf import settings
from wagtail.models import Site

from claims import services
from claims.models import FactCheckIndexPage, FactCheckPage, HomePage, Rating

pytestmark = pytest.mark.django_db


def test_site_structure_has_every_locale_and_is_idempotent(newsroom):
    assert set(newsroom) == {code for code, _ in settings.LANGUAGES}
    counts = (HomePage.objects.count(), FactCheckIndexPage.objects.count())
    services.site_ensure_structure()
    assert (HomePage.objects.count(), FactCheckIndexPage.objects.count()) == counts
    assert counts == (8, 16)  # a home, a fact-check index and an imported index per locale
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == newsroom["en"]
    # The homes are translations of each other, so the language switcher can link them.
    assert newsroom["sr"].translation_key == newsroom["en"].translation_key


def test_rating_translations_share_a_key(newsroom):
    labels = dict(Rating.objects.filter(key="false").values_list("locale__language_code", "label"))
    assert labels["sr"] == "Нетачно" and labels["sr-latn"] == "Netačno"
    assert Rating.objects.filter(key="false").values("translation_key").distinct().count() == 1


def test_factcheck_upsert_is_idempotent(make_factcheck):
    page = make_factcheck(locale="en")
    revisions = page.revisions.count()
    again = make_factcheck(locale="en")
    assert again.pk == page.pk
    assert again.revisions.count() == revisions  # nothing changed, nothing republished
    changed = make_factcheck(locale="en", summary="False. Updated explanation.")
    assert changed.revisions.count() == revisions + 1
    assert FactCheckPage.objects.get(pk=page.pk).summary == "False. Updated explanation."


def test_cyrillic_factcheck_is_mirrored_on_the_latin_site(make_factcheck):
    page = make_factcheck(
        locale="sr",
        slug="vakcine",
        title="Вакцине не садрже чипове",
        claim_reviewed="Вакцине садрже микрочипове",
    )
    alias = FactCheckPage.objects.get(alias_of=page)
    assert alias.locale.language_code == "sr-latn"
    assert alias.translation_key == page.translation_key
    assert alias.url == "/sr-latn/fact-checks/vakcine/"
    # Republishing the original updates the alias (Wagtail keeps aliases in sync).
    make_factcheck(
        locale="sr",
        slug="vakcine",
        title="Вакцине не садрже чипове",
        claim_reviewed="Вакцине садрже микрочипове",
        summary="Ново објашњење.",
    )
    alias.refresh_from_db()
    assert alias.summary == "Ново објашњење."
    assert FactCheckPage.objects.filter(alias_of=page).count() == 1


def test_latin_original_is_mirrored_on_the_cyrillic_site(make_factcheck):
    page = make_factcheck(
        locale="sr-latn",
        slug="struja",
        title="Struja neće poskupeti",
        claim_reviewed="Struja poskupljuje 50 odsto",
    )
    alias = FactCheckPage.objects.get(alias_of=page)
    assert alias.locale.language_code == "sr"


def test_no_mirror_for_other_languages(make_factcheck):
    page = make_factcheck(locale="hr", slug="cjepivo")
    assert not FactCheckPage.objects.filter(alias_of=page).exists()


def test_explicit_translation_replaces_the_automatic_mirror(make_factcheck):
    original = make_factcheck(
        locale="sr", slug="most", title="Мост није срушен", claim_reviewed="Мост је срушен"
    )
    mirror = FactCheckPage.objects.get(alias_of=original)
    translated = make_factcheck(
        locale="sr-latn",
        slug="most",
        title="Most nije srušen (prevod)",
        claim_reviewed="Most je srušen",
        translation_of=original,
    )
    assert translated.pk == mirror.pk
    translated.refresh_from_db()
    assert translated.alias_of_id is None
    assert translated.title == "Most nije srušen (prevod)"
