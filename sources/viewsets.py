"""Wagtail admin for outlets and channels: channel health at a glance, pause and poll now."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
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

from . import services
from .models import Channel, ChannelStatus, Outlet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OutletViewSet(ModelViewSet):
    model = Outlet
    icon = "site"
    menu_label = _("Outlets")
    form_fields = ["name", "homepage", "country", "languages", "notes"]
    list_display = ["name", "country", "homepage", "created"]
    list_filter = ["country"]
    search_fields = ["name", "notes"]


class ChannelIndexView(generic.IndexView):
    channel_url_namespace = ""  # set by ChannelViewSet

    def get_list_more_buttons(self, instance: Channel) -> list:
        buttons = list(super().get_list_more_buttons(instance))
        name = "resume" if not instance.enabled else "pause"
        label = _("Resume") if not instance.enabled else _("Pause")
        buttons.append(
            ListingButton(
                label,
                url=reverse(f"{self.channel_url_namespace}:{name}", args=[instance.pk]),
                priority=5,
            )
        )
        buttons.append(
            ListingButton(
                _("Poll now"),
                url=reverse(f"{self.channel_url_namespace}:poll_now", args=[instance.pk]),
                priority=6,
            )
        )
        return buttons


ACTIONS: dict[str, tuple[StrOrPromise, StrOrPromise, Callable[..., Channel], StrOrPromise]] = {
    "pause": (
        _("Pause"),
        _("The crawler will skip this channel until it is resumed."),
        services.channel_pause,
        _("Channel '%s' paused."),
    ),
    "resume": (
        _("Resume"),
        _("The channel is polled at the next crawl pass and its failure count is reset."),
        services.channel_resume,
        _("Channel '%s' resumed."),
    ),
    "poll_now": (
        _("Poll now"),
        _("The channel becomes due immediately and is polled at the next crawl pass."),
        services.channel_request_poll,
        _("Channel '%s' will be polled at the next crawl pass."),
    ),
}


class ChannelViewSet(ModelViewSet):
    model = Channel
    icon = "rss"
    menu_label = _("Channels")
    index_view_class = ChannelIndexView
    form_fields = [
        "outlet",
        "kind",
        "url_or_handle",
        "language",
        "poll_interval_minutes",
        "enabled",
    ]
    list_display = [
        "url_or_handle",
        "outlet",
        "kind",
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor=lambda c: ChannelStatus(c.status).label,
            primary=lambda c: c.status == ChannelStatus.OK,
        ),
        Column("last_polled_at", label=_("Last polled")),
        Column("items_new", label=_("New items")),
        Column("last_error", label=_("Last error"), accessor=lambda c: c.last_error[:120]),
    ]
    list_filter = ["kind", "enabled", "outlet"]
    search_fields = ["url_or_handle"]

    def get_index_view_kwargs(self, **kwargs: object) -> dict:
        return super().get_index_view_kwargs(channel_url_namespace=self.url_namespace, **kwargs)

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            *(path(f"{name}/<int:pk>/", self._action_view(name), name=name) for name in ACTIONS),
        ]

    def _action_view(self, name: str) -> Callable[[HttpRequest, int], HttpResponse]:
        label, description, service, done = ACTIONS[name]

        def view(request: HttpRequest, pk: int) -> HttpResponse:
            if not self.permission_policy.user_has_permission(request.user, "change"):
                raise PermissionDenied
            channel = get_object_or_404(Channel, pk=pk)
            index_url = reverse(self.get_url_name("index"))
            if request.method == "POST":
                service(channel=channel)
                messages.success(request, done % channel)
                return redirect(index_url)
            return TemplateResponse(
                request,
                "sources/channel_action_confirm.html",
                {
                    "channel": channel,
                    "action_label": label,
                    "description": description,
                    "index_url": index_url,
                },
            )

        return view


class SourcesViewSetGroup(ViewSetGroup):
    menu_label = _("Sources")
    menu_icon = "rss"
    menu_order = 300
    items = (OutletViewSet("outlets"), ChannelViewSet("channels"))
