"""Template tags for the credit an imported fact-check gives its original publisher."""

from __future__ import annotations

from datetime import date

from django import template

from claims.services.claimreview_import import original_publication_date

register = template.Library()


@register.simple_tag
def original_published_on(page) -> date | None:
    """The date the original publisher published ``page`` (from its ClaimReview), if known."""
    return original_publication_date(page)
