"""The queue actions editors take on a claim. Each runs in ``claim_transition``.

Every action takes ``expected_version``: the ``version`` the editor's page showed. If the
claim changed since, the action raises ``ClaimConflictError`` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from ..indexing import claim_vectors_update_on_commit
from ..models import (
    Claim,
    ClaimAppearance,
    ClaimMatch,
    ClaimNote,
    ClaimStatus,
    FactCheckPage,
    MatchState,
)
from .appearances import (
    AppearanceOutcome,
    appearances_of,
    factcheck_add_appearances,
    lock_factcheck,
)
from .errors import ClaimActionError
from .rows import lock_claim
from .site import index_for
from .transitions import ADVANCED, FOLLOWS_FACTCHECK, check_claim, claim_transition


def claim_confirm_match(
    *, match: ClaimMatch, user: Any = None, expected_version: int | None = None
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
        lock_factcheck(match.factcheck_id)
        with claim_transition(
            claim_id=match.claim_id, action="confirm_match", user=user,
            expected_version=expected_version,
        ) as change:  # fmt: skip
            match = ClaimMatch.objects.select_for_update().get(pk=match.pk)
            if match.state == MatchState.CONFIRMED:
                raise ClaimActionError(_("This match is already confirmed."))
            match.state, match.decided_by = MatchState.CONFIRMED, user
            match.decided_at = timezone.now()
            match.save(update_fields=["state", "decided_by", "decided_at"])
            update = factcheck_add_appearances(
                page=match.factcheck, appearances=appearances_of(change.claim), user=user
            )
            # Publishing or submitting the page may have moved claims linked to it: re-read.
            change.reread()
            if update.outcome == AppearanceOutcome.SUBMITTED:
                status = ClaimStatus.IN_REVIEW
            elif update.outcome == AppearanceOutcome.SAVED and match.factcheck.live:
                status = ClaimStatus.IN_PROGRESS
            else:
                status = ClaimStatus.ALREADY_DEBUNKED
            change.set(status=status, factcheck_id=match.factcheck_id)
            change.stats()
            change.log(
                factcheck=match.factcheck_id,
                score=match.score,
                appearances_added=update.added,
                factcheck_revision=update.outcome,
            )
    return change.claim


def claim_reject_match(
    *, match: ClaimMatch, user: Any = None, expected_version: int | None = None
) -> ClaimMatch:
    """The suggested fact-check does not answer this claim (kept as calibration data)."""
    with claim_transition(
        claim_id=match.claim_id, action="reject_match", user=user,
        expected_version=expected_version,
    ) as change:  # fmt: skip
        match = ClaimMatch.objects.select_for_update().get(pk=match.pk)
        if match.state != MatchState.SUGGESTED:
            raise ClaimActionError(
                _("This match was already %(state)s.")
                % {"state": match.get_state_display().lower()}
            )
        match.state, match.decided_by = MatchState.REJECTED, user
        match.decided_at = timezone.now()
        match.save(update_fields=["state", "decided_by", "decided_at"])
        change.stats()
        change.log(factcheck=match.factcheck_id, score=match.score)
    return match


def claim_mark_debunked(
    *, claim: Claim, factcheck: FactCheckPage, user: Any = None,
    expected_version: int | None = None,
) -> Claim:  # fmt: skip
    """An editor names the fact-check that already answers the claim (no suggestion needed).

    Same rules as ``claim_confirm_match`` (locks, who publishes), which it ends in.
    """
    with transaction.atomic():
        lock_factcheck(factcheck.pk)
        check_claim(lock_claim(claim.pk), "confirm_match", expected_version=expected_version)
        match, _created = ClaimMatch.objects.get_or_create(
            claim_id=claim.pk,
            factcheck=factcheck,
            defaults={"score": 1.0, "method": "editor", "is_match": True},
        )
        if match.state == MatchState.REJECTED:
            match.state = MatchState.SUGGESTED
            match.save(update_fields=["state"])
        return claim_confirm_match(match=match, user=user, expected_version=expected_version)


def claim_merge(
    *, source: Claim, target: Claim, user: Any = None, expected_version: int | None = None
) -> Claim:
    """Merge ``source`` into ``target``: sightings, suggestions, notes and tips move over.

    Both rows are locked in primary-key order (so two editors merging A->B and B->A at
    once cannot deadlock, and exactly one of them wins). A claim that is already being
    fact-checked or published cannot be merged away; merge the other one into it.
    ``expected_version`` is the source's (the claim page the merge was asked from).
    """
    if source.pk == target.pk:
        raise ClaimActionError(_("A claim cannot be merged into itself."))
    with transaction.atomic():
        pks = [source.pk, target.pk]
        locked = Claim.objects.select_for_update().filter(pk__in=pks).order_by("pk")
        if len(list(locked.values_list("pk", flat=True))) != 2:
            raise ClaimActionError(_("One of these claims no longer exists."))
        with (
            claim_transition(
                claim_id=source.pk, action="merge_source", log_action="claims.merge",
                user=user, expected_version=expected_version,
            ) as merged,
            claim_transition(
                claim_id=target.pk, action="merge_target", log_action="claims.absorb", user=user
            ) as into,
        ):  # fmt: skip
            source, target = merged.claim, into.claim
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
            if target.status not in ADVANCED and source.status in ADVANCED:
                into.set(status=source.status, factcheck_id=source.factcheck_id)
            into.set(
                first_seen=min(target.first_seen, source.first_seen),
                assignee_id=target.assignee_id or source.assignee_id,
            )
            into.stats()
            into.log(merged=source.pk)
            merged.set(status=ClaimStatus.MERGED, merged_into=target)
            merged.log(into=target.pk)
        # The merged claim leaves the claim vector index once this commits (never if it
        # rolls back); until then ``claim_find_join`` skips it anyway.
        claim_vectors_update_on_commit(claim_ids=[source.pk])
    return into.claim


def claim_assign(
    *, claim: Claim, assignee: Any, user: Any = None, expected_version: int | None = None
) -> Claim:
    """Give the claim to a fact-checker (None unassigns); they get an email."""
    with claim_transition(
        claim_id=claim.pk, action="assign", user=user, expected_version=expected_version
    ) as change:
        previous = change.claim.assignee_id
        change.set(assignee=assignee)
        if change.claim.status == ClaimStatus.NEW and assignee is not None:
            change.set(status=ClaimStatus.TRIAGED)
        change.log(assignee=assignee.get_username() if assignee else None)
        if assignee is not None and assignee.pk != previous and getattr(assignee, "email", ""):
            from ..emails import send_assignment_email

            claim_id, assignee_id, user_id = claim.pk, assignee.pk, getattr(user, "pk", None)
            transaction.on_commit(
                lambda: send_assignment_email(
                    claim_id=claim_id, assignee_id=assignee_id, assigned_by_id=user_id
                )
            )
    return change.claim


def claim_set_priority(
    *, claim: Claim, priority: float | None, user: Any = None,
    expected_version: int | None = None,
) -> Claim:  # fmt: skip
    """Override the computed priority (None returns to the computed score)."""
    with claim_transition(
        claim_id=claim.pk, action="set_priority", user=user, expected_version=expected_version
    ) as change:
        change.set(priority_override=priority)
        change.stats()
        change.log(priority=priority)
    return change.claim


def claim_dismiss(
    *, claim: Claim, reason: str, user: Any = None, expected_version: int | None = None
) -> Claim:
    """Take the claim off the queue; the reason is required and shown on the claim."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ClaimActionError(_("Give a reason for dismissing the claim."))
    with claim_transition(
        claim_id=claim.pk, action="dismiss", user=user, expected_version=expected_version
    ) as change:
        change.set(status=ClaimStatus.DISMISSED, dismiss_reason=reason)
        change.log(reason=reason)
    return change.claim


