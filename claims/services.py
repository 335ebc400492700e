"""Writes: every change to the newsroom's content goes through these functions.

Views, commands and tasks parse input and call a service; they never build pages
or set fields themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page, Site

from .models import (
    Author,
    ClaimAppearance,
    Country,
    FactCheckIndexPage,
    FactCheckPage,
    HomePage,
    Rating,
    RatingScale,
    StandardPage,
    Topic,
)

logger = logging.getLogger(__name__)

SCRIPT_PAIRS = {"sr": "sr-latn", "sr-latn": "sr"}
FACTCHECK_INDEX_SLUG = "fact-checks"
IMPORTED_INDEX_SLUG = "imported"


# --- Site structure -------------------------------------------------------------


def _locale(code: str) -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def _publish(page: Page, *, user=None) -> Page:
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    page.refresh_from_db()
    return page


def _child(parent: Page, slug: str) -> Page | None:
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
        _publish(base_home)
    _site_point_to(base_home, site_url=site_url)

    for code, _name in settings.LANGUAGES:
        locale = _locale(code)
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
            _publish(home)
        homes[code] = home
        _ensure_index(home, FACTCHECK_INDEX_SLUG, is_imported=False)
        _ensure_index(home, IMPORTED_INDEX_SLUG, is_imported=True)
    return homes


def _ensure_index(home: HomePage, slug: str, *, is_imported: bool) -> FactCheckIndexPage:
    existing = _child(home, slug)
    if existing is not None:
        return existing.specific
    default_home = HomePage.objects.filter(locale=Locale.get_default()).first()
    sibling = _child(default_home, slug) if default_home and default_home.pk != home.pk else None
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
    return _publish(index).specific


def _site_point_to(home: HomePage, *, site_url: str | None) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(site_url or settings.FACTCHECK_SITE_URL)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                            site_name=settings.FACTCHECK_NEWSROOM_NAME)
        return
    changed = False
    for name, value in (("root_page_id", home.pk), ("hostname", hostname), ("port", port),
                        ("site_name", settings.FACTCHECK_NEWSROOM_NAME)):
        if getattr(site, name) != value:
            setattr(site, name, value)
            changed = True
    if changed:
        site.save()


def index_for(*, locale_code: str, imported: bool = False) -> FactCheckIndexPage:
    homes = site_ensure_structure()
    home = homes[locale_code]
    slug = IMPORTED_INDEX_SLUG if imported else FACTCHECK_INDEX_SLUG
    return _child(home, slug).specific


def standard_page_upsert(
    *, home: HomePage, slug: str, title: str, intro: str = "", paragraphs: Sequence[str] = ()
) -> StandardPage:
    """Create or update a plain page (about, methodology...) under a locale's home page."""
    body = [{"type": "paragraph", "value": f"<p>{_escape(p)}</p>"} for p in paragraphs]
    page = _child(home, slug)
    if page is None:
        page = StandardPage(title=title, slug=slug, locale=home.locale, intro=intro, body=body)
        default_home = HomePage.objects.filter(locale=Locale.get_default()).first()
        sibling = _child(default_home, slug) if default_home else None
        if sibling is not None and sibling.pk != page.pk:
            page.translation_key = sibling.translation_key
        home.add_child(instance=page)
        return _publish(page).specific
    page = page.specific
    if page.title == title and page.intro == intro and page.body.raw_data == body:
        return page
    page.title, page.intro, page.body = title, intro, body
    return _publish(page).specific


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


# --- Rating scales, topics -------------------------------------------------------


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
    codes = [settings.LANGUAGE_CODE] + [c for c, _ in settings.LANGUAGES if c != settings.LANGUAGE_CODE]
    for code in codes:
        if code not in names:
            continue
        locale = _locale(code)
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
            key=key, locale=_locale(code), defaults={"name": name}
        )
        base = base or topic
        if topic.translation_key != base.translation_key:
            topic.translation_key = base.translation_key
            topic.save(update_fields=["translation_key"])
        topics[code] = topic
    return topics


# --- Fact-checks ------------------------------------------------------------------


@dataclass
class AppearanceData:
    url: str
    platform: str = "web"
    date: date | None = None
    archive_url: str = ""


