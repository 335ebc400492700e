"""One crawl of a ``claimreview`` channel: poll the partner, sync, record the outcome.

Called by ``ingest.pipeline.crawl_channel`` for channels of that kind, so partners are
polled by the same crawl pass, with the same client, backoff and Crawl-delay rules as
every other channel. A failed poll is recorded on the channel and withdraws nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ingest.http import PoliteClient
from ingest.models import PartnerFactCheck
from sources import services as source_services
from sources.models import Channel

from .fetch import poll_partner
from .sync import partner_sync

logger = logging.getLogger(__name__)


def crawl_partner(
    channel: Channel,
    *,
    http: PoliteClient,
    now: datetime,
    report,
    min_interval: Callable[[], timedelta | None],
):
    """Fill and return ``report`` (an ``ingest.pipeline.CrawlReport``)."""
    known = (
        PartnerFactCheck.objects.filter(channel=channel)
        .exclude(found_at_url="")
        .order_by("last_seen_at")
        .values_list("found_at_url", flat=True)
    )
    try:
        poll = poll_partner(
            channel.url_or_handle,
            http=http,
            etag=channel.etag,
            last_modified=channel.last_modified,
            known_pages=list(known),
        )
    except Exception as exc:  # noqa: BLE001 - a broken partner must not stop the pass
        from ingest.pipeline import record_poll_failure

        return record_poll_failure(
            channel, exc, now=now, report=report, min_interval=min_interval()
        )
    if poll.not_modified:
        report.not_modified = True
        source_services.channel_record_success(
            channel=channel,
            now=now,
            etag=poll.etag,
            last_modified=poll.last_modified,
            min_interval=min_interval(),
        )
        return report
    synced = partner_sync(channel=channel, poll=poll, now=now)
    report.seen = len(poll.records)
    report.new = synced.created
    report.updated = synced.updated
    report.held = synced.held
    report.withdrawn = synced.withdrawn
    report.warnings.extend(synced.warnings)
    report.errors.extend(synced.errors)
    source_services.channel_record_progress(channel=channel, seen=report.seen, new=report.new)
    source_services.channel_record_success(
        channel=channel,
        now=now,
        etag=poll.etag,
        last_modified=poll.last_modified,
        failures=synced.errors,
        noun="fact-check",
        min_interval=min_interval(),
    )
    return report
