"""Wagtail events to webhook deliveries: a fact-check published (first time) or updated."""

from __future__ import annotations

import logging

from wagtail.signals import page_published

from claims.models import FactCheckPage

logger = logging.getLogger(__name__)


def _on_factcheck_published(sender, instance, **kwargs) -> None:
    if kwargs.get("alias") or getattr(instance, "alias_of_id", None):
        return  # a script mirror: its original is the fact-check partners hear about
    from .tasks import enqueue_delivery
    from .webhooks import deliveries_create, event_for

    try:
        deliveries = deliveries_create(page=instance, event=event_for(instance))
    except Exception:  # publishing must never fail because of a partner's webhook
        logger.exception("could not create webhook deliveries for page %s", instance.pk)
        return
    # The task backend enqueues on commit (ENQUEUE_ON_COMMIT), as claims' index tasks.
    for delivery in deliveries:
        enqueue_delivery(delivery.pk)


def connect() -> None:
    page_published.connect(
        _on_factcheck_published, sender=FactCheckPage, dispatch_uid="network.webhooks_published"
    )
