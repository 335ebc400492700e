"""The claim actions, once: the claim page's buttons and the queue's bulk actions read this table.

Each ``ClaimAction`` names what an editor may do to a claim: its name (the last part of
``/admin/claim-queue/<pk>/<name>/``), its label, the permission it needs, the statuses it is
allowed from (``claims.services.CLAIM_TRANSITIONS``), the form that parses its input and the
service it calls. ``claims.views.claim_action`` and the bulk actions in ``claims.viewsets``
are thin loops over it, so a rule (a permission, a form, a message) has one owner.

``run`` adapts the parsed input to the service call: ``run(claim, user=..., version=...,
data=...)``, where ``data`` is the form's cleaned data (plus the page's other POST fields
on the claim page) and ``version`` the claim's ``version`` the page was rendered with
(None for bulk actions, which act on whatever the claims are now).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import forms as claim_forms
from . import services
from .models import Claim, ClaimMatch, ClaimSighting, ClaimStatus, Tip

Runner = Callable[..., Any]
#: (level, text) of the message shown after the action succeeded.
Message = tuple[int, str]


@dataclass(frozen=True)
class ClaimAction:
    name: str
    label: Promise
    run: Runner
    #: ``CLAIM_TRANSITIONS`` key (the statuses it is allowed from); None: not a transition.
    transition: str | None
    done: Callable[[Any], Message]
    permission: str = "claims.change_claim"
    #: The claim page's form; with ``invalid`` set, an invalid form is refused with it.
    form: type[forms.Form] | None = None
    invalid: Promise | None = None
    #: Where the claim page goes afterwards (a URL); None: back to the claim page.
    next_url: Callable[[Any], str] | None = None
    on_page: bool = True
    #: Bulk action in the queue list: Wagtail's ``action_type``, its form and aria label.
    bulk_type: str = ""
    bulk_form: type[forms.Form] | None = None
    bulk_label: Promise | None = None

    @property
    def statuses(self) -> frozenset[str]:
        if self.transition is None:
            return frozenset(ClaimStatus)
        return services.CLAIM_TRANSITIONS[self.transition]


def _success(text: Promise) -> Callable[[Any], Message]:
    return lambda _result: (messages.SUCCESS, str(text))


def _match(claim: Claim, data: Mapping[str, Any]) -> ClaimMatch:
    return get_object_or_404(ClaimMatch, pk=data.get("match"), claim_id=claim.pk)


def _confirmed(claim: Claim) -> Message:
    """What a confirm did depends on whether the user may publish the fact-check."""
    if claim.status == ClaimStatus.IN_REVIEW:
        return messages.SUCCESS, _(
            "Match confirmed. You cannot publish this fact-check, so its new appearances "
            "were submitted for review: the claim is in review until an editor publishes it."
        )
    if claim.status == ClaimStatus.IN_PROGRESS:
        return messages.WARNING, _(
            "Match confirmed. The new appearances were saved as a draft of the fact-check; "
            "an editor must publish it."
        )
    return messages.SUCCESS, _(
        "Match confirmed: the claim is already debunked, and its appearances were added to the fact-check."
    )


def _merged(target: Claim) -> Message:
    return messages.SUCCESS, _("Merged into claim #%(pk)s.") % {"pk": target.pk}


def _sighting(claim: Claim, data: Mapping[str, Any]) -> ClaimSighting:
    value = str(data.get("sighting", ""))
    return get_object_or_404(
        ClaimSighting, pk=int(value) if value.isdigit() else 0, claim_id=claim.pk
    )


def _split(new: Claim) -> Message:
    return messages.SUCCESS, _(
        "The appearance is now claim #%(pk)s of its own; it will not be joined to the other "
        "claim automatically again."
    ) % {"pk": new.pk}


def _erase_contact(claim: Claim, *, user: Any, version: int | None, data: Mapping) -> Tip:
    # Personal data: editors only (``change_tip``); fact-checkers cannot see it either.
    tip = get_object_or_404(Tip, pk=data.get("tip"), claim_id=claim.pk)
    return services.tip_erase_contact(tip=tip, user=user, reason="request")


_ACTIONS = (
    ClaimAction(
        name="confirm",
        label=gettext_lazy("Confirm: already debunked"),
        transition="confirm_match",
        run=lambda claim, *, user, version, data: services.claim_confirm_match(
            match=_match(claim, data), user=user, expected_version=version
        ),
        done=_confirmed,
    ),
    ClaimAction(
        name="reject",
        label=gettext_lazy("Reject"),
        transition="reject_match",
        run=lambda claim, *, user, version, data: services.claim_reject_match(
            match=_match(claim, data), user=user, expected_version=version
        ),
        done=_success(gettext_lazy("Match rejected. Thank you: this helps calibrate the matcher.")),
    ),
    ClaimAction(
        name="mark_debunked",
        label=gettext_lazy("Already debunked"),
        transition="confirm_match",
        run=lambda claim, *, user, version, data: services.claim_mark_debunked(
            claim=claim, factcheck=data["factcheck"], user=user, expected_version=version
        ),
        done=_confirmed,
        on_page=False,
        bulk_type="mark_debunked_claims",
        bulk_form=claim_forms.DebunkedForm,
        bulk_label=gettext_lazy("Mark the selected claims as already debunked"),
    ),
    ClaimAction(
        name="merge",
        label=gettext_lazy("Merge"),
        transition="merge_source",
        form=claim_forms.MergeClaimForm,
        invalid=gettext_lazy("Enter the number of an open claim to merge into."),
        run=lambda claim, *, user, version, data: services.claim_merge(
            source=claim, target=data["target"], user=user, expected_version=version
        ),
        done=_merged,
        next_url=lambda target: reverse("claims_admin:detail", args=[target.pk]),
    ),
    ClaimAction(
        name="assign",
        label=gettext_lazy("Assign"),
        transition="assign",
        form=claim_forms.AssignClaimForm,
        invalid=gettext_lazy("Choose someone to assign the claim to."),
        run=lambda claim, *, user, version, data: services.claim_assign(
            claim=claim, assignee=data["assignee"], user=user, expected_version=version
        ),
        done=_success(gettext_lazy("Assignment saved.")),
        bulk_type="assign_claims",
        bulk_form=claim_forms.AssignForm,
        bulk_label=gettext_lazy("Assign the selected claims"),
    ),
    ClaimAction(
        name="priority",
        label=gettext_lazy("Save priority"),
        transition="set_priority",
        form=claim_forms.PriorityForm,
        invalid=gettext_lazy("Priority must be a number between 0 and 1000, or empty."),
        run=lambda claim, *, user, version, data: services.claim_set_priority(
            claim=claim, priority=data["priority"], user=user, expected_version=version
        ),
        done=_success(gettext_lazy("Priority saved.")),
    ),
    ClaimAction(
        name="dismiss",
        label=gettext_lazy("Dismiss"),
        transition="dismiss",
        # No form: the service says what a missing reason is wrong with.
        run=lambda claim, *, user, version, data: services.claim_dismiss(
            claim=claim, reason=data.get("reason", ""), user=user, expected_version=version
        ),
        done=_success(gettext_lazy("Claim dismissed.")),
        bulk_type="dismiss_claims",
        bulk_form=claim_forms.DismissForm,
        bulk_label=gettext_lazy("Dismiss the selected claims"),
    ),
    ClaimAction(
        name="reopen",
        label=gettext_lazy("Reopen"),
        transition="reopen",
        run=lambda claim, *, user, version, data: services.claim_reopen(
            claim=claim, user=user, expected_version=version
        ),
        done=_success(gettext_lazy("Claim reopened.")),
    ),
    ClaimAction(
        name="note",
        label=gettext_lazy("Add note"),
        transition="add_note",
        run=lambda claim, *, user, version, data: services.claim_add_note(
            claim=claim, text=data.get("text", ""), user=user, expected_version=version
        ),
        done=_success(gettext_lazy("Note added.")),
    ),
    ClaimAction(
        name="start",
        label=gettext_lazy("Start a fact-check"),
        transition="start_factcheck",
        # An invalid locale is not an error: the claim's own language is used.
        form=claim_forms.StartFactCheckForm,
        run=lambda claim, *, user, version, data: services.claim_start_factcheck(
            claim=claim, user=user, locale_code=data.get("locale"), expected_version=version
        ),
        done=_success(
            gettext_lazy("Draft fact-check created. Write the verdict, then submit it for review.")
        ),
        next_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
    ),
    ClaimAction(
        name="split",
        label=gettext_lazy("Split off into a new claim"),
        transition="split",
        run=lambda claim, *, user, version, data: services.claim_split_sighting(
            claim=claim, sighting=_sighting(claim, data), user=user, expected_version=version
        ),
        done=_split,  # back to this claim: the editor may split more
    ),
    ClaimAction(
        name="erase_contact",
        label=gettext_lazy("Erase contact"),
        transition=None,
        permission="claims.change_tip",
        run=_erase_contact,
        done=_success(gettext_lazy("The tipster's contact details were erased.")),
    ),
)

#: name -> action, in the order above.
CLAIM_ACTIONS: dict[str, ClaimAction] = {action.name: action for action in _ACTIONS}
