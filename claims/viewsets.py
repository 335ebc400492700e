"""The editors' claim queue in the Wagtail admin: list, filters and bulk actions.

The list is a ``SnippetViewSet`` (Wagtail's ``ModelViewSet`` with bulk actions). It
never edits a claim through a model form: "edit" and "add" lead to the claim page and
the manual-entry form in ``claims.views``, whose actions call ``claims.services``.
"""

from __future__ import annotations

from functools import lru_cache

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.utils import flatatt
from django.shortcuts import redirect
from django.templatetags.l10n import unlocalize
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.formats import date_format, get_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.templatetags.wagtailadmin_tags import admin_urlquote, timesince_simple
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
    Table,
    TitleColumn,
)
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView, SnippetViewSet

from sources.models import Country as OutletCountry

from . import services
from .actions import CLAIM_ACTIONS, ClaimAction
from .models import Claim, ClaimSighting, ClaimStatus, Platform
from .queue_choosers import QueueChooserFilter, QueueChooserSearchView
from .selectors.queue import (
    claim_best_suggestion,
    claim_count_estimate,
    claim_list_suggestions_prefetch,
)

COMPONENT_LABELS = {
    "appearances": _("appearances"),
    "spread": _("spread"),
    "engagement": _("engagement"),
    "recency": _("recency"),
    "match": _("match"),
}


def _sighting_filter(**lookup):
    return Exists(ClaimSighting.objects.filter(claim=OuterRef("pk"), **lookup))


class ClaimFilterSet(WagtailFilterSet):
    # A column of the claim: no join, so no DISTINCT (django-filter's default for
    # multiple choices), which made PostgreSQL sort every matching row, all columns.
    status = django_filters.MultipleChoiceFilter(
        choices=ClaimStatus.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    language = django_filters.CharFilter(label=_("Language code"))
    country = django_filters.ChoiceFilter(choices=OutletCountry.choices)
    # Outlet, channel and assignee are chosen by id with an autocomplete
    # (claims/queue_choosers.py): the page never lists every one of them.
    outlet = QueueChooserFilter(kind="outlet", method="filter_outlet", label=_("Outlet"))
    channel = QueueChooserFilter(kind="channel", method="filter_channel", label=_("Channel"))
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices, method="filter_platform", label=_("Platform")
    )
    has_suggested_match = django_filters.BooleanFilter(label=_("Has a suggested match"))
    assignee = QueueChooserFilter(kind="assignee", label=_("Assignee"))
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


@lru_cache(maxsize=32)
def _translated(language: str | None) -> dict[str, str]:
    """The component and status labels in ``language``, translated once per language
    (not once per cell: 400 lookups a page)."""
    labels = {key: str(label) for key, label in COMPONENT_LABELS.items()}
    labels.update({f"status:{value}": str(label) for value, label in ClaimStatus.choices})
    return labels


def status_label(claim: Claim) -> str:
    return _translated(get_language()).get(f"status:{claim.status}", claim.status)


