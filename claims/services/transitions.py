"""The one way a queue action changes a claim: lock -> check -> mutate -> save -> log.

Every queue action (``queue``, ``intake``) runs inside ``claim_transition``::

    with claim_transition(claim_id=pk, action="dismiss", user=user,
                          expected_version=version) as change:
        change.set(status=ClaimStatus.DISMISSED, dismiss_reason=reason)
        change.log(reason=reason)

1. **lock**: the claim row is locked (``select_for_update``) inside a transaction and
   read fresh, so two editors acting at once serialise and the second sees the first
   one's result;
2. **check**: a merged claim raises ``ClaimMergedError``; a stale ``expected_version``
   (the ``version`` the editor's page was rendered with) raises ``ClaimConflictError``; a
   status the action is not allowed from (``CLAIM_TRANSITIONS``) raises
   ``ClaimActionError``;
3. **mutate**: the body sets fields through ``change.set`` (and may ask for the counters
   to be recomputed with ``change.stats()``);
4. **save**: one ``save(update_fields=...)`` that bumps ``version`` by exactly one;
5. **log**: exactly one audit-log entry, ``claims.<action>`` unless named otherwise.

An exception in the body rolls everything back. ``change.cancel()`` ends an action that
turned out to have nothing to do (an idempotent repeat): no save, no entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Claim, ClaimStatus
from .errors import ClaimActionError, ClaimConflictError, ClaimMergedError
from .rows import lock_claim, log_claim, save_claim
from .stats import claim_stats_update

#: Audit-log actions: (label, message) for Wagtail's log viewer.
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
    "claims.split": ("Split", "An appearance was split off into a new claim"),
    "claims.split_off": ("Split off", "Opened from an appearance split off another claim"),
}

_S = ClaimStatus
ANY_BUT_MERGED = frozenset(_S) - {_S.MERGED}
#: Statuses in which the claim is still being worked on, and follows its fact-check.
FOLLOWS_FACTCHECK = frozenset({_S.NEW, _S.TRIAGED, _S.IN_PROGRESS, _S.IN_REVIEW})
#: Claims with a fact-check this far along keep it when another claim is merged in.
ADVANCED = frozenset({_S.IN_PROGRESS, _S.IN_REVIEW, _S.PUBLISHED, _S.ALREADY_DEBUNKED})

#: action -> the statuses it is allowed from (a merged claim is never acted on).
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    "assign": ANY_BUT_MERGED,
    "set_priority": ANY_BUT_MERGED,
    "add_note": ANY_BUT_MERGED,
    "add_sighting": ANY_BUT_MERGED,
    "suggest": ANY_BUT_MERGED,
    "reject_match": ANY_BUT_MERGED,
    "confirm_match": frozenset({_S.NEW, _S.TRIAGED, _S.IN_PROGRESS}),
    "dismiss": frozenset({_S.NEW, _S.TRIAGED, _S.IN_PROGRESS}),
    "reopen": frozenset({_S.DISMISSED}),
    "start_factcheck": frozenset({_S.NEW, _S.TRIAGED}),
    "follow_factcheck": FOLLOWS_FACTCHECK,
    "merge_source": frozenset({_S.NEW, _S.TRIAGED, _S.DISMISSED, _S.ALREADY_DEBUNKED}),
    "merge_target": ANY_BUT_MERGED,
    # An appearance that joined the wrong claim can be split off whatever the claim's state.
    "split": ANY_BUT_MERGED,
}


def check_claim(claim: Claim, action: str, *, expected_version: int | None = None) -> None:
    """Raise unless ``action`` may happen to ``claim`` as it is now (see the module doc)."""
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


class ClaimChange:
    """The locked claim an action works on, and what the action did to it."""

    def __init__(self, claim: Claim, *, log_action: str) -> None:
        self.claim = claim
        self.log_action = log_action
        self.fields: list[str] = []
        self.data: dict[str, Any] = {}
        self.refresh_stats = False
        self.cancelled = False

    def set(self, **values: Any) -> None:
        """Set fields on the claim; they are saved when the action ends."""
        for name, value in values.items():
            setattr(self.claim, name, value)
            field = Claim._meta.get_field(name).name  # ``factcheck_id`` -> ``factcheck``
            if field not in self.fields:
                self.fields.append(field)

    def stats(self) -> None:
        """Recompute the counters and the priority (``claim_stats_update``) before saving."""
        self.refresh_stats = True

    def log(self, **data: Any) -> None:
        """Data for the action's audit-log entry."""
        self.data.update(data)

    def reread(self) -> Claim:
        """Read the (still locked) row again, after work that may have changed it.

        Only before ``set``: what was set is not kept.
        """
        if self.fields:
            raise RuntimeError("reread() after set() would lose the fields set")
        self.claim = lock_claim(self.claim.pk)
        return self.claim

    def cancel(self) -> None:
        """Nothing to do after all: no save, no version bump, no audit-log entry."""
        self.cancelled = True


def _lock_following_merges(pk: int) -> Claim:
    claim = lock_claim(pk)
    seen: set[int] = set()
    while claim.status == ClaimStatus.MERGED and claim.merged_into_id and claim.pk not in seen:
        seen.add(claim.pk)
        claim = lock_claim(claim.merged_into_id)
    return claim


@contextmanager
def claim_transition(
    *,
    claim_id: int,
    action: str,
    user: Any = None,
    expected_version: int | None = None,
    log_action: str | None = None,
    follow_merged: bool = False,
) -> Iterator[ClaimChange]:
    """Lock, check, let the body mutate, save (``version`` + 1) and log one entry.

    ``follow_merged``: act on the claim a merged claim was merged into (a new sighting of
    a merged claim belongs to its target) instead of refusing.
    """
    with transaction.atomic():
        claim = _lock_following_merges(claim_id) if follow_merged else lock_claim(claim_id)
        check_claim(claim, action, expected_version=expected_version)
        change = ClaimChange(claim, log_action=log_action or f"claims.{action}")
        yield change
        if change.cancelled:
            return
        fields = list(change.fields)
        if change.refresh_stats:
            fields.extend(claim_stats_update(change.claim))
        save_claim(change.claim, *fields)
        log_claim(change.claim, change.log_action, user=user, **change.data)
