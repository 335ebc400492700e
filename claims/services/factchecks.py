"""Fact-check pages: create or update one (idempotently), mirror Serbian ones across scripts,
and their authors."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page

from sources.urls import safe_http_url

from ..models import (
    Author,
    ClaimAppearance,
    Country,
    FactCheckIndexPage,
    FactCheckPage,
    Rating,
    Topic,
)
from .appearances import MAX_URL_CHARS, AppearanceData
from .site import child_page, locale_for, publish_page

#: A Serbian fact-check is mirrored into the other script's site (``factcheck_sync_script_alias``).
SCRIPT_PAIRS = {"sr": "sr-latn", "sr-latn": "sr"}


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
    existing = child_page(index, slug)
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
        publish_page(page, user=user)
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
def factcheck_sync_script_alias(*, page: Page) -> FactCheckPage | None:
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
    other_locale = locale_for(other_code)
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
