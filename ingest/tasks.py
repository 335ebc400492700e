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
    """Enqueue one ``poll_channel_task`` per due channel; returns their ids."""
    from sources.selectors import channels_due

    ids = list(channels_due().values_list("id", flat=True))
    for channel_id in ids:
        poll_channel_task.enqueue(channel_id)
    return ids
