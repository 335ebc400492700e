"""Receivers that keep a claim's status in step with its fact-check page.

Kept apart from ``claims.signals`` (search indexing): publishing a fact-check marks
the claims it answers as published; submitting it to the review workflow marks them
as in review.
"""

from __future__ import annotations

from wagtail.signals import page_published, workflow_submitted

from .models import ClaimStatus, FactCheckPage
from .services import claim_follow_factcheck


def _on_factcheck_published(sender, instance, **kwargs) -> None:
    claim_follow_factcheck(page=instance, status=ClaimStatus.PUBLISHED)


def _on_workflow_submitted(sender, instance, user=None, **kwargs) -> None:
    page = getattr(instance, "content_object", None) or getattr(instance, "page", None)
    if page is not None and isinstance(getattr(page, "specific", page), FactCheckPage):
        claim_follow_factcheck(page=page, status=ClaimStatus.IN_REVIEW)


def connect() -> None:
    page_published.connect(
        _on_factcheck_published, sender=FactCheckPage, dispatch_uid="claims.queue_follow_published"
    )
    workflow_submitted.connect(_on_workflow_submitted, dispatch_uid="claims.queue_follow_review")
