"""Background tasks that keep the search index true (django.tasks API via django-tasks).

Signal receivers in ``claims.signals`` enqueue these; the immediate backend runs them
inline (tests), the database worker or RQ in production. Each task re-reads the page,
so a late or repeated task never indexes stale state.
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
