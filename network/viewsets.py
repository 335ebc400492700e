"""Wagtail admin for the partner network: API keys (create, revoke) and webhooks.

A new key is shown once, on the page that answers the "create" form, and never again:
only its hash is stored. Revoking is an action (with a confirmation), not a form field.
A webhook's URL is checked by the same guard that sends to it: a loopback, private,
link-local or metadata address, or a port other than 80/443, is refused when saved.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton

from .keys import apikey_assign_new_key, apikey_revoke
from .models import ApiKey, Webhook
from .webhooks import DeliveryRefused, check_webhook_url


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "organisation", "contact_email", "tier"]


class ApiKeyCreateView(generic.CreateView):
    def form_valid(self, form):
        self.form = form
        with transaction.atomic():
            self.object = form.save(commit=False)
            key = apikey_assign_new_key(self.object)
        # Rendered, not redirected: the key never goes into a session or a message.
        return TemplateResponse(
            self.request,
            "network/admin/apikey_created.html",
            {
                "api_key": self.object,
                "key": key,
                "index_url": reverse(self.index_url_name),
            },
        )


class ApiKeyIndexView(generic.IndexView):
    revoke_url_name = ""  # set by ApiKeyViewSet

    def get_list_more_buttons(self, instance: ApiKey) -> list:
        buttons = list(super().get_list_more_buttons(instance))
        if instance.is_active:
            buttons.append(
                ListingButton(
                    _("Revoke"), url=reverse(self.revoke_url_name, args=[instance.pk]), priority=5
                )
            )
        return buttons


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("API keys")
    add_to_admin_menu = False
    index_view_class = ApiKeyIndexView
    add_view_class = ApiKeyCreateView
    list_display = [
        "name",
        "organisation",
        "tier",
        Column("prefix", label=_("Key"), accessor=lambda k: f"fck_{k.prefix}_…"),
        StatusTagColumn(
            "revoked_at",
            label=_("Status"),
            accessor=lambda k: _("active") if k.is_active else _("revoked"),
            primary=lambda k: k.is_active,
        ),
        Column("last_used_at", label=_("Last used")),
        Column("created_at", label=_("Created")),
    ]
    list_filter = ["tier"]
    search_fields = ["name", "organisation", "prefix"]

    def get_form_class(self, for_update=False):
        return ApiKeyForm

    def get_index_view_kwargs(self, **kwargs: object) -> dict:
        return super().get_index_view_kwargs(revoke_url_name=self.get_url_name("revoke"), **kwargs)

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", self.revoke_view, name="revoke"),
        ]

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        api_key = get_object_or_404(ApiKey, pk=pk)
        index_url = reverse(self.get_url_name("index"))
        if request.method == "POST":
            apikey_revoke(api_key)
            messages.success(request, _("API key '%s' revoked.") % api_key.name)
            return redirect(index_url)
        return TemplateResponse(
            request,
            "network/admin/confirm.html",
            {
                "object": api_key,
                "action_label": _("Revoke"),
                "description": _(
                    "Requests with this key will be refused (401) from now on. "
                    "This cannot be undone: make a new key instead."
                ),
                "index_url": index_url,
                "danger": True,
            },
        )


class WebhookForm(forms.ModelForm):
    class Meta:
        model = Webhook
        fields = ["name", "url", "api_key", "send_published", "send_updated", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_webhook_url(url)
        except DeliveryRefused as exc:
            raise forms.ValidationError(
                _("This address cannot receive webhooks: %(reason)s"), params={"reason": exc}
            ) from exc
        return url


class WebhookViewSet(ModelViewSet):
    model = Webhook
    icon = "link-external"
    menu_label = _("Webhooks")
    add_to_admin_menu = False
    list_display = [
        "name",
        "url",
        "api_key",
        StatusTagColumn(
            "active",
            label=_("Status"),
            accessor=lambda h: _("active") if h.active else _("paused"),
            primary=lambda h: h.active,
        ),
        Column("secret", label=_("Signing secret"), accessor=lambda h: h.secret),
    ]
    list_filter = ["active"]
    search_fields = ["name", "url"]

    def get_form_class(self, for_update=False):
        return WebhookForm


class NetworkViewSetGroup(ViewSetGroup):
    menu_label = _("Partner API")
    menu_icon = "key"
    menu_order = 310
    items = (ApiKeyViewSet("api_keys"), WebhookViewSet("webhooks"))
