"""Background tasks: webhook deliveries (django.tasks API via django-tasks).

``webhook_deliver`` makes one attempt; when it fails and another is allowed, it
enqueues itself again with ``run_after`` (the backoff) on a backend that can defer (the
database worker, RQ). On one that cannot (the immediate backend), ``webhooks_retry_due``
(``manage.py webhooks_retry``) sends what is due.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def webhook_deliver(delivery_id: int) -> str:
    from .models import DeliveryStatus
    from .webhooks import deliver

    delivery = deliver(delivery_id)
    if delivery is None:
        return "gone"
    if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None:
        schedule_retry(delivery.pk, delivery.next_attempt_at)
    return str(delivery.status)


def schedule_retry(delivery_id: int, when) -> bool:
    """Enqueue the next attempt at ``when``; ``False`` if the backend cannot defer."""
    if not webhook_deliver.get_backend().supports_defer:
        return False
    webhook_deliver.using(run_after=when).enqueue(delivery_id)
    return True


def enqueue_delivery(delivery_id: int) -> None:
    """Enqueue the first attempt. Publishing never fails because the queue does."""
    try:
        webhook_deliver.enqueue(delivery_id)
    except Exception:
        logger.exception("could not enqueue webhook delivery %s", delivery_id)


@task()
def webhooks_retry_due() -> int:
    """Attempt every pending delivery whose retry time has come; returns how many."""
    from .webhooks import due_deliveries

    ids = due_deliveries()
    for delivery_id in ids:
        webhook_deliver.call(delivery_id)
    return len(ids)
