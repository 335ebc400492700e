"""Autocomplete choosers for the claim queue's outlet, channel and assignee filters.

The list page never renders a ``<select>`` of every outlet, channel or staff user: each
of those filters takes an id in a plain text input (``?outlet=17``) and shows the chosen
row's name beside it. ``factcheck/queue-chooser.js`` turns the input into a search box
that asks :class:`QueueChooserSearchView` (``/admin/claims/queue/choose/<kind>/?q=``) for
matches as the editor types; without JavaScript the id input still works.

An id that is not a number, is out of range or names nothing is a form error on the
filter (shown in the filter drawer) and the list stays unfiltered; it never reaches the
database as anything but an integer.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View

from .selectors.queue import (
    QUEUE_CHOOSER_KINDS,
    QUEUE_CHOOSER_LIMIT,
    QUEUE_CHOOSER_MAX_QUERY,
    queue_chooser_label,
    queue_chooser_queryset,
    queue_chooser_search,
)

#: The longest id a filter reads (``2**63 - 1`` has 19 digits); longer input is invalid.
MAX_ID_DIGITS = 19


class QueueChooserInput(forms.TextInput):
    """An id input plus, for JavaScript to show, a search box and the chosen row's name."""

    template_name = "claims/admin/queue_chooser_widget.html"
    url_name = "claims_queue:chooser"

    class Media:
        js = ["factcheck/queue-chooser.js"]
        css = {"all": ["factcheck/queue-chooser.css"]}

    def __init__(self, kind: str, attrs=None):
        super().__init__(
            attrs={"inputmode": "numeric", "autocomplete": "off", "size": 8, **(attrs or {})}
        )
        self.kind = kind
        #: The row the field cleaned (set by :class:`QueueChooserField`), for its name.
        self.chosen = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self.chosen
        shown = value not in (None, "") and chosen is not None and str(chosen.pk) == str(value)
        context["chooser"] = {
            "kind": self.kind,
            "url": reverse(self.url_name, args=[self.kind]),
            "label": queue_chooser_label(self.kind, chosen) if shown else "",
            "max_query": QUEUE_CHOOSER_MAX_QUERY,
        }
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (templates/ is not on the form renderer's path).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class QueueChooserField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that reads an id from text and never lists its choices."""

    def __init__(self, queryset, *, kind: str, **kwargs):
        kwargs["widget"] = QueueChooserInput(kind)
        super().__init__(queryset, **kwargs)
        self.kind = kind

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        obj = super().to_python(text)
        self.widget.chosen = obj
        return obj

    def label_from_instance(self, obj) -> str:
        return queue_chooser_label(self.kind, obj)


class QueueChooserFilter(django_filters.ModelChoiceFilter):
    """One of ``QUEUE_CHOOSER_KINDS``, chosen by id (see the module docstring)."""

    field_class = QueueChooserField

    def __init__(self, *args, kind: str, **kwargs):
        if kind not in QUEUE_CHOOSER_KINDS:
            raise ValueError(kind)
        kwargs.setdefault("queryset", lambda request: queue_chooser_queryset(kind))
        super().__init__(*args, kind=kind, **kwargs)


class QueueChooserSearchView(View):
    """``GET ?q=<text>``: ``{"results": [{"id", "label"}, ...]}``, at most
    ``QUEUE_CHOOSER_LIMIT`` rows whose name contains the text (or whose id it is).

    The same permission as the queue list (any of add/change/delete/view claim), behind
    the Wagtail admin's login; 403 without it, 404 for an unknown kind, 400 for search
    text longer than ``QUEUE_CHOOSER_MAX_QUERY`` characters."""

    http_method_names = ["get"]
    permission_policy = None

    def get(self, request, kind: str):
        if not self.permission_policy.user_has_any_permission(
            request.user, ["add", "change", "delete", "view"]
        ):
            return JsonResponse({"error": "forbidden"}, status=403)
        if kind not in QUEUE_CHOOSER_KINDS:
            return JsonResponse({"error": "unknown chooser"}, status=404)
        query = request.GET.get("q", "")
        if len(query) > QUEUE_CHOOSER_MAX_QUERY:
            return JsonResponse(
                {"error": "query too long", "max_length": QUEUE_CHOOSER_MAX_QUERY}, status=400
            )
        results = queue_chooser_search(kind=kind, query=query, limit=QUEUE_CHOOSER_LIMIT)
        response = JsonResponse({"results": results})
        response["Cache-Control"] = "private, no-store"
        return response
