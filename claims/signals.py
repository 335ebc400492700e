"""Signal receivers: thin adapters from Wagtail events to services and tasks."""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.signals import (
    copy_for_translation_done,
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

from .models import Claim, FactCheckPage, Rating
from .services import factcheck_sync_script_alias

logger = logging.getLogger(__name__)


def _on_factcheck_published(sender, instance, **kwargs):
    factcheck_sync_script_alias(page=instance)


def _enqueue(task, *args) -> None:
    # Publishing must never fail because the index is unavailable: the task is logged
    # and `manage.py rebuild_search_index` restores whatever was missed.
    try:
        task.enqueue(*args)
    except Exception:
        logger.exception("could not enqueue %s%r", task.name, args)


def _on_factcheck_published_index(sender, instance, **kwargs):
    if kwargs.get("alias") or getattr(instance, "alias_of_id", None):
        return  # a script mirror: its original is what is indexed
    from .tasks import factcheck_index

    _enqueue(factcheck_index, instance.pk)


def _on_factcheck_unpublished(sender, instance, **kwargs):
    from .tasks import factcheck_unindex

    _enqueue(factcheck_unindex, instance.pk)


def _on_factcheck_deleted(sender, instance, **kwargs):
    from .tasks import factcheck_unindex

    _enqueue(factcheck_unindex, instance.pk)


def _on_page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    if url_path_before == url_path_after:
        return  # reordered among siblings: no URL changed
    from .tasks import factcheck_reindex_below

    _enqueue(factcheck_reindex_below, instance.pk)


def _on_page_slug_changed(sender, instance, **kwargs):
    if isinstance(instance, FactCheckPage):
        return  # its own publish re-indexes it
    from .tasks import factcheck_reindex_below

    _enqueue(factcheck_reindex_below, instance.pk)


def _on_translation_copied(sender, source_obj, target_obj, **kwargs):
    if not isinstance(target_obj, FactCheckPage):
        return
    # A translation is usually a draft (nothing to index until it is published), but a
    # live copy must be indexed, and the task decides which from the page's state.
    from .tasks import factcheck_index

    _enqueue(factcheck_index, target_obj.pk)


def _rating_search_fields(rating) -> tuple[str, str]:
    return (rating.label, rating.verdict)


def _on_rating_saving(sender, instance, **kwargs):
    if instance.pk is None:
        return
    before = Rating.objects.filter(pk=instance.pk).values_list("label", "verdict").first()
    instance._search_fields_before = tuple(before) if before else None


def _on_rating_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_search_fields_before", None)
    if created or before is None or before == _rating_search_fields(instance):
        return  # only a changed label or verdict changes what the index shows
    # Fact-checks show the rating's label in their own locale: any translation may be it.
    from .tasks import factcheck_reindex_many

    ratings = Rating.objects.filter(translation_key=instance.translation_key)
    ids = list(
        FactCheckPage.objects.live()
        .filter(rating__in=ratings, alias_of__isnull=True)
        .values_list("pk", flat=True)
    )
    if ids:
        _enqueue(factcheck_reindex_many, ids)


def _on_claim_deleted(sender, instance, **kwargs):
    # Out of the claim vector index once the delete commits (never if it rolls back).
    from .indexing import claim_vectors_update_on_commit

    claim_vectors_update_on_commit(claim_ids=[instance.pk])


def connect() -> None:
    page_published.connect(
        _on_factcheck_published, sender=FactCheckPage, dispatch_uid="claims.sync_script_alias"
    )
    page_published.connect(
        _on_factcheck_published_index,
        sender=FactCheckPage,
        dispatch_uid="claims.search_index_published",
    )
    page_unpublished.connect(
        _on_factcheck_unpublished,
        sender=FactCheckPage,
        dispatch_uid="claims.search_index_unpublished",
    )
    post_delete.connect(
        _on_factcheck_deleted, sender=FactCheckPage, dispatch_uid="claims.search_index_deleted"
    )
    post_page_move.connect(_on_page_moved, dispatch_uid="claims.search_index_moved")
    page_slug_changed.connect(_on_page_slug_changed, dispatch_uid="claims.search_index_slug")
    copy_for_translation_done.connect(
        _on_translation_copied, dispatch_uid="claims.search_index_translated"
    )
    pre_save.connect(_on_rating_saving, sender=Rating, dispatch_uid="claims.search_rating_before")
    post_save.connect(_on_rating_saved, sender=Rating, dispatch_uid="claims.search_index_rating")
    post_delete.connect(
        _on_claim_deleted, sender=Claim, dispatch_uid="claims.claim_vectors_deleted"
    )
    _register_search_labels()


def _register_search_labels() -> None:
    from search import register_facet_labels, register_publisher_lookup

    from .indexing import search_facet_labels, search_publishers

    register_facet_labels(search_facet_labels)
    register_publisher_lookup(search_publishers)
