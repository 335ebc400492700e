"""Signal receivers: thin adapters from Wagtail events to services."""

from __future__ import annotations

from wagtail.signals import page_published

from .models import FactCheckPage
from .services import factcheck_sync_script_alias


def _on_factcheck_published(sender, instance, **kwargs):
    factcheck_sync_script_alias(instance)


def connect() -> None:
    page_published.connect(_on_factcheck_published, sender=FactCheckPage,
                           dispatch_uid="claims.sync_script_alias")
