"""Bring a partner's fact-checks here: import new and changed ones, withdraw the gone.

``partner_sync(channel=..., poll=...)`` applies one ``PartnerPoll``:

* **Idempotent.** A record whose digest has not changed since the last import is only
  marked as seen; a changed one goes through ``claims.services.claimreview_import``
  (the same import as ``manage.py import_claimreview``), which keeps the partner's URL
  as the page's canonical URL and the partner as its publisher.
* **Publish or draft**, per channel (``PartnerFeed.publish_mode``).
* **Local edits are never overwritten silently.** After each import the page's content
  is fingerprinted; if the page (its latest revision, or its live version) no longer has
  that fingerprint when the partner changes the fact-check, an editor changed it here:
  the partner's version is saved as a draft revision waiting for review, the live page
  stays as the editor left it, and the page's history says why
  (``ingest.partner_change_held``).
* **One owner per fact-check.** A review URL imported through one channel is never
  changed by another: a feed listing someone else's URL gets an error for that record.
* **Only the partner's own fact-checks.** A record whose review URL is not on the
  channel's site (same registrable domain, ``sources.urls.same_site``; for an IP or
  ``localhost`` the same host, any port) is refused with an error and changes nothing:
  otherwise any feed could publish here "Originally published by" another newsroom,
  with a canonical link to that newsroom's site. A publisher link (``author.url``) on
  another site is dropped from the credit with a warning. A network's shared feed is
  let through with ``PartnerFeed.other_publishers``; Google's search API is exempt (it
  attributes its results itself).
* **One version per fact-check.** A review URL listed twice with different content is
  an error for that URL: nothing is imported or withdrawn for it in that poll (an order
  swap between polls must not flip a verdict). Identical repeats count once.
* **Bounded work.** At most ``FACTCHECK_PARTNER_MAX_RECORDS`` fact-checks are imported
  or updated per poll, in the feed's order; the others wait for the next poll, with a
  warning, and are not withdrawn. Unchanged ones cost no import. (The feed itself is
  bounded by the HTTP client's 5 MB response limit.)
* **Withdrawal.** A fact-check gone from a complete listing, or whose page answers 410,
  is unpublished here with a note in the page's history (``ingest.partner_withdrawn``).
  A mass drop (more than one and more than half of the channel's fact-checks in one
  poll) is withdrawn only for what has been missing for
  ``FACTCHECK_PARTNER_WITHDRAWAL_GRACE_HOURS`` (default 24): a broken or hijacked feed
  cannot empty this site in one poll. If the partner brings it back, the next import publishes (or drafts) it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from claims.claimreview import ClaimReviewRecord
from claims.models import FactCheckPage
from claims.services import ImportReport, claimreview_import
from ingest.models import PartnerFactCheck, PartnerFeed
from sources.models import Channel
from sources.urls import registrable_domain, same_site

from .fetch import PartnerPoll, is_google_search

logger = logging.getLogger(__name__)

WITHDRAWN_ACTION = "ingest.partner_withdrawn"
HELD_ACTION = "ingest.partner_change_held"
LOG_ACTIONS = {
    WITHDRAWN_ACTION: (
        _("Partner withdrew"),
        _("Unpublished: the partner withdrew this fact-check"),
    ),
    HELD_ACTION: (
        _("Partner change held"),
        _("The partner changed this fact-check; their version waits as a draft for review"),
    ),
}


@dataclass
class PartnerReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def record_digest(record) -> str:
    """A stable digest of everything a ClaimReview record says (not where it was read)."""
    data = dataclasses.asdict(record)
    data.pop("source_position", None)
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def page_fingerprint(page: FactCheckPage) -> str:
    """What an editor would change on a fact-check, as one digest."""
    body = page.body.raw_data if page.body is not None else []
    data = [
        page.title,
        page.claim_reviewed,
        page.claimant,
        page.summary,
        page.rating_id,
        page.original_url,
        page.original_publisher,
        [{"type": b.get("type"), "value": b.get("value")} for b in body],
        [(a.url, str(a.date)) for a in page.appearances.all()],
    ]
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def edited_here(page: FactCheckPage, state: PartnerFactCheck | None) -> bool:
    """Whether someone here changed the page since the partner's version was imported."""
    if state is None or not state.page_fingerprint:
        # Imported before we followed the partner: any editor's revision counts as an edit.
        return page.revisions.filter(user__isnull=False).exists()
    latest = page.get_latest_revision_as_object()
    if page_fingerprint(latest) != state.page_fingerprint:
        return True
    return page.live and page_fingerprint(page) != state.page_fingerprint


