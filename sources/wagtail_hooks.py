from __future__ import annotations

from wagtail import hooks

from .viewsets import SourcesViewSetGroup


@hooks.register("register_admin_viewset")
def register_sources_viewsets() -> SourcesViewSetGroup:
    return SourcesViewSetGroup()
