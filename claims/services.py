"""Writes: every change to the newsroom's content goes through these functions.

Views, commands and tasks parse input and call a service; they never build pages
or set fields themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Locale, Page, Site

from sources.urls import safe_http_url

from .models import (
    Author,
    Claim,
    ClaimAppearance,
    ClaimMatch,
    ClaimNote,
    ClaimSighting,
    ClaimStatus,
    Country,
    FactCheckIndexPage,
    FactCheckPage,
    HomePage,
    MatchState,
    Platform,
    Rating,
    RatingScale,
    SightingSource,
    StandardPage,
    Tip,
    TipStatus,
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
    codes = [settings.LANGUAGE_CODE] + [
        c for c, _ in settings.LANGUAGES if c != settings.LANGUAGE_CODE
    ]
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


#: URL columns (ClaimAppearance, ClaimSighting, Tip, FactCheckPage.original_url) hold 1,000.
MAX_URL_CHARS = 1000


@dataclass
class AppearanceData:
    """Where a claim appeared. ``url``/``archive_url`` that are not http(s) URLs
    (``sources.urls``: no ``javascript:``, credentials, ...) become "" here, and an
    appearance without a URL is never stored."""

    url: str
    platform: str = "web"
    date: date | None = None
    archive_url: str = ""

    def __post_init__(self) -> None:
        self.url = safe_http_url(self.url, max_length=MAX_URL_CHARS)
        self.archive_url = safe_http_url(self.archive_url, max_length=MAX_URL_CHARS)


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
    if existing is not None and existing.alias_of_id:
        # An automatic script mirror is in the way of a real translation: the translation wins.
        from wagtail.actions.convert_alias import ConvertAliasPageAction

        ConvertAliasPageAction(existing.specific, user=user).execute(skip_permission_checks=True)
        existing = Page.objects.get(pk=existing.pk)
    page: FactCheckPage = existing.specific if existing else FactCheckPage(slug=slug, locale=locale)
    topics = list(Topic.objects.filter(key__in=list(topic_keys), locale=locale))
    countries = list(Country.objects.filter(code__in=[c.upper() for c in country_codes]))
    # An explicit sort_order: unsorted rows come back in any order on PostgreSQL, and the
    # first appearance is what ClaimReview's firstAppearance falls back to.
    new_appearances = [
        ClaimAppearance(
            url=a.url,
            platform=a.platform,
            date=a.date,
            archive_url=a.archive_url or "",
            sort_order=position,
        )
        for position, a in enumerate(x for x in appearances if x.url)  # http(s) only
    ]
    fields = {
        "title": title[:255],
        "claim_reviewed": claim_reviewed,
        "claimant": claimant[:255],
        "claimant_type": claimant_type,
        "claim_date": claim_date,
        "rating": rating,
        "summary": summary,
        "original_url": safe_http_url(original_url, max_length=MAX_URL_CHARS),
        "original_publisher": original_publisher[:255],
        "original_publisher_url": safe_http_url(original_publisher_url, max_length=MAX_URL_CHARS),
        "is_demo": is_demo,
    }
    body = body or []
    if (
        existing is not None
        and (page.live or not publish)
        and not _factcheck_differs(
            page, fields, body, new_appearances, topics, countries, authors, reviewer
        )
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
        page.live = publish  # a draft is never live, not even for a moment
        index.add_child(instance=page)
    if publish:
        _publish(page, user=user)
    else:
        page.save_revision(user=user, log_action=True)
    return page.specific, True


def _factcheck_differs(
    page, fields, body, appearances, topics, countries, authors, reviewer
) -> bool:
    if any(getattr(page, name) != value for name, value in fields.items()):
        return True
    if (
        page.body.raw_data != body
        and [{"type": b["type"], "value": b["value"]} for b in page.body.raw_data] != body
    ):
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
    return page.reviewer_id != (reviewer.pk if reviewer else None)


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
    "sr-cyrl": "sr",
    "sr-latn": "sr-latn",
    "sr-me": "cnr",
    "cnr": "cnr",
    "hr": "hr",
    "bs": "bs",
    "mk": "mk",
    "sq": "sq",
    "en": "en",
}


def claimreview_locale_for(record, *, report: ImportReport | None = None) -> str:
    """The site locale for an imported record: its ``inLanguage``, else detected from the text.

    Serbian is split by script, whatever the publisher declared, because the site
    keeps Cyrillic and Latin originals apart. A language the site does not publish in
    goes to the default locale, with a warning. Undeclared languages are detected by
    ``search.detect_language`` (the crawler's rules: a Latin hbs text names no variety,
    so it goes to the default locale too, for an editor to place).
    """
    import search

    text = " ".join(filter(None, [record.claim_reviewed, record.review_body, record.headline]))
    declared = (record.in_language or "").strip().lower().replace("_", "-")
    code = _BCP47_TO_LOCALE.get(declared) or _BCP47_TO_LOCALE.get(declared.split("-")[0])
    if code is None and not declared:
        code = search.site_locale(search.detect_language(text))
    if code in ("sr", "sr-latn"):
        code = "sr" if search.detect_script(text) == "cyrillic" else "sr-latn"
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
    import search

    return " ".join(search.fold(text).split())


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
def claimreview_import(
    *, records: Sequence, report: ImportReport | None = None, publish: bool = True
) -> ImportReport:
    """Import other newsrooms' ClaimReview records as published pages.

    With ``publish=False`` (``import_claimreview --draft``) new pages are created
    unpublished, with a revision, for an editor to review and publish; changes to a page
    that is already live are saved as a draft revision of it.

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
                0,
                AppearanceData(url=record.first_appearance.url, date=record.first_appearance.date),
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
            publish=publish,
        )
        if existing is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