def priority_breakdown(claim: Claim) -> str:
    labels = _translated(get_language())
    parts = " · ".join(
        f"{labels.get(k, k)} {v:g}" for k, v in (claim.priority_components or {}).items()
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


# --- Cells without a template each ----------------------------------------------------
# Wagtail renders every table cell through its own template: 550 cells a page made cell
# templates the largest cost of the list (bench/claim_queue.py --profile). These columns
# write the same markup as Wagtail's cell templates with ``format_html``.


def _td(column, content) -> str:
    if column.classname:
        return format_html('<td class="{}">{}</td>', column.classname, content)
    return format_html("<td>{}</td>", content)


class PlainColumn(Column):
    """``wagtailadmin/tables/cell.html``, without the template."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if isinstance(value, int) and not isinstance(value, bool):
            value = unlocalize(value)
        if value is None or not str(value).strip():
            value = self.empty_value_display
        return _td(self, value)


class PlainTitleColumn(TitleColumn):
    """``wagtailadmin/tables/title_cell.html`` for a title linked to a URL, without the
    template (the list's title column has no buttons, title id or label)."""

    def render_cell_html(self, instance, parent_context):
        if self.link_attrs or self.link_classname or self._get_title_id_func:
            return super().render_cell_html(instance, parent_context)
        value = self.get_value(instance)
        if value is None or not str(value).strip():
            value = self.empty_value_display
        url = self.get_link_url(instance, parent_context)
        title = format_html('<a href="{}">{}</a>', url, value) if url else value
        classname = f"{self.classname} title" if self.classname else "title"
        return format_html(
            '<td class="{}"><div class="title-wrapper">{}</div></td>', classname, title
        )


class PlainStatusTagColumn(StatusTagColumn):
    """``wagtailadmin/tables/status_tag_cell.html``, without the template."""

    def render_cell_html(self, instance, parent_context):
        primary = " w-status--primary" if self.get_primary(instance) else ""
        return _td(
            self,
            format_html(
                '<span class="w-status{}">{}</span>', primary, self.get_value(instance) or ""
            ),
        )


class PlainDateColumn(DateColumn):
    """``wagtailadmin/tables/date_cell.html`` (Wagtail's human-readable date with its
    tooltip), without the template."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if not value:
            return _td(self, "")
        local = template_localtime(value)
        return _td(
            self,
            format_html(
                '<button type="button" class="w-human-readable-date" data-controller="w-tooltip"'
                ' data-w-tooltip-content-value="{}" data-w-tooltip-placement-value="top">'
                '<time class="w-human-readable-date__date" datetime="{}">{}</time></button>',
                date_format(local, get_format("DATETIME_FORMAT") or "N j, Y, P"),
                dateformat.format(local, "c"),
                capfirst(timesince_simple(value)),
            ),
        )


class ClaimQueueTable(Table):
    """Wagtail's table with its rows written in one Python loop instead of a template
    ``{% for %}`` and a ``{% component %}`` per cell (550 cells a page). The bulk-action
    checkbox gets Wagtail's ``listing_checkbox_cell.html`` markup."""

    template_name = "claims/admin/queue_table.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["rows"] = self.render_rows(parent_context)
        return context

    def render_rows(self, parent_context) -> str:
        request = parent_context.get("request")
        select = gettext("Select")
        html = []
        for row in self.rows:
            cell_context = {"row": row, "table": self, "request": request}
            cells = []
            for column in self.columns.values():
                if isinstance(column, BulkActionsCheckboxColumn):
                    cells.append(
                        format_html(
                            '<td class="bulk-action-checkbox-cell"><input type="checkbox"'
                            ' data-object-id="{}" data-bulk-action-checkbox'
                            ' class="bulk-action-checkbox" aria-label="{}"'
                            ' aria-describedby="{}" /></td>',
                            admin_urlquote(unlocalize(row.instance.pk)),
                            select,
                            column.get_aria_describedby(row.instance),
                        )
                    )
                else:
                    cells.append(column.render_cell_html(row.instance, cell_context))
            attrs = flatatt(row.attrs)
            html.append(format_html("<tr{}>{}</tr>", attrs, mark_safe("".join(cells))))  # noqa: S308
        return mark_safe("\n".join(html))  # noqa: S308 - every part is format_html'd


class ClaimQueuePaginator(WagtailPaginator):
    """Counts an unfiltered list from the planner's statistics on a large PostgreSQL
    table (``claim_count_estimate``), so the default page scans no 100,000 rows to say
    how many there are; pages are numbered from that figure ("about N claims"). A filtered
    list, and any list on SQLite or below the threshold, is counted exactly."""

    estimated = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            count, self.estimated = claim_count_estimate(self.object_list)
            return count
        return len(self.object_list)

    @cached_property
    def items_count_label(self) -> str:
        if not self.estimated:
            return super().items_count_label
        return _("about %(count)s claims") % {"count": intcomma(self.count)}


class ClaimIndexView(IndexView):
    paginator_class = ClaimQueuePaginator
    table_class = ClaimQueueTable

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("assignee")
            .prefetch_related(claim_list_suggestions_prefetch())
            # not shown: the embedding alone is 1.5 KB a claim
            .defer("vector", "normalized_text", "entities")
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
        PlainTitleColumn(
            "text",
            label=_("Claim"),
            get_url=lambda claim: reverse("claims_admin:detail", args=[claim.pk]),
        ),
        PlainStatusTagColumn(
            "status",
            label=_("Status"),
            accessor=status_label,
            primary=lambda c: c.status in (ClaimStatus.NEW, ClaimStatus.TRIAGED),
        ),
        PlainColumn(
            "priority", label=_("Priority"), accessor=priority_breakdown, sort_key="priority"
        ),
        PlainColumn("sighting_count", label=_("Seen"), sort_key="sighting_count"),
        PlainColumn("outlet_count", label=_("Outlets")),
        PlainColumn("engagement_total", label=_("Engagement"), sort_key="engagement_total"),
        PlainColumn(
            "best_match_score",
            label=_("Suggested match"),
            accessor=best_suggestion,
        ),
        PlainColumn("language", label=_("Language")),
        PlainColumn("assignee", label=_("Assignee")),
        PlainDateColumn("last_seen", label=_("Last seen"), sort_key="last_seen"),
    ]

    def get_urlpatterns(self):
        # /admin/claims/queue/choose/<outlet|channel|assignee>/?q=: the filters' autocomplete.
        chooser = QueueChooserSearchView.as_view(permission_policy=self.permission_policy)
        return [
            *super().get_urlpatterns(),
            path("choose/<slug:kind>/", chooser, name="chooser"),
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
