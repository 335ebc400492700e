"""Site structure: home pages, fact-check indexes and plain pages per locale; rating scales and
topics in every locale that names them. All idempotent: run them as often as you like."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page, Site

from ..models import FactCheckIndexPage, HomePage, Rating, RatingScale, StandardPage, Topic

FACTCHECK_INDEX_SLUG = "fact-checks"
IMPORTED_INDEX_SLUG = "imported"


def locale_for(code: str) -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def publish_page(page: Page, *, user: Any = None) -> Page:
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    page.refresh_from_db()
    return page


def child_page(parent: Page, slug: str) -> Page | None:
    return parent.get_children().filter(slug=slug).first()


def site_ensure_structure(*, site_url: str | None = None) -> dict[str, HomePage]:
    """Make sure every locale has a home page, a fact-check index and an imported index.

    Idempotent: existing pages are kept as they are. Returns the home page per locale.
    The English home is the site root; the others are its translations.
    """
    root = Page.get_first_root_node()
    default = Locale.get_default()
    homes: dict[str, HomePage] = {}
    base_home = HomePage.objects.filter(locale=default).first()
    if base_home is None:
        # Wagtail's initial "Welcome" page (a plain Page) is not part of the newsroom.
        Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()
        with translation.override(default.language_code):
            base_home = HomePage(
                title=_("Fact-checks for the Western Balkans"),
                slug="home",
                locale=default,
                intro=_("Independent verification of claims that spread across the region."),
            )
        root.add_child(instance=base_home)
        publish_page(base_home)
    _site_point_to(base_home, site_url=site_url)

    for code, _name in settings.LANGUAGES:
        locale = locale_for(code)
        home = HomePage.objects.filter(locale=locale).first()
        if home is None:
            with translation.override(code):
                home = HomePage(
                    title=_("Fact-checks for the Western Balkans"),
                    slug=f"home-{code}",
                    locale=locale,
                    translation_key=base_home.translation_key,
                    intro=_("Independent verification of claims that spread across the region."),
                )
            root.add_child(instance=home)
            publish_page(home)
        homes[code] = home
        _ensure_index(home, FACTCHECK_INDEX_SLUG, is_imported=False)
        _ensure_index(home, IMPORTED_INDEX_SLUG, is_imported=True)
    return homes


def _ensure_index(home: HomePage, slug: str, *, is_imported: bool) -> FactCheckIndexPage:
    existing = child_page(home, slug)
    if existing is not None:
        return existing.specific
    default_home = HomePage.objects.filter(locale=Locale.get_default()).first()
    sibling = (
        child_page(default_home, slug) if default_home and default_home.pk != home.pk else None
    )
    with translation.override(home.locale.language_code):
        index = FactCheckIndexPage(
            title=_("Imported fact-checks") if is_imported else _("Fact-checks"),
            slug=slug,
            locale=home.locale,
            is_imported=is_imported,
            intro=(
                _("Verdicts published by partner newsrooms, imported from their ClaimReview feeds.")
                if is_imported
                else _("Every claim we checked, newest first.")
            ),
        )
    if sibling is not None:
        index.translation_key = sibling.translation_key
    home.add_child(instance=index)
    return publish_page(index).specific


def _site_point_to(home: HomePage, *, site_url: str | None) -> None:
    parts = urlsplit(site_url or settings.FACTCHECK_SITE_URL)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=settings.FACTCHECK_NEWSROOM_NAME,
        )
        return
    changed = False
    for name, value in (
        ("root_page_id", home.pk),
        ("hostname", hostname),
        ("port", port),
        ("site_name", settings.FACTCHECK_NEWSROOM_NAME),
    ):
        if getattr(site, name) != value:
            setattr(site, name, value)
            changed = True
    if changed:
        site.save()


def index_for(*, locale_code: str, imported: bool = False) -> FactCheckIndexPage:
    homes = site_ensure_structure()
    home = homes[locale_code]
    slug = IMPORTED_INDEX_SLUG if imported else FACTCHECK_INDEX_SLUG
    index = child_page(home, slug)
    if index is None:  # site_ensure_structure has just made sure it exists
        raise FactCheckIndexPage.DoesNotExist(f"{locale_code}/{slug}")
    return index.specific


def standard_page_upsert(
    *, home: HomePage, slug: str, title: str, intro: str = "", paragraphs: Sequence[str] = ()
) -> StandardPage:
    """Create or update a plain page (about, methodology...) under a locale's home page."""
    body = [{"type": "paragraph", "value": f"<p>{escape(p)}</p>"} for p in paragraphs]
    page = child_page(home, slug)
    if page is None:
        page = StandardPage(title=title, slug=slug, locale=home.locale, intro=intro, body=body)
        default_home = HomePage.objects.filter(locale=Locale.get_default()).first()
        sibling = child_page(default_home, slug) if default_home else None
        if sibling is not None and sibling.pk != page.pk:
            page.translation_key = sibling.translation_key
        home.add_child(instance=page)
        return publish_page(page).specific
    page = page.specific
    if page.title == title and page.intro == intro and page.body.raw_data == body:
        return page
    page.title, page.intro, page.body = title, intro, body
    return publish_page(page).specific


