"""Background tasks (django.tasks API via the django-tasks backport).

``crawl`` (the management command) enqueues or runs these; a database worker
(``manage.py db_worker``) or RQ runs them in production.
"""

from __future__ import annotations

from django_tasks import task

from sources.models import Channel


@task()
def poll_channel_task(channel_id: int) -> dict[str, object]:
    """Poll one channel now. Returns the crawl report as a JSON-able dict."""
    from ingest.pipeline import crawl_channel

    channel = Channel.objects.select_related("outlet").filter(pk=channel_id).first()
    if channel is None:
        return {"channel_id": channel_id, "ok": False, "errors": ["channel no longer exists"]}
    return crawl_channel(channel).as_dict()


@task()
def crawl_due_task() -> list[int]:
    """Enqueue one ``poll_channel_task`` per due channel; returns their ids.

    Each channel is claimed first (``channel_claim_poll``), so a channel whose poll
    is still queued or running is not enqueued a second time.
    """
    return enqueue_due_polls()


def enqueue_due_polls(*, channel_ids: list[int] | None = None, force: bool = False) -> list[int]:
    """Claim and enqueue a poll for each due channel (or each of ``channel_ids``).

    A channel is enqueued only if this call claimed it: not one whose earlier poll
    is still pending (``force`` claims the given channels even when not due). If
    enqueueing fails, the claim is given back so the channel stays due.
    """
    from django.utils import timezone

    from sources import services as source_services
    from sources.selectors import channels_due

    now = timezone.now()
    if channel_ids is None:
        channel_ids = list(channels_due(now=now).values_list("id", flat=True))
    queued: list[int] = []
    for channel_id in channel_ids:
        if not source_services.channel_claim_poll(channel_id=channel_id, now=now, force=force):
            continue
        try:
            poll_channel_task.enqueue(channel_id)
        except Exception:
            Channel.objects.filter(pk=channel_id).update(next_poll_at=now)
            raise
        queued.append(channel_id)
    return queued


@task()
def tip_fetch_url(tip_id: int) -> dict[str, object]:
    """Fetch the URL of a reader's tip through the guarded client and give it to the tip.

    Runs the same SSRF guard, robots.txt, size and time limits as the crawler: a tip
    cannot make the server fetch a private or loopback address. Errors are stored on
    the tip (and shown to editors); the tip still becomes a claim.
    """
    from claims import services as claim_services
    from claims.models import Tip
    from ingest.articles.client import ArticleClient
    from ingest.exceptions import IngestError
    from ingest.http import get_client

    tip = Tip.objects.filter(pk=tip_id).first()
    if tip is None or not tip.url:
        return {"tip_id": tip_id, "ok": False, "error": "no tip or no URL"}
    try:
        with get_client(max_bytes=2 * 1024 * 1024, max_retries=1) as http:
            draft = ArticleClient(http).fetch_draft(tip.url)
    except IngestError as exc:
        claim_services.tip_record_fetch(tip=tip, error=str(exc) or type(exc).__name__)
        return {"tip_id": tip_id, "ok": False, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a broken page must not lose the tip
        claim_services.tip_record_fetch(
            tip=tip, error=f"could not read the page ({type(exc).__name__})"
        )
        return {"tip_id": tip_id, "ok": False, "error": type(exc).__name__}
    claim_services.tip_record_fetch(
        tip=tip,
        url=draft.url,
        title=draft.title,
        text=draft.text,
        published_at=draft.published_at,
        author=draft.author,
    )
    return {"tip_id": tip_id, "ok": True}