# --- The claim queue ----------------------------------------------------------------
#
# Every change to a claim goes through these functions. Each one that changes state
# locks the claim row (``select_for_update``) inside a transaction, re-reads it, checks
# the transition is allowed from the state it is in *now*, bumps ``version`` and writes
# an entry to Wagtail's audit log. Two editors acting at once therefore serialise: the
# second sees the first one's result and gets a ``ClaimActionError`` with a message it
# can show, never a half-merged claim.

CLAIM_LOG_ACTIONS: dict[str, tuple[str, str]] = {
    "claims.create": ("Create claim", "Claim opened"),
    "claims.add_sighting": ("Add sighting", "New appearance recorded"),
    "claims.suggest": ("Suggest matches", "Matching fact-checks suggested"),
    "claims.confirm_match": ("Confirm match", "Match confirmed: already debunked"),
    "claims.reject_match": ("Reject match", "Suggested match rejected"),
    "claims.merge": ("Merge", "Merged into another claim"),
    "claims.absorb": ("Absorb", "Another claim merged into this one"),
    "claims.assign": ("Assign", "Assigned"),
    "claims.set_priority": ("Set priority", "Priority set"),
    "claims.dismiss": ("Dismiss", "Dismissed"),
    "claims.reopen": ("Reopen", "Reopened"),
    "claims.add_note": ("Add note", "Note added"),
    "claims.start_factcheck": ("Start fact-check", "Fact-check started"),
    "claims.follow_factcheck": ("Follow fact-check", "Status follows the fact-check"),
    "claims.erase_tip_contact": ("Erase tip contact", "A tipster's contact details were erased"),
}


class ClaimActionError(Exception):
    """An action that cannot happen to the claim as it is now; the message is for editors."""


class ClaimMergedError(ClaimActionError):
    """The claim was merged into another one (possibly a moment ago, by another editor)."""


class ClaimConflictError(ClaimActionError):
    """The claim changed since the editor loaded it (``expected_version`` is stale)."""


_S = ClaimStatus
_ANY_BUT_MERGED = frozenset(_S) - {_S.MERGED}
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    "assign": _ANY_BUT_MERGED,
    "set_priority": _ANY_BUT_MERGED,
    "add_note": _ANY_BUT_MERGED,
    "reject_match": _ANY_BUT_MERGED,
    "confirm_match": frozenset({_S.NEW, _S.TRIAGED, _S.IN_PROGRESS}),
    "dismiss": frozenset({_S.NEW, _S.TRIAGED, _S.IN_PROGRESS}),
    "reopen": frozenset({_S.DISMISSED}),
    "start_factcheck": frozenset({_S.NEW, _S.TRIAGED}),
    "merge_source": frozenset({_S.NEW, _S.TRIAGED, _S.DISMISSED, _S.ALREADY_DEBUNKED}),
    "merge_target": _ANY_BUT_MERGED,
}
#: Statuses in which the claim is still being worked on, and follows its fact-check.
_FOLLOWS_FACTCHECK = frozenset({_S.NEW, _S.TRIAGED, _S.IN_PROGRESS, _S.IN_REVIEW})
#: Claims with a fact-check this far along keep it when another claim is merged in.
_ADVANCED = frozenset({_S.IN_PROGRESS, _S.IN_REVIEW, _S.PUBLISHED, _S.ALREADY_DEBUNKED})

MAX_CLAIM_CHARS = 5000
MAX_SIGHTING_TEXT = 20_000
MIN_CLAIM_CHARS = 15


@dataclass
class SightingData:
    """Where and when a claim was seen; ``source`` is a ``SightingSource`` value."""

    source: str
    url: str = ""
    platform: str = "web"
    captured_item_id: int | None = None
    tip_id: int | None = None
    outlet_id: int | None = None
    channel_id: int | None = None
    author: str = ""
    title: str = ""
    text: str = ""
    published_at: datetime | None = None
    seen_at: datetime | None = None
    engagement: dict[str, Any] = field(default_factory=dict)


def _log_claim(claim: Claim, action: str, *, user=None, **data: Any) -> None:
    log(instance=claim, action=action, user=user, data=data)


def _lock_claim(pk: int) -> Claim:
    try:
        return Claim.objects.select_for_update().get(pk=pk)
    except Claim.DoesNotExist:
        raise ClaimActionError(_("This claim no longer exists.")) from None


def _check_claim(claim: Claim, action: str, *, expected_version: int | None = None) -> None:
    if claim.status == ClaimStatus.MERGED:
        raise ClaimMergedError(
            _("Claim #%(pk)s was merged into claim #%(target)s; continue there.")
            % {"pk": claim.pk, "target": claim.merged_into_id}
        )
    if expected_version is not None and claim.version != expected_version:
        raise ClaimConflictError(
            _("Another editor changed claim #%(pk)s a moment ago. Reload it and try again.")
            % {"pk": claim.pk}
        )
    if claim.status not in CLAIM_TRANSITIONS[action]:
        raise ClaimActionError(
            _("This cannot be done to a claim that is “%(status)s”.")
            % {"status": claim.get_status_display()}
        )


def _save_claim(claim: Claim, *fields: str) -> None:
    if "status" in fields:
        # ``closed_at`` starts the retention clock of the claim's tip contacts.
        if claim.status not in Claim.CLOSED_STATUSES:
            claim.closed_at = None
        elif claim.closed_at is None:
            claim.closed_at = timezone.now()
        fields = (*fields, "closed_at")
    claim.version += 1
    claim.save(update_fields=[*fields, "version", "updated"])


def _claim_signature(text: str, language: str) -> tuple[str, str, bytes]:
    """Folded text, its hash (exact repeats in any script) and an embedding (paraphrases)."""
    import hashlib

    import search

    normalized = " ".join(search.fold(text, language or None).split())
    digest = hashlib.sha256(normalized.encode()).hexdigest() if normalized else ""
    try:
        blob = search.claim_vector(text)
    except Exception:  # noqa: BLE001 - a missing model must not lose the claim
        logger.exception("embedding a claim failed; it will only match by exact text")
        blob = b""
    return normalized, digest, blob


