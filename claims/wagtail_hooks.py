"""Registers the claim queue with the Wagtail admin. Only registrations live here."""

from __future__ import annotations

from django.urls import include, path
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .reference_admin import ReferenceDataGroup
from .services import CLAIM_LOG_ACTIONS
from .urls import admin_urlpatterns
from .views import home_panels
from .viewsets import BULK_ACTIONS, ClaimQueueViewSet

register_snippet(ClaimQueueViewSet)
register_snippet(ReferenceDataGroup)

for _action in BULK_ACTIONS:
    hooks.register("register_bulk_action", _action)


@hooks.register("register_log_actions")
def register_claim_log_actions(actions) -> None:
    for action, (label, message) in CLAIM_LOG_ACTIONS.items():
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def register_claim_admin_urls():
    return [path("claim-queue/", include((admin_urlpatterns, "claims_admin")))]


@hooks.register("construct_homepage_panels")
def add_claim_panels(request, panels) -> None:
    if request.user.has_perm("claims.view_claim"):
        panels.extend(home_panels())


@hooks.register("register_admin_urls")
def register_outlet_track_record_urls():
    from .views import outlet_track_record_detail, outlet_track_record_index

    urls = [
        path("", outlet_track_record_index, name="index"),
        path("<int:pk>/", outlet_track_record_detail, name="detail"),
    ]
    return [path("outlet-track-record/", include((urls, "claims_track_record")))]


@hooks.register("register_admin_menu_item")
def register_outlet_track_record_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    class TrackRecordMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm("claims.view_claim")

    return TrackRecordMenuItem(
        _("Outlet track record"),
        reverse("claims_track_record:index"),
        name="outlet-track-record",
        icon_name="site",
        order=160,
    )
