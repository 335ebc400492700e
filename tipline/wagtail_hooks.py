from __future__ import annotations

from wagtail import hooks

from .viewsets import TelegramBotViewSet


@hooks.register("register_admin_viewset")
def register_tipline_viewset() -> TelegramBotViewSet:
    return TelegramBotViewSet("tipline_bots")