def _follow_merged(claim: Claim) -> Claim:
    seen = set()
    while claim.status == ClaimStatus.MERGED and claim.merged_into_id and claim.pk not in seen:
        seen.add(claim.pk)
        claim = Claim.objects.get(pk=claim.merged_into_id)
    return claim


def claim_find_similar(*, text: str, language: str = "", signature=None) -> Claim | None:
    """The open claim this text repeats, if any: same folded text, else a close embedding.

    The cosine threshold is ``FACTCHECK_CLAIM_SIMILARITY_THRESHOLD`` (default 0.93: e5
    puts paraphrases at 0.88-0.98 and unrelated same-topic sentences up to 0.89, so only
    near-verbatim repeats are merged automatically; editors merge the rest). Candidates
    are the most recent ``FACTCHECK_CLAIM_SIMILARITY_WINDOW`` claims (default 5000),
    compared by ``search.most_similar``.
    """
    import search

    _normalized, digest, blob = signature or _claim_signature(text, language)
    if digest:
        same = Claim.objects.filter(text_hash=digest).order_by("pk").first()
        if same is not None:
            return _follow_merged(same)
    if not blob:
        return None
    threshold = float(settings.FACTCHECK_CLAIM_SIMILARITY_THRESHOLD)
    window = int(settings.FACTCHECK_CLAIM_SIMILARITY_WINDOW)
    rows = list(
        Claim.objects.exclude(status=ClaimStatus.MERGED)
        .exclude(vector=b"")
        .order_by("-last_seen")
        .values_list("pk", "vector")[:window]
    )
    best = search.most_similar(blob, rows)
    if best is not None and best[1] >= threshold:
        return Claim.objects.get(pk=best[0])
    return None


def _sighting_from(claim: Claim, data: SightingData) -> ClaimSighting:
    engagement = {k: v for k, v in (data.engagement or {}).items() if isinstance(v, int | float)}
    return ClaimSighting(
        claim=claim,
        source=data.source,
        url=safe_http_url(data.url, max_length=MAX_URL_CHARS),  # only http(s) is linked
        platform=data.platform if data.platform in Platform.values else Platform.OTHER,
        captured_item_id=data.captured_item_id,
        tip_id=data.tip_id,
        outlet_id=data.outlet_id,
        channel_id=data.channel_id,
        author=(data.author or "")[:300],
        title=(data.title or "")[:1000],
        text=(data.text or "")[:MAX_SIGHTING_TEXT],
        published_at=data.published_at,
        seen_at=data.seen_at or timezone.now(),
        engagement=data.engagement or {},
        engagement_total=int(sum(max(0, v) for v in engagement.values())),
    )


def claim_priority_components(claim: Claim, *, now: datetime | None = None) -> dict[str, float]:
    """What the queue's priority is made of; the list shows these next to the total."""
    import math

    now = now or timezone.now()
    hours = max(0.0, (now - claim.last_seen).total_seconds() / 3600) if claim.last_seen else 1e6
    confidence = claim.best_match_score if claim.has_suggested_match else 0.0
    return {
        "appearances": round(10 * math.log1p(claim.sighting_count), 1),
        "spread": float(6 * max(claim.outlet_count - 1, 0) + 4 * max(claim.platform_count - 1, 0)),
        "engagement": round(4 * math.log10(1 + max(claim.engagement_total, 0)), 1),
        "recency": round(25 * math.exp(-hours / 48), 1),
        "match": round(15 * confidence, 1),
    }


def claim_refresh_stats(*, claim: Claim, save: bool = True) -> Claim:
    """Recompute the denormalised counters and the priority from sightings and matches."""
    from django.db.models import Count, Max, Min, Sum

    agg = claim.sightings.aggregate(
        n=Count("id"),
        outlets=Count("outlet", distinct=True),
        platforms=Count("platform", distinct=True),
        engagement=Sum("engagement_total"),
        first=Min("seen_at"),
        first_published=Min("published_at"),
        last=Max("seen_at"),
    )
    suggested = claim.matches.filter(state=MatchState.SUGGESTED)
    claim.sighting_count = agg["n"] or 0
    claim.outlet_count = agg["outlets"] or 0
    claim.platform_count = agg["platforms"] or 0
    claim.engagement_total = agg["engagement"] or 0
    firsts = [d for d in (agg["first"], agg["first_published"], claim.first_seen) if d]
    claim.first_seen = min(firsts) if firsts else timezone.now()
    claim.last_seen = (
        max(d for d in (agg["last"], claim.last_seen) if d) if agg["last"] else claim.last_seen
    )
    claim.best_match_score = suggested.aggregate(best=Max("score"))["best"] or 0.0
    claim.has_suggested_match = suggested.filter(is_match=True).exists()
    countries = list(
        claim.sightings.exclude(outlet__isnull=True)
        .values("outlet__country")
        .annotate(n=Count("id"))
        .order_by("-n")[:1]
    )
    if countries and countries[0]["outlet__country"] != "other":
        claim.country = countries[0]["outlet__country"]
    components = claim_priority_components(claim)
    claim.priority_components = components
    claim.priority = (
        claim.priority_override
        if claim.priority_override is not None
        else round(sum(components.values()), 1)
    )
    if save:
        _save_claim(
            claim,
            "sighting_count", "outlet_count", "platform_count", "engagement_total",
            "first_seen", "last_seen", "best_match_score", "has_suggested_match",
            "country", "priority_components", "priority",
        )  # fmt: skip
    return claim


