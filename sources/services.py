"""Writes with rules for outlets and channels (poll state, backoff, pause)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils import timezone

from .models import Channel, ChannelKind, Outlet

URL_KINDS = frozenset(
    {ChannelKind.FEED, ChannelKind.SITEMAP, ChannelKind.ARTICLE, ChannelKind.CLAIMREVIEW}
)
MAX_BACKOFF = timedelta(hours=24)
# How long an enqueued poll keeps its channel from being enqueued again. Longer than
# any poll (feed + 20 article pages, each under the fetch deadline); if the worker
# dies, the channel is due again when the lease runs out.
POLL_LEASE = timedelta(hours=1)
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


def channel_claim_poll(
    *, channel_id: int, now: datetime, lease: timedelta = POLL_LEASE, force: bool = False
) -> bool:
    """Claim a channel for one enqueued poll; False if it is not due (or already claimed).

    The claim is ``next_poll_at = now + lease``, taken with one conditional UPDATE,
    so two crawl loops cannot both claim it and the next pass does not enqueue it
    again while the poll is queued or running. The poll clears it by recording its
    success or failure; a dead worker's claim expires with the lease. ``force``
    claims a channel that is not due (``crawl --channel``).
    """
    channels = Channel.objects.filter(pk=channel_id)
    if not force:
        channels = channels.filter(enabled=True).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
        )
    return channels.update(next_poll_at=now + lease) == 1


def _not_before(now: datetime, delay: timedelta, min_interval: timedelta | None) -> datetime:
    """``now + delay``, but no sooner than ``min_interval`` (robots.txt Crawl-delay), capped."""
    if min_interval is not None:
        delay = max(delay, min(min_interval, MAX_BACKOFF))
    return now + delay


def channel_record_success(
    *,
    channel: Channel,
    now: datetime,
    etag: str = "",
    last_modified: str = "",
    note: str = "",
    failures: Sequence[str] = (),
    noun: str = "item",
    min_interval: timedelta | None = None,
) -> None:
    """A poll that worked: clear the failure count, schedule the next one. ``failures``
    (the items that could not be stored) become the channel's note, counted, first one
    quoted; ``noun`` names what failed."""
    if failures and not note:
        note = f"{len(failures)} {noun}(s) failed; first: {failures[0]}"
    channel.etag = etag[:500]
    channel.last_modified = last_modified[:100]
    channel.last_polled_at = now
    channel.consecutive_failures = 0
    channel.last_error = note[:ERROR_LIMIT]
    channel.next_poll_at = _not_before(now, channel.poll_interval, min_interval)
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


def channel_record_failure(
    *, channel: Channel, now: datetime, error: str, min_interval: timedelta | None = None
) -> None:
    channel.consecutive_failures += 1
    channel.last_error = error[:ERROR_LIMIT]
    channel.last_polled_at = now
    channel.next_poll_at = _not_before(
        now,
        backoff_delay(interval=channel.poll_interval, failures=channel.consecutive_failures),
        min_interval,
    )
    channel.save(
        update_fields=["consecutive_failures", "last_error", "last_polled_at", "next_poll_at"]
    )
