"""The editors' claim queue in the Wagtail admin: list, filters and bulk actions.

The list is a ``SnippetViewSet`` (Wagtail's ``ModelViewSet`` with bulk actions). It
never edits a claim through a model form: "edit" and "add" lead to the claim page and
the manual-entry form in ``claims.views``, whose actions call ``claims.services``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView, SnippetViewSet

from sources.models import Channel, Outlet
from sources.models import Country as OutletCountry

from . import services
from .actions import CLAIM_ACTIONS, ClaimAction
from .models import Claim, ClaimSighting, ClaimStatus, Platform
from .selectors.queue import claim_best_suggestion, claim_list_suggestions_prefetch

COMPONENT_LABELS = {
    "appearances": _("appearances"),
    "spread": _("spread"),
    "engagement": _("engagement"),
    "recency": _("recency"),
    "match": _("match"),
}


def _staff(request=None):
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


def _sighting_filter(**lookup):
    return Exists(ClaimSighting.objects.filter(claim=OuterRef("pk"), **lookup))


class ClaimFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ClaimStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    language = django_filters.CharFilter(label=_("Language code"))
    country = django_filters.ChoiceFilter(choices=OutletCountry.choices)
    outlet = django_filters.ModelChoiceFilter(
        queryset=Outlet.objects.all(), method="filter_outlet", label=_("Outlet")
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=Channel.objects.all(), method="filter_channel", label=_("Channel")
    )
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices, method="filter_platform", label=_("Platform")
    )
    has_suggested_match = django_filters.BooleanFilter(label=_("Has a suggested match"))
    assignee = django_filters.ModelChoiceFilter(queryset=_staff, label=_("Assignee"))
    last_seen = django_filters.DateFromToRangeFilter(
        label=_("Last seen"), widget=DateRangePickerWidget
    )
    first_seen = django_filters.DateFromToRangeFilter(
        label=_("First seen"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_outlet(self, queryset, name, value):
        return queryset.filter(_sighting_filter(outlet=value)) if value else queryset

    def filter_channel(self, queryset, name, value):
        return queryset.filter(_sighting_filter(channel=value)) if value else queryset

    def filter_platform(self, queryset, name, value):
        return queryset.filter(_sighting_filter(platform=value)) if value else queryset


def priority_breakdown(claim: Claim) -> str:
    parts = " · ".join(
        f"{COMPONENT_LABELS.get(k, k)} {v:g}" for k, v in (claim.priority_components or {}).items()
    )
    if claim.priority_override is not None:
        parts = _("set by an editor")
    return format_html("<strong>{}</strong><br><small>{}</small>", f"{claim.priority:g}", parts)


def best_suggestion(claim: Claim) -> str:
    """The best stored suggestion: fact-check title, verdict, score and how sure it is.

    "Likely match" when the calibrated decision (``is_match``) fired for it, "possible"
    otherwise; an em dash only when the claim has no suggestion at all.
    """
    match = claim_best_suggestion(claim)
    if match is None:
        return "—"
    page = match.factcheck
    verdict = page.rating.label if page.rating_id and page.rating else ""
    likely = match.is_match or match.state == "confirmed"
    return format_html(
        '<span class="claim-suggestion">{}</span><br><small>{}{}{}</small> '
        '<span class="w-status{}">{}</span>',
        page.title,
        verdict,
        " · " if verdict else "",
        f"{match.score:.2f}",
        " w-status--primary" if likely else "",
        _("likely match") if likely else _("possible"),
    )


class ClaimIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("assignee")
            .prefetch_related(claim_list_suggestions_prefetch())
        )


class ClaimEditView(EditView):
    """Claims change through services only: "edit" opens the claim page."""

    def dispatch(self, request, *args, **kwargs):
        return redirect("claims_admin:detail", pk=kwargs["pk"])


class ClaimCreateView(CreateView):
    def dispatch(self, request, *args, **kwargs):
        return redirect("claims_admin:add")


class ClaimQueueViewSet(SnippetViewSet):
    model = Claim
    icon = "warning"
    menu_label = _("Claim queue")
    menu_name = "claim-queue"
    menu_order = 150
    add_to_admin_menu = True
    url_prefix = "claims/queue"
    admin_url_namespace = "claims_queue"
    index_view_class = ClaimIndexView
    edit_view_class = ClaimEditView
    add_view_class = ClaimCreateView
    filterset_class = ClaimFilterSet
    ordering = ["-priority", "-last_seen"]
    list_per_page = 50
    search_fields = None
    form_fields = ["text"]
    inspect_view_enabled = False
    list_display = [
        TitleColumn(
            "text",
            label=_("Claim"),
            get_url=lambda claim: reverse("claims_admin:detail", args=[claim.pk]),
        ),
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            primary=lambda c: c.status in (ClaimStatus.NEW, ClaimStatus.TRIAGED),
        ),
        Column("priority", label=_("Priority"), accessor=priority_breakdown, sort_key="priority"),
        Column("sighting_count", label=_("Seen"), sort_key="sighting_count"),
        Column("outlet_count", label=_("Outlets")),
        Column("engagement_total", label=_("Engagement"), sort_key="engagement_total"),
        Column(
            "best_match_score",
            label=_("Suggested match"),
            accessor=best_suggestion,
        ),
        Column("language", label=_("Language")),
        Column("assignee", label=_("Assignee")),
        DateColumn("last_seen", label=_("Last seen"), sort_key="last_seen"),
    ]


# --- Bulk actions: the rows of ``claims.actions`` with a ``bulk_type`` ---------------


class ClaimBulkAction(SnippetBulkAction):
    """A bulk action driven by one ``ClaimAction``: its label, form, permission and service."""

    models = [Claim]
    template_name = "claims/admin/bulk_action_confirm.html"
    action_priority = 20
    claim_action: ClaimAction

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        action = cls.claim_action
        cls.display_name = action.label
        cls.action_type = action.bulk_type
        cls.aria_label = action.bulk_label or action.label
        cls.form_class = action.bulk_form

    def check_perm(self, obj) -> bool:
        return self.request.user.has_perm(self.claim_action.permission)

    def get_execution_context(self) -> dict:
        return {
            "user": self.request.user,
            "request": self.request,
            **self.cleaned_form.cleaned_data,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        return context

    @classmethod
    def execute_action(cls, objects, user=None, request=None, **kwargs):
        done, waiting = 0, 0
        for claim in objects:
            try:
                result = cls.claim_action.run(claim, user=user, version=None, data=kwargs)
            except services.ClaimActionError as exc:
                if request is not None:
                    messages.warning(request, f"#{claim.pk}: {exc}")
                continue
            done += 1
            waiting += cls.waits_for_review(result)
        if waiting and request is not None:
            messages.info(
                request,
                _(
                    "You cannot publish this fact-check: the new appearances of %(count)d "
                    "claim(s) were submitted for review, and those claims are in review until "
                    "an editor publishes it."
                )
                % {"count": waiting},
            )
        return done, 0

    @classmethod
    def waits_for_review(cls, result) -> bool:
        return False

    def get_success_message(self, num_parent_objects, num_child_objects):
        return _("%(action)s: %(count)d claim(s).") % {
            "action": self.display_name,
            "count": num_parent_objects,
        }


class AssignBulkAction(ClaimBulkAction):
    claim_action = CLAIM_ACTIONS["assign"]


class DismissBulkAction(ClaimBulkAction):
    claim_action = CLAIM_ACTIONS["dismiss"]


class MarkDebunkedBulkAction(ClaimBulkAction):
    """Like "Confirm" on each claim: an editor publishes the appearances, a fact-checker's
    go to the fact-check's review workflow and the claims wait in review."""

    claim_action = CLAIM_ACTIONS["mark_debunked"]

    @classmethod
    def waits_for_review(cls, result) -> bool:
        return result.status != ClaimStatus.ALREADY_DEBUNKED


BULK_ACTIONS = (AssignBulkAction, DismissBulkAction, MarkDebunkedBulkAction)