def claim_create(
    *,
    text: str,
    language: str = "",
    sighting: SightingData | None = None,
    claimant: str = "",
    user=None,
    suggest: bool = True,
    signature=None,
) -> Claim:
    """Open a new queue entry, record where it was seen and ask ``search.match()`` for debunks."""
    text = (text or "").strip()
    if not text:
        raise ClaimActionError(_("A claim needs its text."))
    text = text[:MAX_CLAIM_CHARS]
    normalized, digest, blob = signature or _claim_signature(text, language)
    with transaction.atomic():
        claim = Claim.objects.create(
            text=text,
            normalized_text=normalized,
            text_hash=digest,
            vector=blob,
            language=(language or "")[:16],
            claimant=(claimant or "")[:255],
        )
        if sighting is not None:
            _sighting_from(claim, sighting).save()
        claim_refresh_stats(claim=claim)
        _log_claim(claim, "claims.create", user=user, source=sighting.source if sighting else "")
    if suggest:
        claim_suggest_matches(claim=claim)
    return claim


def claim_suggest_matches(*, claim: Claim, limit: int = 3) -> list[ClaimMatch]:
    """Ask ``search.match()`` for earlier fact-checks answering this claim.

    Suggestions already decided (confirmed/rejected) are left alone, so an editor's
    decision is never overwritten by a later run. A matcher failure is logged and the
    claim stays in the queue without suggestions.
    """
    import search

    try:
        results = search.match(claim.text[:20_000], limit=limit, language=claim.language or None)
    except Exception:  # noqa: BLE001 - matching is best effort; the claim is already safe
        logger.exception("search.match failed for claim %s", claim.pk)
        return []
    ids = {int(r.id) for r in results if str(r.id).isdigit()}
    known = set(FactCheckPage.objects.filter(pk__in=ids).values_list("pk", flat=True))
    created: list[ClaimMatch] = []
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        for result in results:
            if not str(result.id).isdigit() or int(result.id) not in known:
                continue
            match, was_created = ClaimMatch.objects.get_or_create(
                claim=claim,
                factcheck_id=int(result.id),
                defaults={
                    "score": float(result.score),
                    "method": (result.method or "")[:40],
                    "is_match": bool(result.is_match),
                    "matched_sentence": result.matched_sentence or "",
                },
            )
            if not was_created and match.state == MatchState.SUGGESTED:
                match.score, match.is_match = float(result.score), bool(result.is_match)
                match.matched_sentence = result.matched_sentence or match.matched_sentence
                match.save(update_fields=["score", "is_match", "matched_sentence"])
            if was_created:
                created.append(match)
        if created:
            claim_refresh_stats(claim=claim)
            _log_claim(
                claim, "claims.suggest",
                factchecks=[m.factcheck_id for m in created],
                scores=[round(m.score, 3) for m in created],
            )  # fmt: skip
    return created


def claim_add_sighting(*, claim: Claim, sighting: SightingData, user=None) -> Claim:
    """Record another appearance of a claim (a merged claim passes it on to its target).

    Idempotent for captured items: the same item twice is one sighting.
    """
    with transaction.atomic():
        locked = _lock_claim(claim.pk)
        if locked.status == ClaimStatus.MERGED:
            target = _follow_merged(locked)
            locked = _lock_claim(target.pk)
        if (
            sighting.captured_item_id
            and locked.sightings.filter(captured_item_id=sighting.captured_item_id).exists()
        ):
            return locked
        if sighting.url and sighting.source != SightingSource.CAPTURED:
            same = locked.sightings.filter(url=sighting.url[:1000], tip_id=sighting.tip_id).first()
            if same is not None and sighting.tip_id:
                return locked
        _sighting_from(locked, sighting).save()
        claim_refresh_stats(claim=locked)
        _log_claim(
            locked, "claims.add_sighting", user=user, source=sighting.source, url=sighting.url
        )
    return locked


def claim_open_or_attach(
    *,
    text: str,
    language: str = "",
    sighting: SightingData,
    claimant: str = "",
    user=None,
) -> tuple[Claim, bool]:
    """Add the sighting to the claim this text repeats, or open a new one. (claim, created)"""
    signature = _claim_signature(text.strip()[:MAX_CLAIM_CHARS], language)
    existing = claim_find_similar(text=text, language=language, signature=signature)
    if existing is not None:
        return claim_add_sighting(claim=existing, sighting=sighting, user=user), False
    claim = claim_create(
        text=text, language=language, sighting=sighting, claimant=claimant, user=user,
        signature=signature,
    )  # fmt: skip
    return claim, True


_CAPTURE_PLATFORMS = {"telegram": "telegram", "mastodon": "mastodon", "bluesky": "bluesky"}


def claim_candidate_text(*, title: str, text: str, platform: str) -> str:
    """The claim an item carries: a post's text, or an article's headline (else its lead)."""
    if platform in _CAPTURE_PLATFORMS or not title.strip():
        body = " ".join(text.split())
        return body[:1000]
    return " ".join(title.split())[:1000]


def claim_intake_item(*, item) -> Claim | None:
    """Intake for ingest's ``hand_off``: attach a captured item to its claim or open one.

    Same item again -> nothing new; a near-duplicate of an item already on a claim ->
    that claim; the same claim in other words or script -> ``claim_find_similar``;
    otherwise a new claim with ``search.match()`` suggestions. Items too short to
    carry a claim are skipped (None).
    """
    text = claim_candidate_text(title=item.title, text=item.text, platform=item.platform)
    if len(text) < MIN_CLAIM_CHARS:
        return None
    known = ClaimSighting.objects.filter(captured_item=item).select_related("claim").first()
    if known is not None:
        return _follow_merged(known.claim)
    sighting = SightingData(
        source=SightingSource.CAPTURED,
        url=item.canonical_url,
        platform=_CAPTURE_PLATFORMS.get(item.platform, Platform.WEB),
        captured_item_id=item.pk,
        outlet_id=item.outlet_id,
        channel_id=item.channel_id,
        author=item.author,
        title=item.title,
        text=item.text,
        published_at=item.published_at,
        seen_at=item.captured_at,
        engagement=dict(item.engagement or {}),
    )
    if item.near_duplicate_of_id:
        original = (
            ClaimSighting.objects.filter(captured_item_id=item.near_duplicate_of_id)
            .select_related("claim")
            .first()
        )
        if original is not None:
            return claim_add_sighting(claim=_follow_merged(original.claim), sighting=sighting)
    claim, _created = claim_open_or_attach(
        text=text, language=item.language, sighting=sighting, claimant=item.author
    )
    return claim


