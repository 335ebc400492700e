"""Reads with rules for channels and captured items."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import CapturedItem, Channel, ChannelKind


def channels_due(*, now: datetime | None = None) -> QuerySet[Channel]:
    """Enabled, pollable channels whose next poll time has come (never-polled first)."""
    now = now or timezone.now()
    return (
        Channel.objects.filter(enabled=True)
        .exclude(kind=ChannelKind.IMPORT)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .select_related("outlet")
        .order_by("next_poll_at", "id")
    )


def channel_list() -> QuerySet[Channel]:
    return Channel.objects.select_related("outlet").order_by("outlet__name", "kind", "id")


def captured_item_by_url(*, canonical_url: str) -> CapturedItem | None:
    return CapturedItem.objects.filter(canonical_url=canonical_url).first()
