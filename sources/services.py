"""Writes with rules for outlets and channels (poll state, backoff, pause)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from .models import Channel, ChannelKind, Outlet

URL_KINDS = frozenset({ChannelKind.FEED, ChannelKind.SITEMAP, ChannelKind.ARTICLE})
MAX_BACKOFF = timedelta(hours=24)
ERROR_LIMIT = 2000


def outlet_get_or_create(
    *, name: str, homepage: str = "", country: str = "", languages: Iterable[str] | str = ()
) -> tuple[Outlet, bool]:
    defaults: dict[str, object] = {"homepage": homepage}
    if country:
        defaults["country"] = country
    if languages:
        defaults["languages"] = languages if isinstance(languages, str) else list(languages)
    return Outlet.objects.get_or_create(name=name.strip(), defaults=defaults)


def channel_create(
    *,
    kind: str,
    url_or_handle: str,
    outlet: Outlet | None = None,
    language: str = "",
    poll_interval_minutes: int = 30,
) -> Channel:
    """Create a channel; URL kinds must be http(s) URLs. Raises ``ValidationError``."""
    if kind not in ChannelKind.values:
        raise ValidationError(
            f"unknown channel kind {kind!r}; choose from {', '.join(ChannelKind.values)}"
        )
    url_or_handle = url_or_handle.strip()
    if not url_or_handle:
        raise ValidationError("url_or_handle is required")
    if kind in URL_KINDS:
        URLValidator(schemes=["http", "https"])(url_or_handle)
    if Channel.objects.filter(kind=kind, url_or_handle=url_or_handle).exists():
        raise ValidationError(f"a {kind} channel for {url_or_handle} already exists")
    channel = Channel(
        kind=kind,
        url_or_handle=url_or_handle,
        outlet=outlet,
        language=language,
        poll_interval_minutes=poll_interval_minutes,
    )
    channel.full_clean()
    channel.save()
    return channel


def channel_pause(*, channel: Channel) -> Channel:
    channel.enabled = False
    channel.save(update_fields=["enabled"])
    return channel


def channel_resume(*, channel: Channel) -> Channel:
    """Re-enable and make due now; failures are forgiven so backoff starts afresh."""
    channel.enabled = True
    channel.consecutive_failures = 0
    channel.next_poll_at = timezone.now()
    channel.save(update_fields=["enabled", "consecutive_failures", "next_poll_at"])
    return channel


def channel_request_poll(*, channel: Channel) -> Channel:
    """'Poll now': due immediately at the next crawl pass (does not unpause)."""
    channel.next_poll_at = timezone.now()
    channel.save(update_fields=["next_poll_at"])
    return channel


def channel_record_progress(*, channel: Channel, seen: int, new: int) -> None:
    """Saved after each batch of items so that counters survive a crash mid-run."""
    channel.items_seen += seen
    channel.items_new += new
    channel.save(update_fields=["items_seen", "items_new"])


def channel_record_success(
    *, channel: Channel, now: datetime, etag: str = "", last_modified: str = "", note: str = ""
) -> None:
    channel.etag = etag[:500]
    channel.last_modified = last_modified[:100]
    channel.last_polled_at = now
    channel.consecutive_failures = 0
    channel.last_error = note[:ERROR_LIMIT]
    channel.next_poll_at = now + channel.poll_interval
    channel.save(
        update_fields=[
            "etag",
            "last_modified",
            "last_polled_at",
            "consecutive_failures",
            "last_error",
            "next_poll_at",
        ]
    )


def backoff_delay(*, interval: timedelta, failures: int) -> timedelta:
    """interval x 2^failures, capped at 24 hours (failures counted after this one)."""
    return min(interval * (2 ** min(failures, 16)), MAX_BACKOFF)


def channel_record_failure(*, channel: Channel, now: datetime, error: str) -> None:
    channel.consecutive_failures += 1
    channel.last_error = error[:ERROR_LIMIT]
    channel.last_polled_at = now
    channel.next_poll_at = now + backoff_delay(
        interval=channel.poll_interval, failures=channel.consecutive_failures
    )
    channel.save(
        update_fields=["consecutive_failures", "last_error", "last_polled_at", "next_poll_at"]
    )