class AppearanceOutcome:
    """What ``factcheck_add_appearances`` did with the fact-check page."""

    UNCHANGED = "unchanged"  # every URL was listed already: no revision
    PUBLISHED = "published"  # a new revision is live
    SUBMITTED = "submitted"  # a new revision waits in the review workflow
    SAVED = "saved"  # a new revision was saved as a draft (unpublished page, or no workflow)


@dataclass
class AppearanceUpdate:
    added: int
    outcome: str


def _lock_factcheck(page_id: int) -> FactCheckPage:
    """Lock a fact-check's page row (the original's, for an alias) and return it fresh.

    Everything that rewrites a page's appearances holds this lock until it commits, so two
    confirms of the same fact-check serialise and the second builds on the first.
    """
    original = Page.objects.filter(pk=page_id).values_list("alias_of_id", flat=True).first()
    pk = original or page_id
    if not list(Page.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True)):
        raise ClaimActionError(_("This fact-check no longer exists."))
    return FactCheckPage.objects.get(pk=pk)


def _with_appearances(page: FactCheckPage, new: Sequence[AppearanceData]) -> FactCheckPage:
    """``page`` (a live page or a revision's object) with ``new`` appended to its appearances."""
    current = list(page.appearances.all())
    added = [
        ClaimAppearance(url=a.url[:1000], platform=a.platform, date=a.date,
                        archive_url=a.archive_url or "")
        for a in new
    ]  # fmt: skip
    for position, appearance in enumerate(current + added):
        appearance.sort_order = position
    page.appearances = current + added
    return page


@transaction.atomic
def factcheck_add_appearances(
    *, page: FactCheckPage, appearances: Iterable[AppearanceData], user=None
) -> AppearanceUpdate:
    """Add appearances to a fact-check as a new revision, published only if ``user`` may.

    The page's ClaimReview lists every appearance, so partners see where the debunked
    claim resurfaced. URLs already in the page's latest revision are skipped.

    * The page row is locked (``select_for_update``) for the rest of the transaction, and
      the revision is built from the page's **latest** revision: a pending draft is never
      overwritten, and two confirms at once both land.
    * ``user`` None (a command, a task) or a user with ``publish_page`` on the page: the
      live content plus the appearances is published. A pending draft is not published
      with it: the appearances are added to it as a new latest revision, which stays a
      draft (and is what an in-progress workflow approves).
    * A user who may not publish (a fact-checker): the new revision is submitted to the
      page's review workflow, or joins the review already in progress. With no workflow
      (or one waiting for changes) it stays a draft for an editor.
    * A page that is not live: the revision is saved as a draft.
    """
    page = _lock_factcheck(page.pk)
    latest_revision = page.latest_revision
    latest = latest_revision.as_object() if latest_revision else page
    known = {a.url for a in latest.appearances.all()}
    new: list[AppearanceData] = []
    for appearance in appearances:
        if appearance.url and appearance.url not in known:
            known.add(appearance.url)
            new.append(appearance)
    if not new:
        return AppearanceUpdate(0, AppearanceOutcome.UNCHANGED)

    can_publish = user is None or page.permissions_for_user(user).can_publish()
    if page.live and can_publish:
        pending = latest_revision if page.has_unpublished_changes else None
        live = page.live_revision.as_object() if page.live_revision_id else page
        revision = _with_appearances(live, new).save_revision(user=user, log_action=True)
        revision.publish(user=user)
        if pending is not None:
            page = FactCheckPage.objects.get(pk=page.pk)
            draft = type(pending).objects.get(pk=pending.pk).as_object()
            _with_appearances(draft, new).save_revision(user=user, log_action=True, clean=False)
        return AppearanceUpdate(len(new), AppearanceOutcome.PUBLISHED)

    _with_appearances(latest, new).save_revision(user=user, log_action=True, clean=False)
    if not page.live:
        return AppearanceUpdate(len(new), AppearanceOutcome.SAVED)
    page = FactCheckPage.objects.get(pk=page.pk)
    state = page.current_workflow_state
    if state is not None and state.status == state.STATUS_IN_PROGRESS:
        # The approval publishes the latest revision: the one just saved.
        return AppearanceUpdate(len(new), AppearanceOutcome.SUBMITTED)
    workflow = page.get_workflow() if state is None else None
    if workflow is not None:
        workflow.start(page, user)
        return AppearanceUpdate(len(new), AppearanceOutcome.SUBMITTED)
    return AppearanceUpdate(len(new), AppearanceOutcome.SAVED)


def _appearances_of(claim: Claim) -> list[AppearanceData]:
    return [
        AppearanceData(
            url=s.url,
            platform=s.platform,
            date=(s.published_at or s.seen_at).date() if (s.published_at or s.seen_at) else None,
        )
        for s in claim.sightings.exclude(url="").order_by("seen_at", "pk")
        if safe_http_url(s.url)
    ]


