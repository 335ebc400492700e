"""Claim page and actions in the admin, the admin home panels, and the public tip form.

Views parse input and call ``claims.services``; a ``ClaimActionError`` (for instance
acting on a claim another editor has just merged) becomes a message, never an error page.
"""

from __future__ import annotations

import hashlib
from typing import Any

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
from .actions import CLAIM_ACTIONS
from .models import Claim, ClaimStatus

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
                initial={"locale": services.claim_locale_code(claim=claim)}
            ),
            "is_open": claim.status in (ClaimStatus.NEW, ClaimStatus.TRIAGED),
            "can_change": request.user.has_perm("claims.change_claim"),
            # Tipsters' contacts are shown to, and erased by, editors only.
            "can_see_contacts": request.user.has_perm("claims.change_tip"),
            "tips": list(claim.tips.all()),
            "statuses": ClaimStatus,
        },
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST-only endpoint for every button on the claim page (``claims.actions``' table)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request)
    claim = get_object_or_404(Claim, pk=pk)
    back = redirect("claims_admin:detail", pk=pk)
    spec = CLAIM_ACTIONS.get(action)
    if spec is None or not spec.on_page:
        messages.error(request, _("Unknown action."))
        return back
    _require(request, spec.permission)
    data: dict[str, Any] = request.POST.dict()
    if spec.form is not None:
        form = spec.form(request.POST)
        valid = form.is_valid()
        if not valid and spec.invalid is not None:
            messages.error(request, str(spec.invalid))
            return back
        data = {k: v for k, v in data.items() if k not in form.fields}
        data.update(form.cleaned_data if valid else {})
    try:
        result = spec.run(claim, user=request.user, version=_version(request), data=data)
    except services.ClaimActionError as exc:
        messages.error(request, str(exc))
        return back
    level, text = spec.done(result)
    messages.add_message(request, level, text)
    return redirect(spec.next_url(result)) if spec.next_url else back


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