def partner_sync(
    *, channel: Channel, poll: PartnerPoll, now: datetime | None = None
) -> PartnerReport:
    now = now or timezone.now()
    feed = PartnerFeed.objects.get_or_create(channel=channel)[0]
    report = PartnerReport(warnings=list(poll.warnings))
    own_site = None if feed.other_publishers else _own_site(channel.url_or_handle)
    cap = max(1, int(settings.FACTCHECK_PARTNER_MAX_RECORDS))
    imported = deferred = 0
    # What this channel imported and still shows: an unchanged record costs no query.
    current = dict(
        PartnerFactCheck.objects.filter(
            channel=channel, withdrawn_at__isnull=True, page__isnull=False
        ).values_list("original_url", "record_digest")
    )
    unchanged: dict[str, list[str]] = {}
    seen: set[str] = set()
    for url, versions in _by_url(poll.records).items():
        seen.add(url)  # listed: whatever happens to it below, it was not withdrawn
        chosen = _one_version(url, versions, report)
        if chosen is None:
            continue
        record, page_url, digest = chosen
        if own_site is not None:
            checked = _on_own_site(record, own_site, report)
            if checked is None:
                continue
            if checked is not record:  # its off-site publisher link was dropped
                record, digest = checked, record_digest(checked)
        if current.get(url) == digest:
            unchanged.setdefault(page_url, []).append(url)
            report.unchanged += 1
            continue
        if imported >= cap:
            deferred += 1
            continue
        imported += 1
        try:
            _import_one(channel, feed, record, page_url, now, report)
        except Exception as exc:  # noqa: BLE001 - one record must not stop the partner
            logger.exception("partner channel %s: importing %s failed", channel.pk, record.url)
            report.errors.append(f"{record.url}: {type(exc).__name__}: {exc}")
    _mark_seen(channel, unchanged, now)
    if deferred:
        report.warnings.append(
            f"{deferred:,} more new or changed fact-checks wait for the next poll: at most "
            f"{cap:,} are imported per poll (FACTCHECK_PARTNER_MAX_RECORDS)"
        )
    _withdraw_gone(channel, feed, poll, seen, now, report)
    return report


def _by_url(records: list[tuple[ClaimReviewRecord, str]]) -> dict[str, list[tuple]]:
    """The poll's records grouped by review URL, in the feed's order, with their digests."""
    grouped: dict[str, list[tuple]] = {}
    for record, page_url in records:
        grouped.setdefault(record.url, []).append((record, page_url, record_digest(record)))
    return grouped


def _one_version(url: str, versions: list[tuple], report: PartnerReport) -> tuple | None:
    """The one version of a fact-check a poll found, or ``None`` (an error) when the
    partner lists it with different contents and nothing says which one is meant."""
    if len({digest for _, _, digest in versions}) == 1:
        return versions[0]
    # A sitemap can reach one fact-check on its own page and on a listing page: its own
    # page is the one that counts.
    own = [version for version in versions if version[1] == url]
    if own and len({digest for _, _, digest in own}) == 1:
        report.warnings.append(
            f"{url}: listed {len(versions)} times with different content; "
            "imported the version on its own page"
        )
        return own[0]
    report.errors.append(
        f"{url}: listed {len(versions)} times with different content; none imported this "
        "time (the page here stays as it was)"
    )
    return None


def _own_site(channel_url: str) -> str | None:
    """The channel URL a record's URL must share a site with; ``None`` for Google's API."""
    return None if is_google_search(channel_url) else channel_url


