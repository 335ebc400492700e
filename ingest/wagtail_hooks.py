"""Admin for followed partner newsrooms and the page-history notes partner sync writes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import PartnerFactCheck, PartnerFeed
from .partners.sync import LOG_ACTIONS


class PartnerFeedViewSet(ModelViewSet):
    """Per partner channel: publish at once or draft, whether leaving the feed withdraws,
    and whether the feed may carry other publishers' fact-checks (a network's shared feed).

    The channel itself (its URL, poll interval, pause) is added and managed under
    Channels, kind "Partner newsroom's ClaimReview"; its settings row appears here after
    the first crawl, or can be added here first.
    """

    model = PartnerFeed
    icon = "link-external"
    menu_label = _("Partner feeds")
    add_to_admin_menu = True
    menu_order = 260
    form_fields = ["channel", "publish_mode", "withdraw_missing", "other_publishers"]
    list_display = ["channel", "publish_mode", "withdraw_missing", "other_publishers"]
    list_filter = ["publish_mode", "other_publishers"]


class PartnerFactCheckViewSet(ModelViewSet):
    """What each partner channel imported, what is held for review and what was withdrawn."""

    model = PartnerFactCheck
    icon = "doc-full"
    menu_label = _("Partner fact-checks")
    add_to_admin_menu = False
    form_fields = ["held_for_review"]
    list_display = [
        "original_url",
        "channel",
        "page",
        "last_seen_at",
        "held_for_review",
        "withdrawn_at",
    ]
    list_filter = ["channel", "held_for_review"]
    search_fields = ["original_url"]


@hooks.register("register_admin_viewset")
def register_partner_feeds() -> ModelViewSet:
    return PartnerFeedViewSet("partner_feeds")


@hooks.register("register_admin_viewset")
def register_partner_factchecks() -> ModelViewSet:
    return PartnerFactCheckViewSet("partner_factchecks")


@hooks.register("register_log_actions")
def register_partner_log_actions(actions) -> None:
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
