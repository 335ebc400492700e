"""Background tasks (django.tasks API via django-tasks): the search index, and privacy.

Signal receivers in ``claims.signals`` enqueue the indexing tasks; the immediate backend
runs them inline (tests), the database worker or RQ in production. Each task re-reads the
page, so a late or repeated task never indexes stale state.

``tip_contacts_purge`` erases tipsters' contacts once the retention period after their
claim closed has passed; ``manage.py crawl --loop`` enqueues it daily (by hand:
``manage.py purge_tip_contacts``).
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def factcheck_index(page_id: int) -> str:
    """Index one fact-check, or remove it when it is no longer live, public and original."""
    from .indexing import factcheck_index as sync

    try:
        return sync(page_id=page_id)
    except Exception:
        logger.exception("could not index fact-check page %s", page_id)
        raise


@task()
def factcheck_unindex(page_id: int) -> None:
    """Remove one fact-check from the search index (unpublished or deleted)."""
    from .indexing import factcheck_unindex as remove

    try:
        remove(page_id=page_id)
    except Exception:
        logger.exception("could not remove fact-check page %s from the index", page_id)
        raise


@task()
def factcheck_reindex_below(page_id: int) -> int:
    """Re-index every fact-check at or below a page whose URL changed (move, slug change)."""
    from .indexing import factcheck_ids_below, factcheck_index_many

    return factcheck_index_many(page_ids=factcheck_ids_below(page_id=page_id))


@task()
def factcheck_reindex_many(page_ids: list[int]) -> int:
    """Re-index the given fact-checks (e.g. after their rating's label changed)."""
    from .indexing import factcheck_index_many

    return factcheck_index_many(page_ids=page_ids)


@task()
def tip_contacts_purge() -> int:
    """Erase the contacts of tips whose claim closed over the retention period ago."""
    from .services import tip_purge_contacts

    erased = tip_purge_contacts()
    if erased:
        logger.info("erased the contact details of %s tip(s) past retention", erased)
    return erased
