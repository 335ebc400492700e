"""Background work: telling tipline senders that the claim they sent has a fact-check."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def tipline_notify_claim(claim_id: int) -> int:
    """Tell each sender whose tip became ``claim_id`` that its fact-check is published."""
    from .services import notify_claim

    try:
        return notify_claim(claim_id)
    except Exception:
        logger.exception("tipline: could not notify the senders of claim %s", claim_id)
        raise