def _site_label(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return registrable_domain(host) or host


def _on_own_site(
    record: ClaimReviewRecord, site_url: str, report: PartnerReport
) -> ClaimReviewRecord | None:
    """The record if it is the partner's own fact-check (see the module docstring)."""
    if not same_site(record.url, site_url):
        report.errors.append(
            f"{record.url} is not on the partner's site {_site_label(site_url)}: a channel "
            "imports only its own publisher's fact-checks (a network's shared feed: "
            "manage.py partners set ID --other-publishers)"
        )
        return None
    if record.publisher_url and not same_site(record.publisher_url, site_url):
        report.warnings.append(
            f"{record.url}: the publisher's link {record.publisher_url} is not on the "
            f"partner's site {_site_label(site_url)}; dropped from the credit"
        )
        return dataclasses.replace(record, publisher_url=None)
    return record


def _mark_seen(channel: Channel, unchanged: dict[str, list[str]], now: datetime) -> None:
    """Unchanged fact-checks: seen now, where they were found (a few queries in all)."""
    for page_url, urls in unchanged.items():
        for start in range(0, len(urls), 500):
            PartnerFactCheck.objects.filter(
                channel=channel, original_url__in=urls[start : start + 500]
            ).update(last_seen_at=now, found_at_url=page_url)


@transaction.atomic
def _import_one(
    channel: Channel,
    feed: PartnerFeed,
    record,
    page_url: str,
    now: datetime,
    report: PartnerReport,
) -> None:
    owner = (
        PartnerFactCheck.objects.filter(original_url=record.url)
        .exclude(channel=channel)
        .values_list("channel_id", flat=True)
        .first()
    )
    if owner is not None:
        # One channel owns a review URL: a feed cannot rewrite (or withdraw) what another
        # partner published, whatever URLs it lists.
        report.errors.append(f"{record.url}: already followed through another channel ({owner})")
        return
    digest = record_digest(record)
    state = (
        PartnerFactCheck.objects.select_for_update()
        .filter(channel=channel, original_url=record.url)
        .first()
    )
    page = _page_for(record.url, state)
    unchanged = state is not None and state.record_digest == digest
    if unchanged and page is not None and state.withdrawn_at is None:
        state.last_seen_at = now
        state.found_at_url = page_url
        state.save(update_fields=["last_seen_at", "found_at_url"])
        report.unchanged += 1
        return
    held = page is not None and edited_here(page, state)
    imported = ImportReport()
    claimreview_import(records=[record], report=imported, publish=feed.publish and not held)
    report.warnings.extend(imported.warnings)
    report.errors.extend(imported.errors)
    page = _original_page(record.url)
    if page is None:
        return
    if state is None:
        state = PartnerFactCheck(channel=channel, original_url=record.url, first_seen_at=now)
        report.created += imported.created
        report.updated += imported.updated + imported.unchanged
    elif imported.created or imported.updated:
        report.updated += 1
    else:
        report.unchanged += 1
    if held:
        report.held += 1
        log(
            instance=page,
            action=HELD_ACTION,
            data={"original_url": record.url, "channel": channel.pk},
        )
    state.page = page
    state.record_digest = digest
    state.page_fingerprint = page_fingerprint(page.get_latest_revision_as_object())
    state.last_seen_at = now
    state.found_at_url = page_url
    state.withdrawn_at = None
    state.withdrawn_reason = ""
    state.held_for_review = held or (state.held_for_review and edited_here(page, state))
    state.save()


def _page_for(url: str, state: PartnerFactCheck | None) -> FactCheckPage | None:
    if state is not None and state.page_id:
        page = FactCheckPage.objects.filter(pk=state.page_id).first()
        if page is not None:
            return page
    return _original_page(url)


def _original_page(url: str) -> FactCheckPage | None:
    """The imported page itself, not an automatic script mirror (alias) of it."""
    return (
        FactCheckPage.objects.filter(original_url=url, alias_of__isnull=True).order_by("pk").first()
    )


def _withdraw_gone(
    channel: Channel,
    feed: PartnerFeed,
    poll: PartnerPoll,
    seen: set[str],
    now: datetime,
    report: PartnerReport,
) -> None:
    active = PartnerFactCheck.objects.filter(channel=channel, withdrawn_at__isnull=True)
    gone: list[tuple[PartnerFactCheck, str]] = []
    for state in active.exclude(original_url__in=seen):
        reason = ""
        if state.found_at_url in poll.gone_pages or state.original_url in poll.gone_pages:
            reason = "the partner's page answers 410 Gone"
        elif poll.listed_pages is not None and feed.withdraw_missing:
            if state.found_at_url not in poll.listed_pages:
                reason = "no longer listed by the partner"
            elif state.found_at_url in poll.fetched_pages:
                reason = "no longer in the partner's feed"
        if reason:
            gone.append((state, reason))
    total = active.count()
    if is_mass_withdrawal(len(gone), total):
        # A blanked or truncated feed (a broken partner CMS, or someone who controls its
        # feed for an hour) must not unpublish everything at once: what has been missing
        # for less than the grace period waits for a later poll.
        hours = float(settings.FACTCHECK_PARTNER_WITHDRAWAL_GRACE_HOURS)
        grace = timedelta(hours=hours)
        waiting = [(state, reason) for state, reason in gone if state.last_seen_at > now - grace]
        if waiting:
            report.warnings.append(
                f"the partner's listing dropped {len(gone)} of {total} fact-checks at once; "
                f"{len(waiting)} stay published until they have been missing for {hours:g} hours"
            )
            gone = [item for item in gone if item not in waiting]
    for state, reason in gone:
        partner_withdraw(state=state, reason=reason, now=now)
        report.withdrawn += 1


def is_mass_withdrawal(gone: int, active: int) -> bool:
    """More than one fact-check and more than half of a channel's active ones at once."""
    return gone > 1 and gone * 2 > active


@transaction.atomic
def partner_withdraw(*, state: PartnerFactCheck, reason: str, now: datetime | None = None) -> None:
    """Unpublish the page of a withdrawn partner fact-check, with a note in its history."""
    state.withdrawn_at = now or timezone.now()
    state.withdrawn_reason = reason[:300]
    state.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    page = FactCheckPage.objects.filter(pk=state.page_id).first() if state.page_id else None
    if page is None:
        return
    if page.live:
        page.unpublish(log_action=True)
    for alias in FactCheckPage.objects.filter(alias_of=page, live=True):
        alias.unpublish(log_action=True)  # the script mirror goes with it
    log(
        instance=page,
        action=WITHDRAWN_ACTION,
        data={"original_url": state.original_url, "reason": state.withdrawn_reason},
    )
    logger.info("partner fact-check %s withdrawn: %s", state.original_url, reason)