def factcheck_upsert(
    *,
    index: FactCheckIndexPage,
    slug: str,
    title: str,
    claim_reviewed: str,
    rating: Rating,
    summary: str,
    claimant: str = "",
    claimant_type: str = "Organization",
    claim_date: date | None = None,
    body: list[dict] | None = None,
    appearances: Iterable[AppearanceData] = (),
    topic_keys: Iterable[str] = (),
    country_codes: Iterable[str] = (),
    authors: Iterable[Author] = (),
    reviewer: Author | None = None,
    original_url: str = "",
    original_publisher: str = "",
    original_publisher_url: str = "",
    translation_of: FactCheckPage | None = None,
    is_demo: bool = False,
    publish: bool = True,
    user=None,
) -> tuple[FactCheckPage, bool]:
    """Create or update a fact-check page under ``index``; returns (page, changed).

    Idempotent: a page with the same slug under the same index is updated in place, and
    a new revision is only published when something changed.
    """
    slug = slugify(slug)[:250] or "fact-check"
    locale = index.locale
    existing = _child(index, slug)
    page: FactCheckPage = existing.specific if existing else FactCheckPage(slug=slug, locale=locale)
    topics = list(Topic.objects.filter(key__in=list(topic_keys), locale=locale))
    countries = list(Country.objects.filter(code__in=[c.upper() for c in country_codes]))
    new_appearances = [
        ClaimAppearance(url=a.url, platform=a.platform, date=a.date, archive_url=a.archive_url or "")
        for a in appearances
    ]
    fields = {
        "title": title[:255],
        "claim_reviewed": claim_reviewed,
        "claimant": claimant[:255],
        "claimant_type": claimant_type,
        "claim_date": claim_date,
        "rating": rating,
        "summary": summary,
        "original_url": original_url,
        "original_publisher": original_publisher[:255],
        "original_publisher_url": original_publisher_url,
        "is_demo": is_demo,
    }
    body = body or []
    if existing is not None and not _factcheck_differs(
        page, fields, body, new_appearances, topics, countries, authors, reviewer
    ):
        return page, False
    for name, value in fields.items():
        setattr(page, name, value)
    page.body = body
    page.reviewer = reviewer
    page.appearances = new_appearances
    page.topics = topics
    page.countries = countries
    page.authors = list(authors)
    if existing is None:
        if translation_of is not None:
            page.translation_key = translation_of.translation_key
        index.add_child(instance=page)
    if publish:
        _publish(page, user=user)
    else:
        page.save_revision(user=user, log_action=True)
    return page.specific, True


def _factcheck_differs(page, fields, body, appearances, topics, countries, authors, reviewer) -> bool:
    if any(getattr(page, name) != value for name, value in fields.items()):
        return True
    if page.body.raw_data != body and [
        {"type": b["type"], "value": b["value"]} for b in page.body.raw_data
    ] != body:
        return True
    current = [(a.url, a.platform, a.date, a.archive_url) for a in page.appearances.all()]
    wanted = [(a.url, a.platform, a.date, a.archive_url) for a in appearances]
    if current != wanted:
        return True
    if {t.pk for t in page.topics.all()} != {t.pk for t in topics}:
        return True
    if {c.pk for c in page.countries.all()} != {c.pk for c in countries}:
        return True
    if {a.pk for a in page.authors.all()} != {a.pk for a in authors}:
        return True
    return page.reviewer_id != (reviewer.pk if reviewer else None) or not page.live


@transaction.atomic
def factcheck_sync_script_alias(page: Page) -> FactCheckPage | None:
    """Mirror a Serbian fact-check into the other Serbian script's site.

    A page written in Cyrillic (``sr``) is published once and read in either script:
    the ``sr-latn`` site gets a Wagtail alias of it, which the site renders transliterated
    to Latin. A Latin original gets an alias on the ``sr`` site, shown as written, because
    Latin-to-Cyrillic conversion is lossy. Nothing happens when a real translation exists.
    """
    page = page.specific
    if not isinstance(page, FactCheckPage) or page.alias_of_id:
        return None
    other_code = SCRIPT_PAIRS.get(page.locale.language_code)
    if other_code is None:
        return None
    other_locale = _locale(other_code)
    if page.get_translations().filter(locale=other_locale).exists():
        return None
    parent = page.get_parent()
    other_parent = parent.get_translation_or_none(other_locale)
    if other_parent is None:
        return None
    if other_parent.get_children().filter(slug=page.slug).exists():
        return None
    alias = page.create_alias(
        parent=other_parent, update_locale=other_locale, reset_translation_key=False
    )
    return alias.specific


def author_get_or_create(*, name: str, role: str = "") -> Author:
    author, _ = Author.objects.get_or_create(name=name, defaults={"role": role})
    return author


# --- ClaimReview import -----------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


_BCP47_TO_LOCALE = {
    "sr-cyrl": "sr", "sr-latn": "sr-latn", "sr-me": "cnr", "cnr": "cnr", "hr": "hr", "bs": "bs",
    "mk": "mk", "sq": "sq", "en": "en",
}


