"""Readers' tips: submit one, record what fetching its link gave, and erase tipsters' contacts.

The tip form promises that contact details are deleted once they are no longer needed.
They are needed while the claim is open (a fact-checker may ask the tipster for more);
``FACTCHECK_TIP_CONTACT_RETENTION_DAYS`` after the claim is closed they are erased.
``contact_erased_at`` and the audit log record that (and why), never the contact itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from sources.urls import safe_http_url

from ..models import Claim, ClaimSighting, SightingSource, Tip, TipStatus
from .appearances import MAX_URL_CHARS
from .errors import ClaimActionError
from .intake import (
    MAX_CLAIM_CHARS,
    MAX_SIGHTING_TEXT,
    SightingData,
    claim_candidate_text,
    claim_open_or_attach,
)
from .rows import log_claim


def tip_submit(*, text: str = "", url: str = "", contact: str = "", language: str = "") -> Tip:
    """Store a reader's tip and turn it into a claim; a URL is fetched by a task.

    The form has validated the input (size, plain text, public URL). With text, the
    claim opens now; with only a URL, it opens once the page is fetched (or with the
    URL as its text if the fetch fails), so a tip is never lost.
    """
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


def _tip_contact_retention_days() -> int:
    return max(int(settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS), 0)


def _log_tip_erasure(
    *, claim_id: int | None, tips: list[int], reason: str, user: Any = None
) -> None:
    target = Claim.objects.filter(pk=claim_id).first() if claim_id else None
    if target is not None:
        log_claim(target, "claims.erase_tip_contact", user=user, tips=tips, reason=reason)
        return
    for tip in Tip.objects.filter(pk__in=tips):
        log(instance=tip, action="claims.erase_tip_contact", user=user, data={"reason": reason})


def tip_erase_contact(*, tip: Tip, user: Any = None, reason: str = "request") -> Tip:
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


def _tips_past_retention(*, cutoff: datetime) -> QuerySet[Tip]:
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
            for owner, tips in by_claim.items():
                _log_tip_erasure(claim_id=owner, tips=tips, reason="retention")
            erased += len(rows)
