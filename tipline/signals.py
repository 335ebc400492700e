"""A claim whose fact-check comes out (published, or an earlier debunk confirmed) tells
the tipline senders who sent it; the claim queue itself knows nothing of the tipline."""

from __future__ import annotations

import logging

from django.db.models.signals import post_save

logger = logging.getLogger(__name__)


def _on_claim_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    from .services import ANSWERED_STATUSES, claim_has_waiting_senders

    if created or instance.status not in ANSWERED_STATUSES or not instance.factcheck_id:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    if not claim_has_waiting_senders(instance.pk):
        return
    from .tasks import tipline_notify_claim

    try:  # publishing must never fail because the tipline could not be told
        tipline_notify_claim.enqueue(instance.pk)
    except Exception:
        logger.exception("tipline: could not enqueue the notice for claim %s", instance.pk)


def connect() -> None:
    post_save.connect(_on_claim_saved, sender="claims.Claim", dispatch_uid="tipline.claim_saved")