def claim_reopen(*, claim: Claim, user: Any = None, expected_version: int | None = None) -> Claim:
    """Put a dismissed claim back on the queue (triaged)."""
    with claim_transition(
        claim_id=claim.pk, action="reopen", user=user, expected_version=expected_version
    ) as change:
        change.set(status=ClaimStatus.TRIAGED, dismiss_reason="")
    return change.claim


def claim_add_note(
    *, claim: Claim, text: str, user: Any = None, expected_version: int | None = None
) -> ClaimNote:
    """An internal note on the claim, for the other editors."""
    text = (text or "").strip()
    if not text:
        raise ClaimActionError(_("A note cannot be empty."))
    with claim_transition(
        claim_id=claim.pk, action="add_note", user=user, expected_version=expected_version
    ) as change:
        note = ClaimNote.objects.create(claim=change.claim, author=user, text=text[:10_000])
        change.log(note=note.pk)
    return note


def claim_locale_code(*, claim: Claim) -> str:
    """The site locale a fact-check of this claim is written in."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (claim.language or "").lower()
    if language in codes:
        return language
    if language.split("-")[0] in codes:
        return language.split("-")[0]
    return settings.LANGUAGE_CODE


def claim_start_factcheck(
    *, claim: Claim, user: Any = None, locale_code: str | None = None,
    expected_version: int | None = None,
) -> FactCheckPage:  # fmt: skip
    """Create a draft fact-check for the claim in its locale, prefilled and linked back."""
    with claim_transition(
        claim_id=claim.pk, action="start_factcheck", user=user, expected_version=expected_version
    ) as change:
        claim = change.claim
        code = locale_code or claim_locale_code(claim=claim)
        page = _draft_factcheck(claim, locale_code=code, user=user)
        change.set(factcheck=page, status=ClaimStatus.IN_PROGRESS, assignee=claim.assignee or user)
        change.log(factcheck=page.pk, locale=code)
    return page


def _draft_factcheck(claim: Claim, *, locale_code: str, user: Any) -> FactCheckPage:
    index = index_for(locale_code=locale_code)
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
        for i, a in enumerate(appearances_of(claim))
    ]
    # A draft: the verdict and summary are for the fact-checker to write, so the
    # required-field checks of a publishable page do not apply yet.
    page.full_clean = lambda *args, **kwargs: None
    index.add_child(instance=page)
    del page.full_clean
    page.save_revision(user=user, log_action=True, clean=False)
    return page


def claim_follow_factcheck(*, page: Page, status: str) -> int:
    """Claims worked on through ``page`` take ``status`` (published / in review). Returns count.

    A claim with a confirmed match to the page becomes already debunked on publication
    (a fact-checker's confirm, approved now: an earlier debunk).
    """
    page_ids = {page.pk}
    if getattr(page, "alias_of_id", None):
        page_ids.add(page.alias_of_id)
    changed = 0
    with transaction.atomic():
        pks = list(
            Claim.objects.select_for_update()
            .filter(factcheck_id__in=page_ids, status__in=FOLLOWS_FACTCHECK)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in pks:
            with claim_transition(claim_id=pk, action="follow_factcheck") as change:
                target = status
                if (
                    status == ClaimStatus.PUBLISHED
                    and change.claim.matches.filter(
                        factcheck_id__in=page_ids, state=MatchState.CONFIRMED
                    ).exists()
                ):
                    target = ClaimStatus.ALREADY_DEBUNKED
                if change.claim.status == target:
                    change.cancel()
                else:
                    change.set(status=target)
                    change.log(status=target, factcheck=page.pk)
            changed += not change.cancelled
    return changed