def claimreview_locale_for(record, *, report: ImportReport | None = None) -> str:
    """The site locale for an imported record: its ``inLanguage``, else detected from the text.

    Serbian is split by script, whatever the publisher declared, because the site
    keeps Cyrillic and Latin originals apart. A language the site does not publish in
    goes to the default locale, with a warning.
    """
    from search.language import detect_language, detect_script

    text = " ".join(filter(None, [record.claim_reviewed, record.review_body, record.headline]))
    declared = (record.in_language or "").strip().lower().replace("_", "-")
    code = _BCP47_TO_LOCALE.get(declared) or _BCP47_TO_LOCALE.get(declared.split("-")[0])
    if code is None and not declared:
        code = detect_language(text)
    if code in ("sr", "sr-latn"):
        code = "sr" if detect_script(text) == "cyrillic" else "sr-latn"
    site_codes = {c for c, _ in settings.LANGUAGES}
    if code not in site_codes:
        fallback = settings.LANGUAGE_CODE
        if report is not None:
            report.warnings.append(
                f"{record.source_position}: language {declared or code or 'unknown'!r} is not "
                f"published on this site; imported into {fallback!r}"
            )
        code = fallback
    return code


def _fold_label(text: str) -> str:
    from search.normalize import fold

    return " ".join(fold(text).split())


def claimreview_rating_for(record, *, locale_code: str, report: ImportReport) -> Rating:
    """Map a record's ``alternateName`` to one of the newsroom's ratings in that locale.

    Unknown labels go to an "imported" scale that keeps the publisher's own wording and
    numbers, so nothing is lost and an editor can map it later.
    """
    locale = _locale(locale_code)
    wanted = _fold_label(record.alternate_name or "")
    if wanted:
        for rating in Rating.objects.filter(locale=locale).exclude(scale__key="imported"):
            if wanted in (_fold_label(rating.label), _fold_label(rating.alternate_name)):
                return rating
    label = (record.alternate_name or "").strip() or "Unrated"
    report.warnings.append(
        f"{record.source_position}: rating {label!r} is not on any of our scales; "
        "kept on the 'imported' scale"
    )
    scale, _ = RatingScale.objects.get_or_create(
        key="imported", locale=locale, defaults={"name": "Imported ratings"}
    )
    best = record.best_rating if record.best_rating is not None else 5
    worst = record.worst_rating if record.worst_rating is not None else 1
    value = record.rating_value if record.rating_value is not None else worst
    low, high = sorted([worst, best])
    value = min(max(value, low), high)
    rating, _ = Rating.objects.get_or_create(
        scale=scale,
        key=slugify(label)[:50] or "unrated",
        locale=locale,
        defaults={
            "label": label[:80],
            "alternate_name": label[:80],
            "verdict": "other",
            "rating_value": value,
            "best_rating": best,
            "worst_rating": worst,
        },
    )
    return rating


@transaction.atomic
def claimreview_import(*, records: Sequence, report: ImportReport | None = None) -> ImportReport:
    """Import other newsrooms' ClaimReview records as published pages.

    Each record lands under the "Imported fact-checks" index of its locale and keeps
    its original URL and publisher. The original URL is the identity: importing the
    same record again updates the same page. All records import in one transaction,
    so a crash never leaves a half-imported file.
    """
    import hashlib

    report = report or ImportReport()
    for record in records:
        code = claimreview_locale_for(record, report=report)
        rating = claimreview_rating_for(record, locale_code=code, report=report)
        existing = FactCheckPage.objects.filter(original_url=record.url).first()
        if existing is not None and existing.locale.language_code == code:
            index = existing.get_parent().specific
            slug = existing.slug
        else:
            index = index_for(locale_code=code, imported=True)
            digest = hashlib.sha1(record.url.encode()).hexdigest()[:8]
            base = slugify(record.headline or record.claim_reviewed)[:70].strip("-") or "claim"
            slug = f"{base}-{digest}"
        appearances = [AppearanceData(url=a.url, date=a.date) for a in record.appearances]
        if record.first_appearance and record.first_appearance.url not in {
            a.url for a in appearances
        }:
            appearances.insert(
                0, AppearanceData(url=record.first_appearance.url, date=record.first_appearance.date)
            )
        title = (record.headline or record.claim_reviewed).strip()
        _page, changed = factcheck_upsert(
            index=index,
            slug=slug,
            title=title[:255],
            claim_reviewed=record.claim_reviewed,
            claimant=record.claimant or "",
            claimant_type=record.claimant_type or "Organization",
            claim_date=record.claim_date,
            rating=rating,
            summary=record.review_body or rating.label,
            appearances=appearances,
            original_url=record.url,
            original_publisher=record.publisher_name or "",
            original_publisher_url=record.publisher_url or "",
        )
        if existing is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report
