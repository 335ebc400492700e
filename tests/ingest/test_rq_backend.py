"""The ingest task on the real RQ backend (django-tasks-rq) and a real Redis.

Runs only when ``REDIS_URL`` is set (CI: ``redis://127.0.0.1:6379/0``). Uses its own
queue name so it never takes or leaves jobs on a queue anyone else uses. The
worker is an in-process ``SimpleWorker`` in burst mode (no fork, same DB transaction).
"""

from __future__ import annotations

import os
import uuid

import pytest
from ingest_testserver import RESOURCES, Reply

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis to test RQ against"),
    pytest.mark.django_db,
]


@pytest.fixture
def rq_queue(settings):
    pytest.importorskip("django_tasks_rq", reason="django-tasks-rq is not installed")
    import django_rq

    name = f"ingest-test-{uuid.uuid4().hex[:8]}"
    # "default" must be valid too (the task is declared on it); nothing is put there.
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL}, "default": {"URL": REDIS_URL}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name, "default"]},
    }
    queue = django_rq.get_queue(name)
    yield name
    queue.empty()
    queue.delete(delete_jobs=True)


def test_poll_channel_task_runs_on_an_rq_worker(rq_queue, local_server) -> None:
    import django_rq
    from django_tasks import TaskResultStatus
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    from ingest.tasks import poll_channel_task
    from sources.models import CapturedItem, Channel, ChannelKind

    local_server.route(
        "/feed.xml",
        Reply(
            body=(RESOURCES / "feeds" / "rss.xml").read_bytes(), content_type="application/rss+xml"
        ),
    )
    channel = Channel.objects.create(
        kind=ChannelKind.FEED, url_or_handle=local_server.url("/feed.xml"), language="hr"
    )
    result = poll_channel_task.using(queue_name=rq_queue).enqueue(channel.pk)
    assert result.status == TaskResultStatus.READY

    queue = django_rq.get_queue(rq_queue, job_class=Job)
    assert queue.count == 1
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    assert worker.work(burst=True)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value["channel_id"] == channel.pk
    assert result.return_value["ok"] is True
    assert local_server.hits("/feed.xml")  # the worker really polled the local site
    assert CapturedItem.objects.filter(channel=channel).exists()
    channel.refresh_from_db()
    assert channel.last_polled_at is not None and channel.consecutive_failures == 0