def claim_confirm_match(
    *, match: ClaimMatch, user=None, expected_version: int | None = None
) -> Claim:
    """The claim is already debunked by ``match.factcheck``: link it and list its appearances.

    The fact-check's page row is locked first, then the claim's (the order Wagtail's own
    publish takes them in, through ``claim_follow_factcheck``). What the claim becomes
    depends on what ``factcheck_add_appearances`` could do for ``user``: published (or
    nothing to add) -> already debunked; submitted for review -> in review; saved as a
    draft of a live page -> in progress. The claim then follows the page
    (``claim_follow_factcheck``): publishing it makes the claim already debunked.
    """
    with transaction.atomic():
        _lock_factcheck(match.factcheck_id)
        claim = _lock_claim(match.claim_id)
        _check_claim(claim, "confirm_match", expected_version=expected_version)
        match = ClaimMatch.objects.select_for_update().get(pk=match.pk)
        if match.state == MatchState.CONFIRMED:
            raise ClaimActionError(_("This match is already confirmed."))
        match.state, match.decided_by, match.decided_at = MatchState.CONFIRMED, user, timezone.now()
        match.save(update_fields=["state", "decided_by", "decided_at"])
        update = factcheck_add_appearances(
            page=match.factcheck, appearances=_appearances_of(claim), user=user
        )
        # Publishing or submitting the page may have moved claims linked to it: re-read.
        claim = _lock_claim(claim.pk)
        if update.outcome == AppearanceOutcome.SUBMITTED:
            claim.status = ClaimStatus.IN_REVIEW
        elif update.outcome == AppearanceOutcome.SAVED and match.factcheck.live:
            claim.status = ClaimStatus.IN_PROGRESS
        else:
            claim.status = ClaimStatus.ALREADY_DEBUNKED
        claim.factcheck_id = match.factcheck_id
        _save_claim(claim, "status", "factcheck")
        claim_refresh_stats(claim=claim)
        _log_claim(
            claim,
            "claims.confirm_match",
            user=user,
            factcheck=match.factcheck_id,
            score=match.score,
            appearances_added=update.added,
            factcheck_revision=update.outcome,
        )
    return claim


def claim_reject_match(
    *, match: ClaimMatch, user=None, expected_version: int | None = None
) -> ClaimMatch:
    """The suggested fact-check does not answer this claim (kept as calibration data)."""
    with transaction.atomic():
        claim = _lock_claim(match.claim_id)
        _check_claim(claim, "reject_match", expected_version=expected_version)
        match = ClaimMatch.objects.select_for_update().get(pk=match.pk)
        if match.state != MatchState.SUGGESTED:
            raise ClaimActionError(
                _("This match was already %(state)s.")
                % {"state": match.get_state_display().lower()}
            )
        match.state, match.decided_by, match.decided_at = MatchState.REJECTED, user, timezone.now()
        match.save(update_fields=["state", "decided_by", "decided_at"])
        claim_refresh_stats(claim=claim)
        _log_claim(
            claim, "claims.reject_match", user=user, factcheck=match.factcheck_id, score=match.score
        )
    return match


