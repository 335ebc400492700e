"""Importing other newsrooms' ClaimReview records as published (or draft) fact-check pages.

Parsing is ``claims.claimreview`` (pure Python); this module decides where each record
lands (locale, rating) and writes the pages through ``factcheck_upsert``.
Another newsroom's record is untrusted: the claim, the summary and the list of
appearances are capped (``MAX_CLAIM_CHARS``, ``MAX_SUMMARY_CHARS``, ``MAX_APPEARANCES``)
and rating numbers a ``Rating`` cannot hold fall back to 1..5, each with a warning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ..models import FactCheckPage, Rating, RatingScale
from .appearances import AppearanceData
from .factchecks import factcheck_upsert
from .site import index_for, locale_for


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


def claimreview_locale_for(record, *, report: ImportReport | None = None) -> str:
    """The site locale for an imported record: its ``inLanguage``, else detected from the text.

    Serbian is split by script, whatever the publisher declared, because the site
    keeps Cyrillic and Latin originals apart. A language the site does not publish in
    goes to the default locale, with a warning. Undeclared languages are detected by
    ``search.detect_language`` (the crawler's rules: a Latin hbs text names no variety,
    so it goes to the default locale too, for an editor to place).
    """
    import search
    from claims.claimreview import site_locale_for_tag

    text = " ".join(filter(None, [record.claim_reviewed, record.review_body, record.headline]))
    declared = (record.in_language or "").strip()
    code = site_locale_for_tag(declared, text_script=search.detect_script(text))
    if code is None:  # missing, "und" or bare hbs: the crawler's detection decides
        code = search.site_locale(search.detect_language(text))
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
    locale = locale_for(locale_code)
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
    if any(abs(n) > MAX_RATING_NUMBER for n in (best, worst, value)):
        # Rating stores 5 digits, 2 decimals: an absurd number would fail the whole import.
        report.warnings.append(
            f"{record.url}: rating numbers out of range (ratingValue {value:g}, bestRating "
            f"{best:g}, worstRating {worst:g}); the imported rating uses 1..5"
        )
        best, worst, value = 5, 1, 1
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


#: The largest rating number a Rating keeps (``DecimalField(max_digits=5, decimal_places=2)``).
MAX_RATING_NUMBER = 999
#: Longest claim and summary (reviewBody) imported, and most appearances per fact-check:
#: a real ClaimReview is far below these; another newsroom's markup is untrusted.
MAX_CLAIM_CHARS = 5_000
MAX_SUMMARY_CHARS = 20_000
MAX_APPEARANCES = 100


def _capped(text: str, limit: int, name: str, record, report: ImportReport) -> str:
    if len(text) <= limit:
        return text
    report.warnings.append(f"{record.url}: {name} is {len(text):,} characters; cut to {limit:,}")
    return text[: limit - 1].rstrip() + "…"


#: No fact-check on the web is older than this; an earlier ``datePublished`` is garbage.
EARLIEST_ORIGINAL_DATE = date(1995, 1, 1)
#: A page first published this long before its first revision here was published elsewhere.
_ORIGINAL_MARGIN = timedelta(minutes=1)


def original_publication_time(value, *, today: date | None = None) -> datetime | None:
    """The record's ``datePublished`` as the page's first publication, or ``None``.

    Only a plain calendar date from :data:`EARLIEST_ORIGINAL_DATE` to ``today`` (the
    site's time zone) counts: a future, ancient or non-date value is ignored, so a
    hostile feed cannot date its fact-check ahead of everyone else's or into year 1.
    Noon in the site's time zone, so the date the publisher wrote reads the same in
    local time and in UTC (the ClaimReview export).
    """
    if not isinstance(value, date) or isinstance(value, datetime):
        return None
    today = today or timezone.localdate()
    if not EARLIEST_ORIGINAL_DATE <= value <= today:
        return None
    # Never later than now: a fact-check published this morning is not dated this noon.
    return min(timezone.make_aware(datetime.combine(value, time(12, 0))), timezone.now())


def original_publication_date(page) -> date | None:
    """When an imported page was first published by its original publisher, if known.

    The import dates ``first_published_at`` back to the record's ``datePublished``; a
    page first published before it existed here (its first revision) carries that
    original date. Otherwise ``first_published_at`` is just when it went live here.
    """
    first = page.first_published_at
    if first is None or not page.original_url:
        return None
    created = page.revisions.order_by("created_at").values_list("created_at", flat=True).first()
    if created is None or first > created - _ORIGINAL_MARGIN:
        return None
    return timezone.localtime(first).date()


def _date_back(page: FactCheckPage, record, report: ImportReport, today: date | None) -> None:
    when = original_publication_time(record.date_published, today=today)
    if when is None:
        if record.date_published is not None:
            report.warnings.append(
                f"{record.url}: datePublished {record.date_published.isoformat()} is in "
                "the future or implausibly old; the page keeps its own date"
            )
        return
    current = page.first_published_at
    if current is None or timezone.localtime(current).date() != timezone.localtime(when).date():
        FactCheckPage.objects.filter(pk=page.pk).update(first_published_at=when)
        page.first_published_at = when


@transaction.atomic
def claimreview_import(
    *,
    records: Sequence,
    report: ImportReport | None = None,
    publish: bool = True,
    today: date | None = None,
) -> ImportReport:
    """Import other newsrooms' ClaimReview records as published pages.

    With ``publish=False`` (``import_claimreview --draft``) new pages are created
    unpublished, with a revision, for an editor to review and publish; changes to a page
    that is already live are saved as a draft revision of it.

    Each record lands under the "Imported fact-checks" index of its locale and keeps
    its original URL and publisher. The original URL is the identity: importing the
    same record again updates the same page. All records import in one transaction,
    so a crash never leaves a half-imported file.

    A valid ``datePublished`` (not in the future, ``today`` by default) becomes the
    page's ``first_published_at``, so the page, its credit and its ClaimReview show
    when the publisher published it, not when we imported it.
    """
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
        if len(appearances) > MAX_APPEARANCES:
            report.warnings.append(
                f"{record.url}: {len(appearances):,} appearances; kept the first {MAX_APPEARANCES}"
            )
            appearances = appearances[:MAX_APPEARANCES]
        title = (record.headline or record.claim_reviewed).strip()
        page, changed = factcheck_upsert(
            index=index,
            slug=slug,
            title=title[:255],
            claim_reviewed=_capped(
                record.claim_reviewed, MAX_CLAIM_CHARS, "claimReviewed", record, report
            ),
            claimant=record.claimant or "",
            claimant_type=record.claimant_type or "Organization",
            claim_date=record.claim_date,
            rating=rating,
            summary=_capped(
                record.review_body or rating.label, MAX_SUMMARY_CHARS, "reviewBody", record, report
            ),
            appearances=appearances,
            original_url=record.url,
            original_publisher=record.publisher_name or "",
            original_publisher_url=record.publisher_url or "",
            publish=publish,
        )
        _date_back(page, record, report, today)
        if existing is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report
