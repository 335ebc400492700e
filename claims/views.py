"""Claim page and actions in the admin, the admin home panels, and the public tip form.

Views parse input and call ``claims.services``; a ``ClaimActionError`` (for instance
acting on a claim another editor has just merged) becomes a message, never an error page.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from factcheck.clientip import client_bucket

from . import forms as claim_forms
from . import selectors, services
from .models import Claim, ClaimMatch, ClaimStatus, Tip

# --- Admin: the claim page ----------------------------------------------------------


def _require(request: HttpRequest, perm: str = "claims.change_claim") -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "claims.view_claim")
    claim = selectors.claim_detail(pk=pk)
    if claim is None:
        messages.error(request, _("Claim #%(pk)s no longer exists.") % {"pk": pk})
        return redirect("claims_queue:list")
    sightings = list(claim.sightings.all())
    return TemplateResponse(
        request,
        "claims/admin/claim_detail.html",
        {
            "claim": claim,
            "sightings": sightings,
            "matches": list(claim.matches.all()),
            "notes": list(claim.notes.all()),
            "history": selectors.claim_history(claim=claim)[:50],
            "components": [
                (label, claim.priority_components.get(key, 0))
                for key, label in (
                    ("appearances", _("Appearances")),
                    ("spread", _("Spread across outlets and platforms")),
                    ("engagement", _("Engagement")),
                    ("recency", _("Recency")),
                    ("match", _("Match confidence")),
                )
            ],
            "assign_form": claim_forms.AssignClaimForm(initial={"assignee": claim.assignee_id}),
            "locale_form": claim_forms.StartFactCheckForm(
                initial={"locale": services.claim_locale_code(claim)}
            ),
            "is_open": claim.status in (ClaimStatus.NEW, ClaimStatus.TRIAGED),
            "can_change": request.user.has_perm("claims.change_claim"),
            # Tipsters' contacts are shown to, and erased by, editors only.
            "can_see_contacts": request.user.has_perm("claims.change_tip"),
            "tips": list(claim.tips.all()),
            "statuses": ClaimStatus,
        },
    )


def _match(claim_pk: int, request: HttpRequest) -> ClaimMatch:
    return get_object_or_404(ClaimMatch, pk=request.POST.get("match"), claim_id=claim_pk)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _confirmed_message(request: HttpRequest, claim: Claim) -> None:
    """What a confirm did depends on whether the user may publish the fact-check."""
    if claim.status == ClaimStatus.IN_REVIEW:
        messages.success(
            request,
            _(
                "Match confirmed. You cannot publish this fact-check, so its new appearances "
                "were submitted for review: the claim is in review until an editor publishes it."
            ),
        )
    elif claim.status == ClaimStatus.IN_PROGRESS:
        messages.warning(
            request,
            _(
                "Match confirmed. The new appearances were saved as a draft of the fact-check; "
                "an editor must publish it."
            ),
        )
    else:
        messages.success(
            request,
            _(
                "Match confirmed: the claim is already debunked, and its appearances were added to the fact-check."
            ),
        )


def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST-only endpoint for every button on the claim page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request)
    claim = get_object_or_404(Claim, pk=pk)
    user, version = request.user, _version(request)
    back = redirect("claims_admin:detail", pk=pk)
    try:
        if action == "confirm":
            confirmed = services.claim_confirm_match(
                match=_match(pk, request), user=user, expected_version=version
            )
            _confirmed_message(request, confirmed)
        elif action == "erase_contact":
            # Personal data: editors only (``change_tip``); fact-checkers cannot see it either.
            _require(request, "claims.change_tip")
            tip = get_object_or_404(Tip, pk=request.POST.get("tip"), claim_id=pk)
            services.tip_erase_contact(tip=tip, user=user, reason="request")
            messages.success(request, _("The tipster's contact details were erased."))
        elif action == "reject":
            services.claim_reject_match(
                match=_match(pk, request), user=user, expected_version=version
            )
            messages.success(
                request, _("Match rejected. Thank you: this helps calibrate the matcher.")
            )
        elif action == "merge":
            form = claim_forms.MergeClaimForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Enter the number of an open claim to merge into."))
                return back
            target = services.claim_merge(
                source=claim, target=form.cleaned_data["target"], user=user
            )
            messages.success(request, _("Merged into claim #%(pk)s.") % {"pk": target.pk})
            return redirect("claims_admin:detail", pk=target.pk)
        elif action == "assign":
            form = claim_forms.AssignClaimForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose someone to assign the claim to."))
                return back
            services.claim_assign(
                claim=claim,
                assignee=form.cleaned_data["assignee"],
                user=user,
                expected_version=version,
            )
            messages.success(request, _("Assignment saved."))
        elif action == "priority":
            form = claim_forms.PriorityForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, _("Priority must be a number between 0 and 1000, or empty.")
                )
                return back
            services.claim_set_priority(
                claim=claim, priority=form.cleaned_data["priority"], user=user
            )
            messages.success(request, _("Priority saved."))
        elif action == "dismiss":
            services.claim_dismiss(
                claim=claim,
                reason=request.POST.get("reason", ""),
                user=user,
                expected_version=version,
            )
            messages.success(request, _("Claim dismissed."))
        elif action == "reopen":
            services.claim_reopen(claim=claim, user=user)
            messages.success(request, _("Claim reopened."))
        elif action == "note":
            services.claim_add_note(claim=claim, text=request.POST.get("text", ""), user=user)
            messages.success(request, _("Note added."))
        elif action == "start":
            form = claim_forms.StartFactCheckForm(request.POST)
            locale = form.cleaned_data["locale"] if form.is_valid() else None
            page = services.claim_start_factcheck(claim=claim, user=user, locale_code=locale)
            messages.success(
                request,
                _("Draft fact-check created. Write the verdict, then submit it for review."),
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
        else:
            messages.error(request, _("Unknown action."))
    except services.ClaimActionError as exc:
        messages.error(request, str(exc))
    return back


def claim_add(request: HttpRequest) -> HttpResponse:
    """Manual entry: an editor adds a claim (or a new appearance of a known one)."""
    _require(request, "claims.add_claim")
    form = claim_forms.ManualClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        claim, created = services.claim_open_or_attach(
            text=data["text"],
            language=data["language"],
            claimant=data["claimant"],
            user=request.user,
            sighting=services.SightingData(
                source="manual", url=data["url"], platform=data["platform"], text=data["text"]
            ),
        )
        if created:
            messages.success(request, _("Claim added to the queue."))
        else:
            messages.info(
                request, _("This claim was already in the queue: the appearance was added to it.")
            )
        return redirect("claims_admin:detail", pk=claim.pk)
    return TemplateResponse(request, "claims/admin/claim_add.html", {"form": form})


# --- Admin home panels --------------------------------------------------------------


class ClaimPanel(Component):
    """One admin home panel; ``kind`` picks what it lists."""

    template_name = "claims/admin/home_panel.html"
    TITLES = {
        "status": gettext_lazy("Claim queue by status"),
        "today": gettext_lazy("New claims today"),
        "spreading": gettext_lazy("Spreading fastest this week"),
        "mine": gettext_lazy("My assignments"),
        "impact": gettext_lazy("Debunks matched again this week"),
    }

    def __init__(self, kind: str, *, order: int) -> None:
        self.kind, self.order, self.name = kind, order, f"claims_{kind}"

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        context = {
            "kind": self.kind,
            "title": self.TITLES[self.kind],
            "queue_url": reverse("claims_queue:list"),
        }
        if self.kind == "status":
            counts = selectors.claim_queue_counts()
            context["rows"] = [
                (label, counts[value], value) for value, label in ClaimStatus.choices
            ]
        elif self.kind == "today":
            context["count"], context["claims"] = selectors.claim_list_new_today(now=timezone.now())
        elif self.kind == "spreading":
            context["claims"] = selectors.claim_list_spreading(now=timezone.now())
        elif self.kind == "mine":
            context["claims"] = selectors.claim_list_for_assignee(user=request.user)
        elif self.kind == "impact":
            context["factchecks"] = selectors.factcheck_list_matched_again(now=timezone.now())
        return context


def home_panels() -> list[ClaimPanel]:
    return [ClaimPanel(kind, order=90 + i) for i, kind in enumerate(ClaimPanel.TITLES)]


# --- Public: the tip form -------------------------------------------------------------


def _client_key(request: HttpRequest) -> str:
    ip = client_bucket(request)  # the one rule for every limit: FACTCHECK_TRUSTED_PROXIES
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]


def _rate_limited(request: HttpRequest) -> bool:
    """At most ``FACTCHECK_TIP_RATE_LIMIT`` tips per IP per ``FACTCHECK_TIP_RATE_WINDOW`` s."""
    limit = int(settings.FACTCHECK_TIP_RATE_LIMIT)
    window = int(settings.FACTCHECK_TIP_RATE_WINDOW)
    key = f"claims:tips:{_client_key(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def tip_form(request: HttpRequest) -> HttpResponse:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    form = claim_forms.TipForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            form.add_error(
                None, _("You have sent several tips in a short time. Please try again in an hour.")
            )
            status = 429
        elif form.is_valid():
            if not form.is_spam:
                try:
                    services.tip_submit(
                        text=form.cleaned_data["text"],
                        url=form.cleaned_data["url"],
                        contact=form.cleaned_data["contact"],
                        language=language,
                    )
                except services.ClaimActionError as exc:
                    form.add_error(None, str(exc))
                    return TemplateResponse(
                        request, "pages/tip_form.html", {"form": form}, status=400
                    )
            return TemplateResponse(request, "pages/tip_form.html", {"form": None, "thanks": True})
        else:
            status = 400
    return TemplateResponse(request, "pages/tip_form.html", {"form": form}, status=status)


# --- Admin: outlet track record -------------------------------------------------------


def _months_param(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("months", 12)), 1), 60)
    except (TypeError, ValueError):
        return 12


def outlet_track_record_index(request: HttpRequest) -> HttpResponse:
    """Every outlet with its appearances of claims rated false or misleading, worst first."""
    _require(request, "claims.view_claim")
    months = _months_param(request)
    return TemplateResponse(
        request,
        "claims/admin/outlet_track_record_index.html",
        {
            "rows": selectors.outlet_track_record_summary(months=months),
            "months": months,
            "verdicts": selectors.TRACK_RECORD_VERDICTS,
        },
    )


def outlet_track_record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One outlet's false/misleading appearances per month."""
    from sources.models import Outlet

    _require(request, "claims.view_claim")
    outlet = get_object_or_404(Outlet, pk=pk)
    months = _months_param(request)
    record = selectors.outlet_track_record(outlet=outlet, months=months)
    peak = record["peak"] or 1
    for row in record["months"]:
        row["width"] = round(100 * row["appearances"] / peak)
    return TemplateResponse(
        request,
        "claims/admin/outlet_track_record.html",
        {"record": record, "months": months, "verdicts": selectors.TRACK_RECORD_VERDICTS},
    )
