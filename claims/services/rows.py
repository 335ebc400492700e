"""The claim row's primitives: lock it, save it (bumping ``version``), log to the audit log.

Queue actions do not call these one by one: ``transitions.claim_transition`` does, in
that order, for every action. They are here, apart, so the counters (``stats``) and the
helper can both use them without importing each other.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import Claim, ClaimStatus
from .errors import ClaimActionError


def log_claim(claim: Claim, action: str, *, user: Any = None, **data: Any) -> None:
    """One entry in Wagtail's audit log (``CLAIM_LOG_ACTIONS`` names the actions)."""
    log(instance=claim, action=action, user=user, data=data)


def lock_claim(pk: int) -> Claim:
    """The claim row, locked (``select_for_update``) until the transaction ends, read fresh."""
    try:
        return Claim.objects.select_for_update().get(pk=pk)
    except Claim.DoesNotExist:
        raise ClaimActionError(_("This claim no longer exists.")) from None


def save_claim(claim: Claim, *fields: str) -> None:
    """Write ``fields`` and bump ``version`` (and keep ``closed_at`` in step with the status)."""
    if "status" in fields:
        # ``closed_at`` starts the retention clock of the claim's tip contacts.
        if claim.status not in Claim.CLOSED_STATUSES:
            claim.closed_at = None
        elif claim.closed_at is None:
            claim.closed_at = timezone.now()
        fields = (*fields, "closed_at")
    claim.version += 1
    claim.save(update_fields=[*dict.fromkeys(fields), "version", "updated"])


def follow_merged(claim: Claim) -> Claim:
    """The claim ``claim`` was (transitively) merged into; ``claim`` itself if it was not."""
    seen: set[int] = set()
    while claim.status == ClaimStatus.MERGED and claim.merged_into_id and claim.pk not in seen:
        seen.add(claim.pk)
        claim = Claim.objects.get(pk=claim.merged_into_id)
    return claim