def claim_merge(*, source: Claim, target: Claim, user=None) -> Claim:
    """Merge ``source`` into ``target``: sightings, suggestions, notes and tips move over.

    Both rows are locked in primary-key order (so two editors merging A->B and B->A at
    once cannot deadlock, and exactly one of them wins). A claim that is already being
    fact-checked or published cannot be merged away; merge the other one into it.
    """
    if source.pk == target.pk:
        raise ClaimActionError(_("A claim cannot be merged into itself."))
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Claim.objects.select_for_update()
            .filter(pk__in=[source.pk, target.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ClaimActionError(_("One of these claims no longer exists."))
        source, target = locked[source.pk], locked[target.pk]
        _check_claim(source, "merge_source")
        _check_claim(target, "merge_target")
        taken = set(
            target.sightings.exclude(captured_item__isnull=True).values_list(
                "captured_item_id", flat=True
            )
        )
        source.sightings.filter(captured_item_id__in=taken).delete()
        source.sightings.update(claim=target)
        decided = set(target.matches.values_list("factcheck_id", flat=True))
        source.matches.filter(factcheck_id__in=decided).delete()
        source.matches.update(claim=target)
        source.notes.update(claim=target)
        source.tips.update(claim=target)
        if target.status not in _ADVANCED and source.status in _ADVANCED:
            target.status, target.factcheck_id = source.status, source.factcheck_id
        target.first_seen = min(target.first_seen, source.first_seen)
        target.assignee_id = target.assignee_id or source.assignee_id
        _save_claim(target, "status", "factcheck", "first_seen", "assignee")
        source.status, source.merged_into = ClaimStatus.MERGED, target
        _save_claim(source, "status", "merged_into")
        claim_refresh_stats(claim=target)
        _log_claim(source, "claims.merge", user=user, into=target.pk)
        _log_claim(target, "claims.absorb", user=user, merged=source.pk)
    return target


def claim_assign(
    *, claim: Claim, assignee, user=None, expected_version: int | None = None
) -> Claim:
    """Give the claim to a fact-checker (None unassigns); they get an email."""
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        _check_claim(claim, "assign", expected_version=expected_version)
        previous = claim.assignee_id
        claim.assignee = assignee
        if claim.status == ClaimStatus.NEW and assignee is not None:
            claim.status = ClaimStatus.TRIAGED
        _save_claim(claim, "assignee", "status")
        _log_claim(
            claim,
            "claims.assign",
            user=user,
            assignee=assignee.get_username() if assignee else None,
        )
        if assignee is not None and assignee.pk != previous and getattr(assignee, "email", ""):
            from .emails import send_assignment_email

            claim_id, assignee_id, user_id = claim.pk, assignee.pk, getattr(user, "pk", None)
            transaction.on_commit(
                lambda: send_assignment_email(
                    claim_id=claim_id, assignee_id=assignee_id, assigned_by_id=user_id
                )
            )
    return claim


def claim_set_priority(*, claim: Claim, priority: float | None, user=None) -> Claim:
    """Override the computed priority (None returns to the computed score)."""
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        _check_claim(claim, "set_priority")
        claim.priority_override = priority
        _save_claim(claim, "priority_override")
        claim_refresh_stats(claim=claim)
        _log_claim(claim, "claims.set_priority", user=user, priority=priority)
    return claim


def claim_dismiss(
    *, claim: Claim, reason: str, user=None, expected_version: int | None = None
) -> Claim:
    """Take the claim off the queue; the reason is required and shown on the claim."""
    reason = (reason or "").strip()
    if not reason:
        raise ClaimActionError(_("Give a reason for dismissing the claim."))
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        _check_claim(claim, "dismiss", expected_version=expected_version)
        claim.status, claim.dismiss_reason = ClaimStatus.DISMISSED, reason[:2000]
        _save_claim(claim, "status", "dismiss_reason")
        _log_claim(claim, "claims.dismiss", user=user, reason=reason[:2000])
    return claim


def claim_reopen(*, claim: Claim, user=None) -> Claim:
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        _check_claim(claim, "reopen")
        claim.status, claim.dismiss_reason = ClaimStatus.TRIAGED, ""
        _save_claim(claim, "status", "dismiss_reason")
        _log_claim(claim, "claims.reopen", user=user)
    return claim


def claim_add_note(*, claim: Claim, text: str, user=None) -> ClaimNote:
    text = (text or "").strip()
    if not text:
        raise ClaimActionError(_("A note cannot be empty."))
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        _check_claim(claim, "add_note")
        note = ClaimNote.objects.create(claim=claim, author=user, text=text[:10_000])
        _log_claim(claim, "claims.add_note", user=user, note=note.pk)
    return note


def claim_locale_code(claim: Claim) -> str:
    """The site locale a fact-check of this claim is written in."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (claim.language or "").lower()
    if language in codes:
        return language
    if language.split("-")[0] in codes:
        return language.split("-")[0]
    return settings.LANGUAGE_CODE


def claim_start_factcheck(
    *, claim: Claim, user=None, locale_code: str | None = None
) -> FactCheckPage:
    """Create a draft fact-check for the claim in its locale, prefilled and linked back."""
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        _check_claim(claim, "start_factcheck")
        code = locale_code or claim_locale_code(claim)
        index = index_for(locale_code=code)
        first = claim.sightings.order_by("seen_at", "pk").first()
        claimant = claim.claimant or (first.author if first else "") or ""
        title = str(claim)[:255]
        page = FactCheckPage(
            title=title,
            slug=f"claim-{claim.pk}-{slugify(title)[:60]}".strip("-"),
            locale=index.locale,
            claim_reviewed=claim.text,
            claimant=claimant[:255],
            claim_date=(first.published_at or first.seen_at).date() if first else None,
            summary="",
            live=False,
        )
        page.appearances = [
            ClaimAppearance(url=a.url[:1000], platform=a.platform, date=a.date, sort_order=i)
            for i, a in enumerate(_appearances_of(claim))
        ]
        # A draft: the verdict and summary are for the fact-checker to write, so the
        # required-field checks of a publishable page do not apply yet.
        page.full_clean = lambda *args, **kwargs: None
        index.add_child(instance=page)
        del page.full_clean
        page.save_revision(user=user, log_action=True, clean=False)
        claim.factcheck = page
        claim.status = ClaimStatus.IN_PROGRESS
        claim.assignee = claim.assignee or user
        _save_claim(claim, "factcheck", "status", "assignee")
        _log_claim(claim, "claims.start_factcheck", user=user, factcheck=page.pk, locale=code)
    return page


def claim_follow_factcheck(*, page: Page, status: str) -> int:
    """Claims worked on through ``page`` take ``status`` (published / in review). Returns count."""
    page_ids = {page.pk}
    if getattr(page, "alias_of_id", None):
        page_ids.add(page.alias_of_id)
    changed = 0
    with transaction.atomic():
        for claim in (
            Claim.objects.select_for_update()
            .filter(factcheck_id__in=page_ids, status__in=_FOLLOWS_FACTCHECK)
            .order_by("pk")
        ):
            target = status
            if (
                status == ClaimStatus.PUBLISHED
                and claim.matches.filter(
                    factcheck_id__in=page_ids, state=MatchState.CONFIRMED
                ).exists()
            ):
                # A confirmed match (a fact-checker's, approved now): an earlier debunk.
                target = ClaimStatus.ALREADY_DEBUNKED
            if claim.status == target:
                continue
            claim.status = target
            _save_claim(claim, "status")
            _log_claim(claim, "claims.follow_factcheck", status=target, factcheck=page.pk)
            changed += 1
    return changed


# --- Tips -------------------------------------------------------------------------


def tip_submit(*, text: str = "", url: str = "", contact: str = "", language: str = "") -> Tip:
    """Store a reader's tip and turn it into a claim; a URL is fetched by a task.

    The form has validated the input (size, plain text, public URL). With text, the
    claim opens now; with only a URL, it opens once the page is fetched (or with the
    URL as its text if the fetch fails), so a tip is never lost.
    """
    from django.utils.module_loading import import_string

    text, url = (text or "").strip(), (url or "").strip()
    if not text and not url:
        raise ClaimActionError(_("Tell us the claim, or give a link to where you saw it."))
    if url and not (url := safe_http_url(url, max_length=MAX_URL_CHARS)):
        raise ClaimActionError(_("Only http and https links can be checked."))
    tip = Tip.objects.create(
        text=text[:MAX_CLAIM_CHARS],
        url=url,
        contact=(contact or "").strip()[:255],
        language=language[:16],
    )
    if text:
        claim, _created = claim_open_or_attach(
            text=text, language=language,
            sighting=SightingData(source=SightingSource.TIP, url=url, tip_id=tip.pk, text=text),
        )  # fmt: skip
        tip.claim = claim
        tip.save(update_fields=["claim"])
    if url:
        # The fetch needs ingest's guarded HTTP client; claims never imports ingest, so the
        # task is named by a setting (default ``ingest.tasks.tip_fetch_url``).
        task_path = settings.FACTCHECK_TIP_FETCH_TASK
        import_string(task_path).enqueue(tip.pk)
    return tip


def tip_record_fetch(
    *, tip: Tip, url: str = "", title: str = "", text: str = "", error: str = "",
    published_at: datetime | None = None, author: str = "",
) -> Tip:  # fmt: skip
    """Store what fetching a tip's URL gave (or why it failed) and make sure it has a claim."""
    with transaction.atomic():
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
        if error:
            tip.status, tip.fetch_error = TipStatus.FETCH_FAILED, error[:500]
        else:
            tip.status, tip.fetch_error = TipStatus.FETCHED, ""
            tip.fetched_title = " ".join((title or "").split())[:1000]
            tip.fetched_text = (text or "")[:MAX_SIGHTING_TEXT]
        tip.save(update_fields=["status", "fetch_error", "fetched_title", "fetched_text"])
    sighting = SightingData(  # the fetched page's URL only if it is http(s): it is linked
        source=SightingSource.TIP, url=safe_http_url(url) or tip.url, tip_id=tip.pk,
        title=tip.fetched_title,
        text=tip.fetched_text, published_at=published_at, author=author,
    )  # fmt: skip
    if tip.claim_id is None:
        claim_text = (
            claim_candidate_text(title=tip.fetched_title, text=tip.fetched_text, platform="web")
            or tip.url
        )
        claim, _created = claim_open_or_attach(
            text=claim_text, language=tip.language, sighting=sighting
        )
        tip.claim = claim
        tip.save(update_fields=["claim"])
    elif not error:
        existing = ClaimSighting.objects.filter(tip=tip, claim_id=tip.claim_id).first()
        if existing is not None:
            existing.title, existing.text = sighting.title, sighting.text
            existing.published_at, existing.author = published_at, (author or "")[:300]
            existing.save(update_fields=["title", "text", "published_at", "author"])
    return tip


def claim_mark_debunked(*, claim: Claim, factcheck: FactCheckPage, user=None) -> Claim:
    """An editor names the fact-check that already answers the claim (no suggestion needed).

    Same rules as ``claim_confirm_match`` (locks, who publishes), which it ends in.
    """
    with transaction.atomic():
        _lock_factcheck(factcheck.pk)
        locked = _lock_claim(claim.pk)
        _check_claim(locked, "confirm_match")
        match, _created = ClaimMatch.objects.get_or_create(
            claim=locked,
            factcheck=factcheck,
            defaults={"score": 1.0, "method": "editor", "is_match": True},
        )
        if match.state == MatchState.REJECTED:
            match.state = MatchState.SUGGESTED
            match.save(update_fields=["state"])
        return claim_confirm_match(match=match, user=user)


# --- Tip contacts: retention and erasure -------------------------------------------
#
# The tip form promises that contact details are deleted once they are no longer needed.
# They are needed while the claim is open (a fact-checker may ask the tipster for more);
# ``FACTCHECK_TIP_CONTACT_RETENTION_DAYS`` after the claim is closed they are erased.
# ``contact_erased_at`` and the audit log record that (and why), never the contact itself.


def _tip_contact_retention_days() -> int:
    return max(int(settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS), 0)


def _log_tip_erasure(*, claim_id: int | None, tips: list[int], reason: str, user=None) -> None:
    target = Claim.objects.filter(pk=claim_id).first() if claim_id else None
    if target is not None:
        _log_claim(target, "claims.erase_tip_contact", user=user, tips=tips, reason=reason)
        return
    for tip in Tip.objects.filter(pk__in=tips):
        log(instance=tip, action="claims.erase_tip_contact", user=user, data={"reason": reason})


def tip_erase_contact(*, tip: Tip, user=None, reason: str = "request") -> Tip:
    """Erase a tipster's contact details now (for instance on their request).

    Views check that ``user`` may (``claims.change_tip``: editors). The erasure is logged
    on the tip's claim with who and why; the contact is not kept anywhere.
    """
    with transaction.atomic():
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
        if not tip.contact:
            raise ClaimActionError(_("This tip has no contact details to erase."))
        tip.contact, tip.contact_erased_at = "", timezone.now()
        tip.save(update_fields=["contact", "contact_erased_at"])
        _log_tip_erasure(claim_id=tip.claim_id, tips=[tip.pk], reason=reason[:100], user=user)
    return tip


def _tips_past_retention(*, cutoff: datetime):
    from django.db.models import Q

    closed = Q(claim__status__in=Claim.CLOSED_STATUSES, claim__closed_at__lte=cutoff)
    # A tip whose claim was deleted; not one whose URL is still waiting to be fetched.
    orphaned = Q(claim__isnull=True, created__lte=cutoff) & ~Q(
        status=TipStatus.RECEIVED, url__gt=""
    )
    return Tip.objects.exclude(contact="").filter(closed | orphaned)


def tip_purge_contacts(
    *, now: datetime | None = None, days: int | None = None, dry_run: bool = False,
    batch_size: int = 500,
) -> int:  # fmt: skip
    """Erase the contacts of tips whose claim was closed ``days`` (default: the setting) ago.

    Tips on open claims are kept, whatever their age; a claim that is reopened stops the
    clock. Returns how many contacts were (or, with ``dry_run``, would be) erased. Run
    daily: ``manage.py purge_tip_contacts`` or the ``claims.tasks.tip_contacts_purge`` task.
    """
    from datetime import timedelta

    now = now or timezone.now()
    days = _tip_contact_retention_days() if days is None else max(int(days), 0)
    cutoff = now - timedelta(days=days)
    if dry_run:
        return _tips_past_retention(cutoff=cutoff).count()
    erased = 0
    while True:
        with transaction.atomic():
            rows = list(
                _tips_past_retention(cutoff=cutoff)
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", "claim_id")[:batch_size]
            )
            if not rows:
                return erased
            Tip.objects.filter(pk__in=[pk for pk, _claim in rows]).update(
                contact="", contact_erased_at=now
            )
            by_claim: dict[int | None, list[int]] = {}
            for pk, claim_id in rows:
                by_claim.setdefault(claim_id, []).append(pk)
            for claim_id, tips in by_claim.items():
                _log_tip_erasure(claim_id=claim_id, tips=tips, reason="retention")
            erased += len(rows)