def rating_scale_upsert(
    *,
    key: str,
    names: Mapping[str, str],
    descriptions: Mapping[str, str] | None = None,
    ratings: Sequence[Mapping[str, Any]],
) -> dict[str, RatingScale]:
    """Create or update a rating scale and its ratings in every locale that has a name.

    Each rating mapping has ``key``, ``verdict``, ``rating_value``, ``best``, ``worst``,
    ``alternate_name``, ``colour``, ``label`` (per locale) and ``description`` (per locale).
    """
    descriptions = descriptions or {}
    scales: dict[str, RatingScale] = {}
    base_scale: RatingScale | None = None
    base_ratings: dict[str, Rating] = {}
    codes = [settings.LANGUAGE_CODE] + [
        c for c, _ in settings.LANGUAGES if c != settings.LANGUAGE_CODE
    ]
    for code in codes:
        if code not in names:
            continue
        locale = locale_for(code)
        scale, _created = RatingScale.objects.update_or_create(
            key=key,
            locale=locale,
            defaults={"name": names[code], "description": descriptions.get(code, "")},
        )
        if base_scale is None:
            base_scale = scale
        elif scale.translation_key != base_scale.translation_key:
            scale.translation_key = base_scale.translation_key
            scale.save(update_fields=["translation_key"])
        scales[code] = scale
        for order, spec in enumerate(ratings):
            label = spec["label"].get(code) or spec["label"].get("en") or spec["alternate_name"]
            rating, _created = Rating.objects.update_or_create(
                scale=scale,
                key=spec["key"],
                locale=locale,
                defaults={
                    "label": label,
                    "verdict": spec["verdict"],
                    "rating_value": spec["rating_value"],
                    "best_rating": spec["best"],
                    "worst_rating": spec["worst"],
                    "alternate_name": spec["alternate_name"],
                    "colour": spec.get("colour", "#6e7781"),
                    "description": (spec.get("description") or {}).get(code, ""),
                    "sort_order": order,
                },
            )
            base = base_ratings.setdefault(spec["key"], rating)
            if rating.translation_key != base.translation_key:
                rating.translation_key = base.translation_key
                rating.save(update_fields=["translation_key"])
    return scales


def topic_upsert(*, key: str, names: Mapping[str, str]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    base: Topic | None = None
    for code, name in names.items():
        topic, _ = Topic.objects.update_or_create(
            key=key, locale=locale_for(code), defaults={"name": name}
        )
        base = base or topic
        if topic.translation_key != base.translation_key:
            topic.translation_key = base.translation_key
            topic.save(update_fields=["translation_key"])
        topics[code] = topic
    return topics
